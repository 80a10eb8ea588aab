#!/usr/bin/env bash
# `make bench`: build (or reuse) the tool-runtime venv, then run every benchmark with its python.
# Arguments go to run_all.py (--repeats N, --only overhead,staging,h5read,unet, --json PATH, --keep).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$GXJ_REPO"
scripts/setup_envs.sh runtime
exec "$GXJ_RUNTIME_VENV/bin/python" scripts/bench/run_all.py "$@"
