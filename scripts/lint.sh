#!/usr/bin/env bash
# Python lint (ruff, rules in ruff.toml) and tool lint (planemo lint --fail_level warn) on every tool
# XML. Both always run; the exit status is non-zero when either found a problem.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GXJ_REPO"

failed=()
echo "== ruff"
"$GXJ_RUNTIME_VENV/bin/ruff" check scripts tools tests || failed+=(ruff)
mapfile -t tools < <("$GXJ_PYTHON" scripts/galaxy/repo_tools.py)
echo "== planemo lint (${#tools[@]} tool(s))"
if [ "${#tools[@]}" -gt 0 ]; then
  "$GXJ_GALAXY_VENV/bin/planemo" lint --fail_level warn "${tools[@]}" || failed+=("planemo lint")
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "lint failed: ${failed[*]}" >&2
  exit 1
fi
