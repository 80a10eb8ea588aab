# shellcheck shell=bash
# Sourced by the start and stop scripts of the local servers (Galaxy, the Tool Shed): the port guard,
# the wait for a server's first answer, and the stop by pid file, written once for all of them.

# gxj_port_in_use PORT: true when something listens on 127.0.0.1:PORT
gxj_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# gxj_wait_for_url NAME URL PID_FILE LOG TIMEOUT_S [any]: wait until URL answers with success (with "any":
# with any HTTP status, e.g. a 403 of a server that wants a token), while the process of PID_FILE lives.
# On exit or time-out: the log's last lines on stderr and status 1 (the pid file goes when the process has exited).
gxj_answers() {
  if [ "${2:-}" = any ]; then
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" != 000 ]
  else
    curl -sf "$1" >/dev/null
  fi
}
gxj_wait_for_url() {
  local name="$1" url="$2" pid_file="$3" log="$4" timeout_s="$5" started
  started=$(date +%s)
  while ! gxj_answers "$url" "${6:-}"; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "error: $name exited during start-up; last lines of $log:" >&2
      tail -n 40 "$log" >&2
      rm -f "$pid_file"
      return 1
    fi
    if [ $(( $(date +%s) - started )) -ge "$timeout_s" ]; then
      echo "error: $name did not answer on $url within ${timeout_s}s; last lines of $log:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 2
  done
  echo "$name up on $url after $(( $(date +%s) - started ))s"
}

# gxj_stop_pid_file NAME FILE [group]: TERM, wait up to 30 s, then KILL; the pid file goes in every case.
# With "group", the pid leads its own process group (started with setsid) and the whole group is signalled.
gxj_stop_pid_file() {
  local name="$1" file="$2" pid target
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  target="$pid"
  [ "${3:-}" = group ] && target="-$pid"
  if kill -- "$target" 2>/dev/null; then
    for _ in $(seq 1 30); do
      kill -0 -- "$target" 2>/dev/null || break
      sleep 1
    done
    kill -9 -- "$target" 2>/dev/null || true
    echo "$name stopped (pid $pid)"
  fi
  rm -f "$file"
}
