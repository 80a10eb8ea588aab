#!/usr/bin/env bash
# The publish-and-install test, as admins take the tools (docs/admin.md "Installing from the Tool Shed");
# a phase of `make test`, runnable alone:
#  1. a fresh local Tool Shed (up.sh: owner, API key, categories) and, started at the same time, a fresh
#     Galaxy configured with it (GXJ_INSTALL_FROM_SHED: interactive tools on, jobs routed by installed ids)
#  2. every repository of .shed.yml published with planemo shed_create, the suite last (publish.sh)
#  3. `shed-tools install` of the suite with its repository dependencies (tools.yml)
#  4. `shed-tools test` of the installed tools: the first $GXJ_SHED_TESTS_PER_TOOL tests of each (default 3,
#     or "all"); the number that passed must be the number the XMLs declare (check_shed_tests.py). The
#     JupyterLab interactive tool is not among them: ephemeris never tests interactive tools
#  5. the upgrade: the version suffix of $GXJ_SHED_UPGRADE_REPOSITORY's tool bumped in a copy (never in the
#     clone), the copy and the suite published again, `shed-tools update`
#  6. pytest tests/toolshed: the repositories and the toolbox, one bioblend run of the installed
#     run_jupyter_job with its ONNX parity, both revisions after the update
# Reports for summarize_tests.py in $GXJ_TEST_REPORTS: shed-tests.json (ephemeris), pytest-toolshed.xml.
# Ends with "Tool Shed: suite installed into a fresh Galaxy; N installed-tool tests passed" and each step's
# time; exit status 1 when any step or test failed.
set -euo pipefail
export GXJ_SHED_STATE_DIR="${GXJ_TEST_SHED_STATE_DIR:-.galaxy/test-toolshed}"
export GXJ_SHED_PORT="${GXJ_TEST_SHED_PORT:-8209}"
export GXJ_STATE_DIR="${GXJ_TEST_INSTALLED_STATE_DIR:-.galaxy/test-installed}"
export GXJ_PORT="${GXJ_TEST_INSTALLED_PORT:-8201}"
unset GXJ_PROXY_PORT GXJ_PULSAR_PORT GXJ_ROUTING
# start-up limits for a busy machine: the Tool Shed and Galaxy start side by side with the uploads
export GXJ_START_TIMEOUT="${GXJ_START_TIMEOUT:-900}" GXJ_SHED_START_TIMEOUT="${GXJ_SHED_START_TIMEOUT:-900}"
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$GXJ_REPO"
here=scripts/toolshed
py="$GXJ_GALAXY_VENV/bin/python"
reports="${GXJ_TEST_REPORTS:-$GXJ_REPO/test-reports}"
tests_per_tool="${GXJ_SHED_TESTS_PER_TOOL:-3}"
upgrade_repository="${GXJ_SHED_UPGRADE_REPOSITORY:-onnx_predict}"
mkdir -p "$reports"

times=()
step() {  # step NAME COMMAND...: run it, note how long it took
  local name="$1" started rc=0
  shift
  echo "== Tool Shed test: $name"
  started=$(date +%s)
  "$@" || rc=$?
  times+=("$name: $(( $(date +%s) - started ))s")
  return "$rc"
}
stop_all() {
  scripts/galaxy/stop.sh
  "$here/stop.sh"
}

stop_all
rm -rf "$GXJ_SHED_STATE_DIR" "$GXJ_STATE_DIR"   # a fresh Tool Shed and Galaxy every run
trap stop_all EXIT
mkdir -p "$GXJ_STATE_DIR"
work="$GXJ_STATE_DIR/shed-test"
mkdir -p "$work"
galaxy_log="$work/galaxy-up.log"
started=$(date +%s)
GXJ_INSTALL_FROM_SHED="$GXJ_SHED_URL" scripts/galaxy/up.sh >"$galaxy_log" 2>&1 &
galaxy_up=$!
step "Tool Shed up" "$here/up.sh"
step "publish" "$here/publish.sh"
echo "== Tool Shed test: waiting for the Galaxy started beside the Tool Shed (log $galaxy_log)"
if ! wait "$galaxy_up"; then
  cat "$galaxy_log" >&2
  exit 1
fi
times+=("Galaxy up (beside the two steps above): $(sed -n 's/.*after \([0-9]*s\)$/\1/p' "$galaxy_log")")
key="$(cat "$GXJ_STATE_DIR/user_api_key")"

expected="$("$py" "$here/ephemeris_files.py" --tool-shed-url "$GXJ_SHED_URL" --tools-file "$work/tools.yml" \
  --test-config "$work/client_test_config.yml" --tests-per-tool "$tests_per_tool" \
  --installed-json "$work/installed.json")"
step "shed-tools install" "$GXJ_GALAXY_VENV/bin/shed-tools" install -g "$GXJ_URL" -a "$key" -t "$work/tools.yml"

failed=0
results="$reports/shed-tests.json"
rm -f "$results"
# no -t here: the tools file's http:// URL would match no installed tool (ephemeris compares it with https://)
step "shed-tools test" "$GXJ_GALAXY_VENV/bin/shed-tools" test -g "$GXJ_URL" -a "$key" --test_json "$results" \
  --client_test_config "$work/client_test_config.yml" || failed=1
verdict="$("$py" "$here/check_shed_tests.py" "$results" "$expected")" || failed=1

"$py" "$here/bump_copy.py" --repository "$upgrade_repository" --tool-shed-url "$GXJ_SHED_URL" \
  --dest "$work/bumped/$upgrade_repository" >"$work/upgrade.txt"
step "publish the bumped copy and the suite" "$here/publish.sh" --update "$work/bumped/$upgrade_repository" "$GXJ_REPO"
step "shed-tools update" "$GXJ_GALAXY_VENV/bin/shed-tools" update -g "$GXJ_URL" -a "$key" -t "$work/tools.yml"

export GXJ_SHED_GALAXY_URL="$GXJ_URL" GXJ_SHED_API_KEY="$key" GXJ_SHED_INSTALLED="$work/installed.json" \
  GXJ_SHED_UPGRADE="$work/upgrade.txt"
step "pytest tests/toolshed" "$GXJ_RUNTIME_VENV/bin/python" -m pytest -m toolshed tests/toolshed \
  --junitxml="$reports/pytest-toolshed.xml" || failed=1

echo "== Tool Shed test: step times (total $(( $(date +%s) - started ))s)"
printf '  %s\n' "${times[@]}"
[ -n "$verdict" ] && echo "$verdict"
exit "$failed"
