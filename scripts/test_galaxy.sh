#!/usr/bin/env bash
# The inner loop against a test Galaxy that stays up between runs (docs/testing.md):
#   scripts/test_galaxy.sh up                          start it (state .galaxy/test, port 8181, gx-it-proxy,
#                                                      the harness tool), or reuse the one running
#   scripts/test_galaxy.sh pytest [ARGS...]            pytest against it, e.g. tests/client/test_remote_jobs.py
#   scripts/test_galaxy.sh planemo TOOL.xml [ARGS...]  a tool's planemo tests against it
#   scripts/test_galaxy.sh env                         the exports, for your own commands: eval "$(... env)"
#   scripts/test_galaxy.sh down                        stop it
# `make test` uses the same state dir and port but always starts from an empty database.
set -euo pipefail
export GXJ_STATE_DIR="${GXJ_TEST_STATE_DIR:-.galaxy/test}"
export GXJ_PORT="${GXJ_TEST_PORT:-8181}"
export GXJ_HARNESS_TOOLS=1
unset GXJ_PROXY_PORT
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GXJ_REPO"

running() { [ -f "$GXJ_STATE_DIR/galaxy.pid" ] && kill -0 "$(cat "$GXJ_STATE_DIR/galaxy.pid")" 2>/dev/null; }

up() {
  if running && [ -f "$GXJ_STATE_DIR/user_api_key" ]; then
    return 0
  fi
  scripts/setup_envs.sh >&2
  scripts/setup_browser.sh >&2
  GXJ_IT_PROXY="$GXJ_IT_PROXY_BIN" scripts/galaxy/up.sh >&2
}

export_keys() {
  GXJ_GALAXY_URL="$GXJ_URL"
  GXJ_API_KEY="$(cat "$GXJ_STATE_DIR/user_api_key")"
  GXJ_ADMIN_KEY="$("$GXJ_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["bootstrap_admin_api_key"])' \
    "$GXJ_STATE_DIR/secrets.json")"
  export GXJ_GALAXY_URL GXJ_API_KEY GXJ_ADMIN_KEY GXJ_IT_PROXY="$GXJ_IT_PROXY_BIN"
}

command="${1:-}"
[ "$#" -eq 0 ] || shift
case "$command" in
  up) up; echo "test Galaxy on $GXJ_URL (state $GXJ_STATE_DIR)" ;;
  down) scripts/galaxy/stop.sh ;;
  env)
    up
    export_keys
    printf 'export %s=%q\n' GXJ_STATE_DIR "$GXJ_STATE_DIR" GXJ_PORT "$GXJ_PORT" GXJ_GALAXY_URL "$GXJ_GALAXY_URL" \
      GXJ_API_KEY "$GXJ_API_KEY" GXJ_ADMIN_KEY "$GXJ_ADMIN_KEY" GXJ_IT_PROXY "$GXJ_IT_PROXY"
    ;;
  pytest)
    up
    export_keys
    exec "$GXJ_RUNTIME_VENV/bin/python" -m pytest "$@"
    ;;
  planemo)
    [ "$#" -gt 0 ] || { echo "usage: $0 planemo TOOL.xml [ARGS...]" >&2; exit 2; }
    up
    export_keys
    exec "$GXJ_GALAXY_VENV/bin/planemo" test --engine external_galaxy --galaxy_url "$GXJ_URL" \
      --galaxy_user_key "$GXJ_API_KEY" --galaxy_admin_key "$GXJ_ADMIN_KEY" "$@"
    ;;
  *) echo "usage: $0 up|down|env|pytest [ARGS...]|planemo TOOL.xml [ARGS...]" >&2; exit 2 ;;
esac
