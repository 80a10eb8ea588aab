#!/usr/bin/env bash
# Build (or reuse) the cached venvs named by scripts/env.sh (Galaxy, tool runtime, Pulsar, JupyterLab server)
# and print where they are.
# A venv counts as complete only once its stamp file exists; the stamp is written last, so an
# interrupted build is thrown away and rebuilt on the next run.
# Usage: scripts/setup_envs.sh [galaxy|runtime|pulsar|jupyter|all]   (default: all)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

STAMP=.gxj-complete

# build_venv NAME DIR REQ_FILE...
build_venv() {
  local name="$1" dir="$2"
  shift 2
  mkdir -p "$(dirname "$dir")"
  # one builder per venv: a second caller (another checkout, a parallel test run) waits for the first
  # instead of deleting its half-built venv
  local lock_fd
  exec {lock_fd}>"$dir.lock"
  flock "$lock_fd"
  if [ -f "$dir/$STAMP" ]; then
    flock -u "$lock_fd"
    echo "$name venv: $dir (cached)"
    return 0
  fi
  rm -rf "$dir"
  local log="$dir.log" start req_args=()
  for req in "$@"; do req_args+=(-r "$req"); done
  start=$(date +%s)
  echo "$name venv: building $dir (log: $log) ..."
  "$GXJ_PYTHON" -m venv "$dir"
  # One pip command per venv: adding packages later can break pins resolved together (FACTS §1).
  if ! "$dir/bin/pip" install --no-input "${req_args[@]}" >"$log" 2>&1; then
    if grep -qiE 'connection|resolve|network|timed out|no matching distribution' "$log"; then
      echo "error: pip could not download the $name requirements; is PyPI reachable from here? (log: $log)" >&2
    else
      echo "error: pip failed to install the $name requirements (log: $log): $(tail -n 1 "$log")" >&2
    fi
    exit 1
  fi
  date -u +%FT%TZ >"$dir/$STAMP"
  flock -u "$lock_fd"
  echo "$name venv: $dir (built in $(( $(date +%s) - start ))s)"
}

which_env="${1:-all}"
case "$which_env" in
  galaxy | all) build_venv galaxy "$GXJ_GALAXY_VENV" "${GXJ_GALAXY_REQS[@]}" ;;&
  runtime | all) build_venv runtime "$GXJ_RUNTIME_VENV" "${GXJ_RUNTIME_REQS[@]}" ;;&
  pulsar | all) build_venv pulsar "$GXJ_PULSAR_VENV" "${GXJ_PULSAR_REQS[@]}" ;;&
  jupyter | all) build_venv jupyter-server "$GXJ_JUPYTER_VENV" "${GXJ_JUPYTER_REQS[@]}" ;;
  galaxy | runtime | pulsar) ;;
  *) echo "usage: $0 [galaxy|runtime|pulsar|jupyter|all]" >&2; exit 2 ;;
esac
