#!/usr/bin/env bash
# The containerized-Galaxy phase of `make test` (also runnable alone): build or reuse the CPU image, start a
# Galaxy with GXJ_CONTAINERS=podman (its own state dir and port, gx-it-proxy beside it), run
# run_jupyter_job's tool tests inside the image (planemo), then tests/containers (the JupyterLab tool from
# the image through gx-it-proxy in headless Chromium; checks inside the container; the jobs' command lines),
# and stop it. Reports go to $GXJ_REPORTS (default test-reports/): planemo-containers.*, pytest-containers.xml.
# Exit status: that of the test runs (0 when both passed).
#   GXJ_TEST_CONTAINER_STATE_DIR (.galaxy/test-containers), GXJ_TEST_CONTAINER_PORT (8211; proxy = port + 1)
set -euo pipefail
export GXJ_STATE_DIR="${GXJ_TEST_CONTAINER_STATE_DIR:-.galaxy/test-containers}"
export GXJ_PORT="${GXJ_TEST_CONTAINER_PORT:-8211}"
export GXJ_CONTAINERS=podman
# a loaded machine (make test runs beside other work) can take minutes to start Galaxy
export GXJ_START_TIMEOUT="${GXJ_START_TIMEOUT:-600}"
unset GXJ_PROXY_PORT GXJ_PULSAR_PORT GXJ_ROUTING
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$GXJ_REPO"
reports="${GXJ_REPORTS:-$GXJ_REPO/test-reports}"
mkdir -p "$reports"
export GXJ_IT_PROXY="${GXJ_IT_PROXY:-$GXJ_IT_PROXY_BIN}"

GXJ_CONTAINER_IMAGE="$(scripts/container/build_image.sh cpu)"
scripts/galaxy/stop.sh
rm -rf "$GXJ_STATE_DIR"   # a fresh database every run
trap 'scripts/galaxy/stop.sh' EXIT
scripts/galaxy/up.sh
GXJ_CONTAINER_GALAXY_URL="$GXJ_URL"
GXJ_CONTAINER_API_KEY="$(cat "$GXJ_STATE_DIR/user_api_key")"
GXJ_CONTAINER_ADMIN_KEY="$("$GXJ_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["bootstrap_admin_api_key"])' \
  "$GXJ_STATE_DIR/secrets.json")"
export GXJ_CONTAINER_IMAGE GXJ_CONTAINER_GALAXY_URL GXJ_CONTAINER_API_KEY GXJ_CONTAINER_ADMIN_KEY

rc=0
"$GXJ_GALAXY_VENV/bin/planemo" test --engine external_galaxy --galaxy_url "$GXJ_URL" \
  --galaxy_user_key "$GXJ_CONTAINER_API_KEY" --galaxy_admin_key "$GXJ_CONTAINER_ADMIN_KEY" \
  --test_output "$reports/planemo-containers.html" --test_output_json "$reports/planemo-containers.json" \
  --test_output_junit "$reports/planemo-containers.junit.xml" tools/jupyter_job/run_jupyter_job.xml || rc=1
"$GXJ_RUNTIME_VENV/bin/python" -m pytest -m containers tests/containers --junitxml="$reports/pytest-containers.xml" || rc=1
exit "$rc"
