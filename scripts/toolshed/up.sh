#!/usr/bin/env bash
# Bring up the local Tool Shed of $GXJ_SHED_STATE_DIR on $GXJ_SHED_PORT: write its config, start it, and
# create the owner named in .shed.yml, its API key (saved as $GXJ_SHED_STATE_DIR/owner_api_key for
# publish.sh) and the categories, all through its API.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
here="$GXJ_REPO/scripts/toolshed"

"$GXJ_GALAXY_VENV/bin/python" "$here/write_shed_config.py" --state-dir "$GXJ_SHED_STATE_DIR" \
  --port "$GXJ_SHED_PORT" --admin-email "$GXJ_SHED_OWNER_EMAIL"
"$here/start.sh"
"$GXJ_GALAXY_VENV/bin/python" "$here/bootstrap_owner.py" --url "$GXJ_SHED_URL" --state-dir "$GXJ_SHED_STATE_DIR" \
  --email "$GXJ_SHED_OWNER_EMAIL" --password "$GXJ_USER_PASSWORD" >"$GXJ_SHED_STATE_DIR/owner_api_key"
