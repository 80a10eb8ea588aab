#!/usr/bin/env bash
# The whole test command: envs (+ gx-it-proxy, chromium) -> lint -> a fresh test Galaxy with gx-it-proxy -> pytest -> planemo test
# (tools and workflows/) -> stop Galaxy -> a routed Galaxy (GXJ_ROUTING=tpv: TPV + a Pulsar server) -> pytest -m routing
# -> stop it -> the Tool Shed phase (scripts/toolshed/install_test.sh) -> a containerized Galaxy (GXJ_CONTAINERS=podman)
# with run_jupyter_job and the JupyterLab tool in the CPU image (built in the background from the start) -> a table of
# phase durations, the failed tests with their reasons, and one closing line "N passed, N failed[, N skipped]".
# Lint failures do not stop the tests (the full picture is more useful), but fail the run.
# The test Galaxy uses its own state dir and port, so it can run beside `make serve`.
set -euo pipefail
export GXJ_STATE_DIR="${GXJ_TEST_STATE_DIR:-.galaxy/test}"
export GXJ_PORT="${GXJ_TEST_PORT:-8181}"
unset GXJ_PROXY_PORT
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GXJ_REPO"

# Phases: each prints its start; at the end a table of how long each took (also test-reports/phases.txt).
t0=$(date +%s)
phase_names=()
phase_starts=()
stage() {
  phase_names+=("$1")
  phase_starts+=("$(date +%s)")
  echo "== $1 (at $(( $(date +%s) - t0 ))s)"
}
phase_table() {
  local i end now
  now=$(date +%s)
  echo "phase durations (s):"
  for i in "${!phase_names[@]}"; do
    end="${phase_starts[$((i + 1))]:-$now}"
    printf '%6d  %s\n' "$(( end - phase_starts[i] ))" "${phase_names[i]}"
  done
  printf '%6d  total\n' "$(( now - t0 ))"
}
reports="$GXJ_REPO/test-reports"
rm -rf "$reports"
mkdir -p "$reports"

stage "environments (venvs, gx-it-proxy, chromium)"
scripts/setup_envs.sh
# gx-it-proxy and chromium: the interactive tool's browser test runs through the proxy
scripts/setup_browser.sh
export GXJ_IT_PROXY="$GXJ_IT_PROXY_BIN"
# The containerized phase's CPU image builds (or is reused) in the background from here on: mostly downloads
# and unpacking, it overlaps the CPU-bound phases; the containerized phase waits for it.
scripts/container/build_image.sh cpu >"$reports/image-build.log" 2>&1 &
image_build_pid=$!
mapfile -t tools < <("$GXJ_PYTHON" scripts/galaxy/repo_tools.py)
# the harness tool (a job that does almost nothing): its planemo test time is Galaxy's own overhead per tool test
tools+=(tests/harness/tools/gxj_noop.xml)
export GXJ_HARNESS_TOOLS=1
# workflows with a planemo test file beside them (NAME.gxwf-tests.yml) run in the same planemo test
mapfile -t workflows < <(ls workflows/*.gxwf.yml 2>/dev/null)

# The test Galaxy starts in the background while lint and the tests that need no Galaxy run (its start-up is
# a minute or more of one core); it is waited for before the Galaxy tests.
stage "test Galaxy on $GXJ_URL: starting in the background (log test-reports/galaxy-up.log)"
scripts/galaxy/stop.sh
rm -rf "$GXJ_STATE_DIR"   # a fresh sqlite database every run
trap 'scripts/galaxy/stop.sh' EXIT
scripts/galaxy/up.sh >"$reports/galaxy-up.log" 2>&1 &
galaxy_up_pid=$!

stage "lint"
lint_failed=0
scripts/lint.sh || lint_failed=1

stage "pytest: tests that need no Galaxy (2 workers)"
# one test module per worker, so module-scoped fixtures are made once; the routing and toolshed tests need
# the Galaxies of their own phases below
"$GXJ_RUNTIME_VENV/bin/python" -m pytest -m "not galaxy and not routing and not toolshed" -n 2 --dist loadfile \
  --durations=20 --junitxml="$reports/pytest-unit.xml" || true

stage "test Galaxy: waiting for it"
if ! wait "$galaxy_up_pid"; then
  cat "$reports/galaxy-up.log" >&2
  echo "error: the test Galaxy did not start (log above)" >&2
  exit 1
fi
tail -n 3 "$reports/galaxy-up.log"
GXJ_GALAXY_URL="$GXJ_URL"
GXJ_API_KEY="$(cat "$GXJ_STATE_DIR/user_api_key")"
GXJ_ADMIN_KEY="$("$GXJ_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["bootstrap_admin_api_key"])' \
  "$GXJ_STATE_DIR/secrets.json")"
export GXJ_GALAXY_URL GXJ_API_KEY GXJ_ADMIN_KEY

stage "pytest: tests against the test Galaxy"
"$GXJ_RUNTIME_VENV/bin/python" -m pytest -m "galaxy and not routing and not toolshed" --durations=20 \
  --junitxml="$reports/pytest.xml" || true

summary_args=(--junit "$reports/pytest-unit.xml" --junit "$reports/pytest.xml")
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

# Publish to a local Tool Shed and install from it, as admins do: the suite installed into a fresh Galaxy
# with ephemeris, its tools' own tests and tests/toolshed run there, then an update to a bumped revision.
stage "Tool Shed: publish, install, test after install, update"
shed_failed=0
GXJ_TEST_REPORTS="$reports" scripts/toolshed/install_test.sh || shed_failed=1
summary_args+=(--ephemeris-json "$reports/shed-tests.json" --junit "$reports/pytest-toolshed.xml")

# --- the containerized Galaxy (GXJ_CONTAINERS=podman): the CPU image built or reused, run_jupyter_job's tool
# tests and the JupyterLab tool inside it (scripts/container/test_containerized_galaxy.sh; docs/admin.md) ---
containers_failed=0
stage "containerized Galaxy (podman, CPU image) on http://127.0.0.1:${GXJ_TEST_CONTAINER_PORT:-8211}"
if ! wait "$image_build_pid"; then
  echo "error: the CPU image did not build (log: test-reports/image-build.log):" >&2
  tail -n 20 "$reports/image-build.log" >&2
fi
GXJ_REPORTS="$reports" scripts/container/test_containerized_galaxy.sh || containers_failed=1
for report in planemo-containers.json pytest-containers.xml; do
  if [ -f "$reports/$report" ]; then
    case "$report" in *.json) summary_args+=(--planemo-json "$reports/$report") ;; *) summary_args+=(--junit "$reports/$report") ;; esac
  else
    containers_failed=2   # the phase failed before its tests ran (image build, Galaxy start-up)
  fi
done
# --- end of the containerized Galaxy ---
stage "summary"
phase_table | tee "$reports/phases.txt"
[ "$lint_failed" -eq 0 ] || echo "lint failed (see the lint output above)"
rc=0
"$GXJ_PYTHON" scripts/summarize_tests.py "${summary_args[@]}" || rc=$?
[ "$lint_failed" -eq 0 ] || rc=1
[ "$shed_failed" -eq 0 ] || rc=1
[ "$containers_failed" -ne 2 ] || { echo "the containerized-Galaxy phase failed before its tests (see its output above)"; rc=1; }
exit "$rc"
