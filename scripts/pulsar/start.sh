#!/usr/bin/env bash
# Start the Pulsar server of $GXJ_STATE_DIR (in $GXJ_STATE_DIR/pulsar/) on 127.0.0.1:$GXJ_PULSAR_PORT and
# wait until it answers. It stands in for a remote GPU node of the routed local Galaxy
# (GXJ_ROUTING=tpv scripts/galaxy/up.sh starts it); config from scripts/pulsar/write_config.py.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
# shellcheck source=scripts/service.sh
source "$GXJ_REPO/scripts/service.sh"

pulsar_dir="$GXJ_STATE_DIR/pulsar"
pid_file="$pulsar_dir/pulsar.pid"
log="$pulsar_dir/pulsar.log"
url="http://127.0.0.1:$GXJ_PULSAR_PORT"
timeout_s="${GXJ_PULSAR_START_TIMEOUT:-60}"

if [ ! -x "$GXJ_PULSAR_VENV/bin/pulsar-serve" ]; then
  echo "error: no Pulsar in $GXJ_PULSAR_VENV; run scripts/setup_envs.sh pulsar first" >&2
  exit 1
fi
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "Pulsar already running on $url (pid $(cat "$pid_file"))"
  exit 0
fi
if gxj_port_in_use "$GXJ_PULSAR_PORT"; then
  echo "error: port $GXJ_PULSAR_PORT is already in use; choose another with GXJ_PULSAR_PORT=..." >&2
  exit 1
fi

"$GXJ_PYTHON" "$GXJ_REPO/scripts/pulsar/write_config.py" --pulsar-dir "$pulsar_dir" --port "$GXJ_PULSAR_PORT" \
  --runtime-venv "$GXJ_RUNTIME_VENV"
cd "$pulsar_dir"
# the server's own environment: nothing of Galaxy's venv (VIRTUAL_ENV, GALAXY_VIRTUAL_ENV) leaks into its jobs;
# XDG_RUNTIME_DIR puts gunicorn's control socket here, not in ~/.gunicorn where two servers would share one
env -u VIRTUAL_ENV -u GALAXY_VIRTUAL_ENV PULSAR_CONFIG_DIR="$pulsar_dir" XDG_RUNTIME_DIR="$pulsar_dir" \
  nohup "$GXJ_PULSAR_VENV/bin/pulsar-serve" "$pulsar_dir/server.ini" >"$log" 2>&1 &
echo $! >"$pid_file"
echo "Pulsar starting (pid $(cat "$pid_file"), log $log)"
# any HTTP answer means the app is up (without the token it answers 403)
gxj_wait_for_url Pulsar "$url/jobs" "$pid_file" "$log" "$timeout_s" any
echo "Pulsar staging directory: $pulsar_dir/staging"
