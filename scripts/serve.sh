#!/usr/bin/env bash
# `make serve`: envs -> local Galaxy on $GXJ_PORT (default 8080) with this repository's tools ->
# user and API key -> the demo history -> how to log in and how to stop.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GXJ_REPO"

scripts/setup_envs.sh
# gx-it-proxy serves the JupyterLab interactive tool (chromium is only for the tests)
scripts/setup_browser.sh proxy
export GXJ_IT_PROXY="$GXJ_IT_PROXY_BIN"
scripts/galaxy/up.sh
"$GXJ_RUNTIME_VENV/bin/python" scripts/galaxy/demo_history.py --url "$GXJ_URL" \
  --api-key "$(cat "$GXJ_STATE_DIR/user_api_key")"
cat <<TEXT

Galaxy is running: $GXJ_URL
  log in as $GXJ_USER_EMAIL, password $GXJ_USER_PASSWORD (API key in $GXJ_STATE_DIR/user_api_key)
  log: $GXJ_STATE_DIR/galaxy.log
  JupyterLab: open the tool "GPU JupyterLab for machine learning"; its entry point is served by
    gx-it-proxy on 127.0.0.1:$GXJ_PROXY_PORT (docs/interactive.md)
  stop: make stop
TEXT
