#!/usr/bin/env bash
# The whole test command: envs (+ gx-it-proxy, chromium) -> lint -> a fresh test Galaxy with gx-it-proxy -> pytest -> planemo test
# (tools and workflows/) -> stop Galaxy -> a routed Galaxy (GXJ_ROUTING=tpv: TPV + a Pulsar server) -> pytest -m routing
# -> stop it -> a containerized Galaxy (GXJ_CONTAINERS=podman) with run_jupyter_job and the JupyterLab tool in the CPU
# image -> one closing line "N passed, N failed[, N skipped]" over pytest and planemo.
# Lint failures do not stop the tests (the full picture is more useful), but fail the run.
# The test Galaxy uses its own state dir and port, so it can run beside `make serve`.
set -euo pipefail
export GXJ_STATE_DIR="${GXJ_TEST_STATE_DIR:-.galaxy/test}"
export GXJ_PORT="${GXJ_TEST_PORT:-8181}"
unset GXJ_PROXY_PORT
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GXJ_REPO"

t0=$(date +%s)
stage() { echo "== $1 ($(( $(date +%s) - t0 ))s)"; }
reports="$GXJ_REPO/test-reports"
rm -rf "$reports"
mkdir -p "$reports"

scripts/setup_envs.sh
# gx-it-proxy and chromium: the interactive tool's browser test runs through the proxy
scripts/setup_browser.sh
export GXJ_IT_PROXY="$GXJ_IT_PROXY_BIN"
stage "lint"
lint_failed=0
scripts/lint.sh || lint_failed=1
mapfile -t tools < <("$GXJ_PYTHON" scripts/galaxy/repo_tools.py)
# workflows with a planemo test file beside them (NAME.gxwf-tests.yml) run in the same planemo test
mapfile -t workflows < <(ls workflows/*.gxwf.yml 2>/dev/null)

stage "test Galaxy on $GXJ_URL"
scripts/galaxy/stop.sh
rm -rf "$GXJ_STATE_DIR"   # a fresh sqlite database every run
trap 'scripts/galaxy/stop.sh' EXIT
scripts/galaxy/up.sh
GXJ_GALAXY_URL="$GXJ_URL"
GXJ_API_KEY="$(cat "$GXJ_STATE_DIR/user_api_key")"
GXJ_ADMIN_KEY="$("$GXJ_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["bootstrap_admin_api_key"])' \
  "$GXJ_STATE_DIR/secrets.json")"
export GXJ_GALAXY_URL GXJ_API_KEY GXJ_ADMIN_KEY

stage "pytest"
# the routing tests need the routed Galaxy below
"$GXJ_RUNTIME_VENV/bin/python" -m pytest -m "not routing" --junitxml="$reports/pytest.xml" || true

summary_args=(--junit "$reports/pytest.xml")
if [ "${#tools[@]}" -gt 0 ]; then
  # tools and workflows in separate planemo runs: planemo 0.75.47 crashes ('dict' object has no attribute
  # 'structured_data') when one external_galaxy run mixes tool XMLs and workflows
  run_planemo() {  # run_planemo KIND TARGET...
    local kind="$1"
    shift
    [ "$#" -gt 0 ] || return 0
    stage "planemo test ($kind)"
    "$GXJ_GALAXY_VENV/bin/planemo" test --engine external_galaxy --galaxy_url "$GXJ_URL" \
      --galaxy_user_key "$GXJ_API_KEY" --galaxy_admin_key "$GXJ_ADMIN_KEY" \
      --test_output "$reports/planemo-$kind.html" --test_output_json "$reports/planemo-$kind.json" \
      --test_output_junit "$reports/planemo-$kind.junit.xml" "$@" || true
    summary_args+=(--planemo-json "$reports/planemo-$kind.json")
  }
  run_planemo tools "${tools[@]}"
  run_planemo workflows "${workflows[@]}"
else
  echo "no tool XMLs under tools/ or interactive/: planemo test skipped"
fi

scripts/galaxy/stop.sh
trap - EXIT

# The routed Galaxy: TPV routes run_jupyter_job (GPU welcome) to a Pulsar server on loopback that stands in
# for a GPU node (docs/admin.md); tests/routing runs the workflow there. Its own state dir and port.
routing_state="${GXJ_TEST_ROUTING_STATE_DIR:-.galaxy/test-routing}"
case "$routing_state" in /*) ;; *) routing_state="$GXJ_REPO/$routing_state" ;; esac
routing_port="${GXJ_TEST_ROUTING_PORT:-8191}"
routed() {
  env -u GXJ_PROXY_PORT -u GXJ_PULSAR_PORT -u GXJ_IT_PROXY GXJ_STATE_DIR="$routing_state" GXJ_PORT="$routing_port" \
    GXJ_ROUTING=tpv "$@"
}
stage "routed Galaxy (TPV + Pulsar) on http://127.0.0.1:$routing_port"
routed scripts/galaxy/stop.sh
rm -rf "$routing_state"
trap 'routed scripts/galaxy/stop.sh' EXIT
routed scripts/galaxy/up.sh
GXJ_ROUTING_GALAXY_URL="http://127.0.0.1:$routing_port"
GXJ_ROUTING_API_KEY="$(cat "$routing_state/user_api_key")"
GXJ_ROUTING_ADMIN_KEY="$("$GXJ_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["bootstrap_admin_api_key"])' \
  "$routing_state/secrets.json")"
GXJ_ROUTING_STATE_DIR="$routing_state"
export GXJ_ROUTING_GALAXY_URL GXJ_ROUTING_API_KEY GXJ_ROUTING_ADMIN_KEY GXJ_ROUTING_STATE_DIR
stage "pytest -m routing"
"$GXJ_RUNTIME_VENV/bin/python" -m pytest -m routing tests/routing --junitxml="$reports/pytest-routing.xml" || true
summary_args+=(--junit "$reports/pytest-routing.xml")
routed scripts/galaxy/stop.sh
trap - EXIT

# --- the containerized Galaxy (GXJ_CONTAINERS=podman): the CPU image built or reused, run_jupyter_job's tool
# tests and the JupyterLab tool inside it (scripts/container/test_containerized_galaxy.sh; docs/admin.md) ---
containers_failed=0
stage "containerized Galaxy (podman, CPU image) on http://127.0.0.1:${GXJ_TEST_CONTAINER_PORT:-8211}"
GXJ_REPORTS="$reports" scripts/container/test_containerized_galaxy.sh || containers_failed=1
for report in planemo-containers.json pytest-containers.xml; do
  if [ -f "$reports/$report" ]; then
    case "$report" in *.json) summary_args+=(--planemo-json "$reports/$report") ;; *) summary_args+=(--junit "$reports/$report") ;; esac
  else
    containers_failed=2   # the phase failed before its tests ran (image build, Galaxy start-up)
  fi
done
# --- end of the containerized Galaxy ---
stage "done"
[ "$lint_failed" -eq 0 ] || echo "lint failed (see the lint output above)"
rc=0
"$GXJ_PYTHON" scripts/summarize_tests.py "${summary_args[@]}" || rc=$?
[ "$lint_failed" -eq 0 ] || rc=1
[ "$containers_failed" -ne 2 ] || { echo "the containerized-Galaxy phase failed before its tests (see its output above)"; rc=1; }
exit "$rc"
