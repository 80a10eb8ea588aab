#!/usr/bin/env bash
# The fast inner loop (`make test-fast`): lint, then every test that needs no Galaxy, on both cores
# (pytest-xdist, one test module per worker so module-scoped fixtures are made once). Tests marked
# galaxy, routing or toolshed run in `make test`, or against a running test Galaxy (scripts/test_galaxy.sh).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GXJ_REPO"
# no Galaxy here, even when the caller's shell points at one
unset GXJ_GALAXY_URL GXJ_API_KEY GXJ_ADMIN_KEY

started=$(date +%s)
scripts/setup_envs.sh
lint_failed=0
scripts/lint.sh || lint_failed=1
lint_done=$(date +%s)
status=0
"$GXJ_RUNTIME_VENV/bin/python" -m pytest -m "not galaxy and not routing and not toolshed" \
  -n "${GXJ_FAST_WORKERS:-2}" --dist loadfile -q "$@" || status=$?
echo "lint $(( lint_done - started ))s, tests $(( $(date +%s) - lint_done ))s"
[ "$lint_failed" -eq 0 ] || { echo "lint failed (see above)"; status=1; }
exit "$status"
