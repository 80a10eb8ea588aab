#!/usr/bin/env bash
# Python lint (ruff, rules in ruff.toml), shell lint (shellcheck), container lint (hadolint), tool lint
# (planemo lint --fail_level warn) on every tool XML, Tool Shed lint (planemo shed_lint) of every repository
# and the suite, and workflow lint. All always run; the exit status is non-zero when any found a problem.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GXJ_REPO"

failed=()
echo "== ruff"
# interactive/notebooks/ are teaching material, not linted as code
"$GXJ_RUNTIME_VENV/bin/ruff" check scripts tools tests interactive/container interactive/client || failed+=(ruff)
echo "== shellcheck"
# every shell script of the harness and the container (found by their bash shebang)
mapfile -t shell_scripts < <(grep -rlE '^#!/usr/bin/env bash|^#!/bin/bash' scripts interactive .ci | sort)
"$GXJ_RUNTIME_VENV/bin/shellcheck" -x "${shell_scripts[@]}" || failed+=(shellcheck)
echo "== hadolint"
"$GXJ_RUNTIME_VENV/bin/hadolint" --config interactive/container/.hadolint.yaml interactive/container/Dockerfile \
  || failed+=(hadolint)
mapfile -t tools < <("$GXJ_PYTHON" scripts/galaxy/repo_tools.py)
tools+=(tests/harness/tools/gxj_noop.xml)  # the harness tool of the test Galaxy
echo "== planemo lint (${#tools[@]} tool(s))"
if [ "${#tools[@]}" -gt 0 ]; then
  "$GXJ_GALAXY_VENV/bin/planemo" lint --fail_level warn "${tools[@]}" || failed+=("planemo lint")
fi
echo "== planemo shed_lint"
# every Tool Shed repository (a .shed.yml under tools/ and interactive/) with its tools. Skipped:
# version_bumped, which asks the public Tool Shed over the network whether the version is new.
"$GXJ_GALAXY_VENV/bin/planemo" shed_lint --tools --ensure_metadata --skip version_bumped --recursive tools \
  || failed+=("planemo shed_lint")
# interactive/ sits at the top: shed_remote_repository_url wants the URL to end in two of the folder's
# path segments, i.e. '<clone folder>/interactive', so it passes only in a clone folder named 'main'
"$GXJ_GALAXY_VENV/bin/planemo" shed_lint --tools --ensure_metadata --skip version_bumped,shed_remote_repository_url \
  interactive || failed+=("planemo shed_lint (interactive)")
# the suite at the root; also skipped there: shed_remote_repository_url, which compares the URL with the
# clone's folder names and so passes only in a clone under .../galaxy-ml-jupyter/galaxy-ml-jupyter
# (planemo then prints "Unknown linter type(s) ['shed_remote_repository_url']", and does skip it)
"$GXJ_GALAXY_VENV/bin/planemo" shed_lint --ensure_metadata --skip version_bumped,shed_remote_repository_url . \
  || failed+=("planemo shed_lint (suite)")
echo "== planemo workflow_lint"
"$GXJ_GALAXY_VENV/bin/planemo" workflow_lint --fail_level warn workflows/*.gxwf.yml || failed+=("planemo workflow_lint")
if [ "${#failed[@]}" -gt 0 ]; then
  echo "lint failed: ${failed[*]}" >&2
  exit 1
fi
