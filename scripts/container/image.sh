# shellcheck shell=bash
# Sourced by scripts/container/*.sh and scripts/galaxy/*: the one place that names the container image of
# the interactive tool as this machine builds it, and what it is built from.
#   gxj_image_inputs         the files the image is made of (recipe, pinned lists, start-up, client, notebooks)
#   gxj_image_ref VARIANT    localhost/gpu-jupyterlab:<tool version>-<variant>-<hash of the inputs>
# The tag carries a hash of the inputs, so a changed input names a new image and an unchanged one
# reuses the image already built.
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"

GXJ_IMAGE_NAME="${GXJ_IMAGE_NAME:-localhost/gpu-jupyterlab}"
GXJ_CONTAINER_CACHE="${GXJ_CONTAINER_CACHE:-$GXJ_CACHE/container}"
# the Debian base (mmdebstrap): what the Dockerfile's apt step would install, so that step has nothing to do
GXJ_BASE_SUITE=bookworm
GXJ_BASE_PACKAGES="python3,python3-venv,ca-certificates,git,net-tools,tini"
# what podman needs on this kind of machine (FACTS §7): runc (crun fails on hybrid cgroups), ulimits within
# the hard limits, the host network; scripts/container/setup_podman.sh also writes them to containers.conf
# shellcheck disable=SC2034  # used by the scripts that source this file
GXJ_PODMAN_FLAGS=(--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --network host)

# Print the input files, relative to the repository root, one a line, sorted.
gxj_image_inputs() {
  (
    cd "$GXJ_REPO" || exit 1
    local paths=(requirements/runtime.txt requirements/jupyter-server.txt interactive/container
      interactive/client interactive/notebooks)
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
      # tracked and untracked-but-not-ignored files: what a commit of this tree would hold
      git ls-files --cached --others --exclude-standard -- "${paths[@]}"
    else
      find "${paths[@]}" -type f ! -path '*/__pycache__/*' ! -path '*/.ipynb_checkpoints/*'
    fi | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done
  )
}

# Print the first 12 hex digits of sha256(variant + base packages + names and contents of the inputs).
gxj_image_hash() {
  local variant="$1"
  (
    cd "$GXJ_REPO" || exit 1
    printf 'variant %s\nbase %s %s\n' "$variant" "$GXJ_BASE_SUITE" "$GXJ_BASE_PACKAGES"
    gxj_image_inputs | while read -r f; do printf '%s\n' "$f"; sha256sum <"$f"; done
  ) | sha256sum | cut -c1-12
}

# The tool version (interactive/macros.xml: @TOOL_VERSION@-galaxy@VERSION_SUFFIX@), the published image's tag.
gxj_tool_version() {
  sed -nE 's|.*<token name="@TOOL_VERSION@">([^<]+)</token>.*|\1|p; s|.*<token name="@VERSION_SUFFIX@">([^<]+)</token>.*|galaxy\1|p' \
    "$GXJ_REPO/interactive/macros.xml" | paste -sd- -
}

gxj_image_ref() {
  local variant="${1:-cpu}"
  printf '%s:%s-%s-%s\n' "$GXJ_IMAGE_NAME" "$(gxj_tool_version)" "$variant" "$(gxj_image_hash "$variant")"
}
