#!/usr/bin/env bash
# Start the local Tool Shed of $GXJ_SHED_STATE_DIR on 127.0.0.1:$GXJ_SHED_PORT in the background (config
# from write_shed_config.py, written here when missing) and wait until its API answers.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
# shellcheck source=scripts/service.sh
source "$GXJ_REPO/scripts/service.sh"

timeout_s="${GXJ_SHED_START_TIMEOUT:-300}"
config="$GXJ_SHED_STATE_DIR/tool_shed.yml"
pid_file="$GXJ_SHED_STATE_DIR/tool_shed.pid"
log="$GXJ_SHED_STATE_DIR/tool_shed.log"

if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "Tool Shed already running on $GXJ_SHED_URL (pid $(cat "$pid_file"))"
  exit 0
fi
if gxj_port_in_use "$GXJ_SHED_PORT"; then
  echo "error: port $GXJ_SHED_PORT is already in use; stop what runs there or choose another with GXJ_SHED_PORT=..." >&2
  exit 1
fi
[ -f "$config" ] || "$GXJ_GALAXY_VENV/bin/python" "$GXJ_REPO/scripts/toolshed/write_shed_config.py" \
  --state-dir "$GXJ_SHED_STATE_DIR" --port "$GXJ_SHED_PORT" --admin-email "$GXJ_SHED_OWNER_EMAIL"

# the venv's bin first: the Tool Shed runs `hg` (Mercurial, a dependency of galaxy-tool-shed) for every upload
export PATH="$GXJ_GALAXY_VENV/bin:$PATH"
cd "$GXJ_SHED_STATE_DIR"
TOOL_SHED_CONFIG_FILE="$config" nohup "$GXJ_GALAXY_VENV/bin/uvicorn" --factory tool_shed.webapp.fast_factory:factory \
  --host 127.0.0.1 --port "$GXJ_SHED_PORT" >"$log" 2>&1 &
echo $! >"$pid_file"
echo "Tool Shed starting (pid $(cat "$pid_file"), log $log)"
gxj_wait_for_url "Tool Shed" "$GXJ_SHED_URL/api/version" "$pid_file" "$log" "$timeout_s"
