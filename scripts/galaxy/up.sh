#!/usr/bin/env bash
# Bring up the local Galaxy of $GXJ_STATE_DIR on $GXJ_PORT: write its config, start it, and make
# the user's API key (saved as $GXJ_STATE_DIR/user_api_key for the scripts that follow).
# GXJ_METADATA=job: Galaxy's default metadata handling (a set-metadata step in every job) instead of its Celery
# worker; the baseline of scripts/bench/galaxy_overhead.py (docs/testing.md).
# GXJ_ROUTING=tpv: routed mode. A Pulsar server on 127.0.0.1:$GXJ_PULSAR_PORT stands in for a remote GPU
# node, and TPV routes the ML tools by their <resource> requests (docs/admin.md "GPU routing with TPV").
# GXJ_CONTAINERS=podman: containerized mode. The container tools run in the CPU image built (or reused) by
# scripts/container/build_image.sh, through Galaxy's own container support with podman as docker_cmd
# (scripts/galaxy/container_config.py; docs/admin.md "Containers").
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
here="$GXJ_REPO/scripts/galaxy"

config_args=()
if [ "${GXJ_ROUTING:-}" = tpv ]; then
  "$GXJ_REPO/scripts/pulsar/start.sh"
  config_args=(--pulsar-url "http://127.0.0.1:$GXJ_PULSAR_PORT/" --pulsar-token-file "$GXJ_STATE_DIR/pulsar/private_token")
fi
# GXJ_HARNESS_TOOLS=1 (the test Galaxy): also load tests/harness/tools (gxj_noop, which measures Galaxy's own overhead)
if [ "${GXJ_HARNESS_TOOLS:-}" = 1 ]; then
  config_args+=(--extra-tool-root "$GXJ_REPO/tests/harness/tools")
fi
# GXJ_INSTALL_FROM_SHED=<Tool Shed URL>: a Galaxy that installs the tools from that Tool Shed (the
# publish-and-install test, scripts/toolshed/install_test.sh); jobs are routed by the installed ids
shed_args=()
if [ -n "${GXJ_INSTALL_FROM_SHED:-}" ]; then
  shed_args=(--tool-shed-url "$GXJ_INSTALL_FROM_SHED")
  mapfile -t installed_ids < <("$GXJ_GALAXY_VENV/bin/python" "$GXJ_REPO/scripts/toolshed/shed_repos.py" \
    installed-ids "$GXJ_INSTALL_FROM_SHED")
  for installed_id in "${installed_ids[@]}"; do
    shed_args+=(--installed-tool-id "$installed_id")
  done
fi
case "${GXJ_CONTAINERS:-}" in
  "") ;;
  podman) config_args+=(--container-image "$("$GXJ_REPO/scripts/container/build_image.sh" cpu)" --docker-cmd podman) ;;
  *) echo "error: GXJ_CONTAINERS=$GXJ_CONTAINERS: only 'podman' (or unset, for the native mode) is supported" >&2; exit 2 ;;
esac
"$GXJ_GALAXY_VENV/bin/python" "$here/write_config.py" --state-dir "$GXJ_STATE_DIR" --port "$GXJ_PORT" \
  --proxy-port "$GXJ_PROXY_PORT" --galaxy-venv "$GXJ_GALAXY_VENV" --runtime-venv "$GXJ_RUNTIME_VENV" \
  --jupyter-venv "$GXJ_JUPYTER_VENV" --admin-email "$GXJ_USER_EMAIL" --metadata "${GXJ_METADATA:-celery}" \
  "${config_args[@]}" "${shed_args[@]}"
"$here/start.sh"
"$GXJ_RUNTIME_VENV/bin/python" "$here/create_user_key.py" --url "$GXJ_URL" --state-dir "$GXJ_STATE_DIR" \
  --email "$GXJ_USER_EMAIL" --password "$GXJ_USER_PASSWORD" >"$GXJ_STATE_DIR/user_api_key"
