#!/usr/bin/env bash
# Run a command while N CPU-bound processes compete with it for the whole of its run (default 2: on a
# 2-core machine the test suite then gets about half the CPU it gets alone). The proof that no test
# depends on the machine's speed is `scripts/with_cpu_load.sh 2 make test` (docs/testing.md).
# The load processes are stopped however the command ends; the command's exit status is kept.
# Usage: scripts/with_cpu_load.sh [N] COMMAND [ARG...]
set -euo pipefail
workers=2
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  workers="$1"
  shift
fi
if [ "$#" -eq 0 ]; then
  echo "usage: $0 [N] COMMAND [ARG...]" >&2
  exit 2
fi
pids=()
# shellcheck disable=SC2329  # called by the EXIT trap
stop_load() {
  [ "${#pids[@]}" -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
}
trap stop_load EXIT
for _ in $(seq "$workers"); do
  # a busy loop in its own process: pure CPU, no memory or disk, nice 0 like the suite
  python3 -c 'while True: pass' &
  pids+=("$!")
done
echo "with_cpu_load: $workers CPU-bound process(es) running (pids ${pids[*]}) beside: $*" >&2
status=0
"$@" || status=$?
echo "with_cpu_load: command exited $status; stopping the load" >&2
exit "$status"
