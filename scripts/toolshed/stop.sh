#!/usr/bin/env bash
# Stop the local Tool Shed of $GXJ_SHED_STATE_DIR; does nothing when none runs.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
# shellcheck source=scripts/service.sh
source "$GXJ_REPO/scripts/service.sh"
gxj_stop_pid_file "Tool Shed" "$GXJ_SHED_STATE_DIR/tool_shed.pid"
