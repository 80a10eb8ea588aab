#!/usr/bin/env bash
# Stop the local Galaxy (and gx-it-proxy, and the Pulsar server of the routed mode) of $GXJ_STATE_DIR;
# does nothing when none runs.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"

# stop_pid_file NAME FILE: TERM, wait up to 30 s, then KILL; the pid file goes in every case.
stop_pid_file() {
  local name="$1" file="$2" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -9 "$pid" 2>/dev/null || true
    echo "$name stopped (pid $pid)"
  fi
  rm -f "$file"
}

stop_pid_file gx-it-proxy "$GXJ_STATE_DIR/gx-it-proxy.pid"
stop_pid_file Galaxy "$GXJ_STATE_DIR/galaxy.pid"
stop_pid_file Pulsar "$GXJ_STATE_DIR/pulsar/pulsar.pid"
