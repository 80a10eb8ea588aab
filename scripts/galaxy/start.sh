#!/usr/bin/env bash
# Start the local Galaxy of $GXJ_STATE_DIR (config from write_config.py) in the background on
# 127.0.0.1:$GXJ_PORT and wait until /api/version answers. With GXJ_IT_PROXY=<path to gx-it-proxy>
# it also starts the interactive-tool proxy on $GXJ_PROXY_PORT.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
# shellcheck source=scripts/service.sh
source "$GXJ_REPO/scripts/service.sh"

timeout_s="${GXJ_START_TIMEOUT:-900}"  # a bound for a broken start only: a busy machine can take minutes
config="$GXJ_STATE_DIR/galaxy.yml"
pid_file="$GXJ_STATE_DIR/galaxy.pid"
log="$GXJ_STATE_DIR/galaxy.log"

if [ ! -f "$config" ]; then
  echo "error: no $config; write it first (make serve does: scripts/galaxy/write_config.py)" >&2
  exit 1
fi
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "Galaxy already running on $GXJ_URL (pid $(cat "$pid_file")); restart it to load a new config"
  exit 0
fi
if gxj_port_in_use "$GXJ_PORT"; then
  echo "error: port $GXJ_PORT is already in use; stop what runs there or choose another with GXJ_PORT=..." >&2
  exit 1
fi

# Jobs find Galaxy's own Python (upload, set-metadata) through VIRTUAL_ENV; without it uploads
# fail with "No module named 'bdbag'".
export VIRTUAL_ENV="$GXJ_GALAXY_VENV"
export PATH="$GXJ_GALAXY_VENV/bin:$PATH"
cd "$GXJ_STATE_DIR"
# Containerized mode: the container runs as the image's unprivileged user while Galaxy runs as root here,
# so the job folders Galaxy makes must be writable by that user (a site's Galaxy runs as its own user, and
# the container as that user: docs/admin.md)
[ -z "${GXJ_CONTAINERS:-}" ] || umask 0000
nohup "$GXJ_GALAXY_VENV/bin/galaxy-web" -c "$config" -b "127.0.0.1:$GXJ_PORT" >"$log" 2>&1 &
echo $! >"$pid_file"
echo "Galaxy starting (pid $(cat "$pid_file"), log $log)"
# Galaxy's Celery worker, as gravity runs it in production: job metadata and uploads run in its pool
# processes, which import Galaxy once (write_config.py, docs/testing.md). It starts beside the server;
# tasks wait in the sqlite broker until it is up. Its own process group (setsid), stopped as a whole.
if grep -q '^  enable_celery_tasks: true' "$config"; then
  GALAXY_CONFIG_FILE="$config" setsid nohup "$GXJ_GALAXY_VENV/bin/celery" --app galaxy.celery worker \
    --concurrency 2 --pool threads --loglevel WARNING --queues celery,galaxy.internal,galaxy.external \
    >"$GXJ_STATE_DIR/celery.log" 2>&1 &
  echo $! >"$GXJ_STATE_DIR/celery.pid"
fi
gxj_wait_for_url Galaxy "$GXJ_URL/api/version" "$pid_file" "$log" "$timeout_s"

# The interactive tools' sessions database: gx-it-proxy crashes when the file does not exist yet, and
# Galaxy 26.1 creates the table only when it saves an entry point, so a job that ends before any entry
# point was saved (a headless interactive-tool run) fails on "no such table: gxitproxy". Create both,
# with gx-it-proxy's schema (what its gx-it-proxy-create-db writes), proxy or not.
sessions="$GXJ_STATE_DIR/data/interactivetools_map.sqlite"
"$GXJ_GALAXY_VENV/bin/python" -c 'import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.execute("CREATE TABLE IF NOT EXISTS gxitproxy (key text, key_type text, token text, host text,"
               " port integer, info text, PRIMARY KEY (key, key_type))")' "$sessions"
if [ -n "${GXJ_IT_PROXY:-}" ]; then
  # in a process group of its own (setsid), which stop.sh stops as a whole: `node` on PATH may be a
  # wrapper that runs the real server as its child
  setsid nohup "$GXJ_IT_PROXY" --ip 127.0.0.1 --port "$GXJ_PROXY_PORT" --sessions "$sessions" \
    --proxyPathPrefix /interactivetool/ep >"$GXJ_STATE_DIR/gx-it-proxy.log" 2>&1 &
  echo $! >"$GXJ_STATE_DIR/gx-it-proxy.pid"
  echo "gx-it-proxy on 127.0.0.1:$GXJ_PROXY_PORT (pid $(cat "$GXJ_STATE_DIR/gx-it-proxy.pid"))"
fi
