#!/usr/bin/env bash
# What building and running the container image needs on this machine, installed once (idempotent):
#   - Debian's podman, buildah, mmdebstrap and runc (no Docker engine, no container registry here);
#   - a containers.conf drop-in with the settings podman needs on this kind of machine (FACTS §7), so that a
#     plain `podman run` (Galaxy's docker_cmd) works: runc (crun fails: "cgroups in hybrid mode not
#     supported"), ulimits within the hard limits (the defaults fail in setrlimit), the host network.
# Needs root for apt-get and /etc/containers; skipped when everything is there already.
set -euo pipefail
# shellcheck source=scripts/container/image.sh
source "$(dirname "${BASH_SOURCE[0]}")/image.sh"

CONF_DIR=/etc/containers/containers.conf.d
CONF="$CONF_DIR/50-galaxy-ml-jupyter.conf"
conf_text='# written by galaxy-ml-jupyter scripts/container/setup_podman.sh (FACTS §7)
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "host"

[engine]
runtime = "runc"
'

missing=()
for cmd in podman buildah mmdebstrap runc; do
  command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if [ "${#missing[@]}" -gt 0 ] || [ "$(cat "$CONF" 2>/dev/null)" != "$(printf '%s' "$conf_text")" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing ${missing[*]:-$CONF}; as root: apt-get install podman buildah mmdebstrap runc uidmap" \
      "fuse-overlayfs, and write $CONF (see this script)" >&2
    exit 1
  fi
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log="$GXJ_CACHE/apt-podman.log"
  mkdir -p "$GXJ_CACHE"
  echo "podman: apt-get install podman buildah mmdebstrap runc (log: $log) ..."
  if ! apt-cache show podman >/dev/null 2>&1; then
    apt-get update >"$log" 2>&1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends podman buildah mmdebstrap \
      runc uidmap fuse-overlayfs slirp4netns >>"$log" 2>&1; then
    echo "error: apt-get could not install podman (log: $log): $(tail -n 1 "$log")" >&2
    exit 1
  fi
fi
if [ "$(cat "$CONF" 2>/dev/null)" != "$(printf '%s' "$conf_text")" ]; then
  mkdir -p "$CONF_DIR"
  printf '%s' "$conf_text" >"$CONF"
  echo "podman: wrote $CONF"
fi
echo "podman: $(podman --version) (runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'))"
