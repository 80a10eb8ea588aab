#!/usr/bin/env bash
# Build (or reuse) the interactive tool's image on this machine with podman, from a Debian base made by
# mmdebstrap: no registry but Debian and PyPI (FACTS §7). Prints the image reference last.
#   scripts/container/build_image.sh [cpu|gpu]     (default cpu)
# The image is tagged with a hash of its inputs (scripts/container/image.sh): while the recipe, the pinned
# lists, the start-up files, the client library and the notebooks are unchanged, the image built before is
# reused. The base tarball and the build log are kept outside the clone, in $GXJ_CONTAINER_CACHE.
# --format docker: the OCI format drops the SHELL instruction (the RUN steps need bash).
# Downloads are shared with the host: its pip cache is bound into the pip steps (so what the venv builds
# fetched is not fetched again), and for the CPU variant the folder with this machine's torch CPU wheel
# (pip's find-links, $GXJ_TORCH_WHEELS; a URL such as https://download.pytorch.org/whl/cpu/torch/ also works).
set -euo pipefail
# shellcheck source=scripts/container/image.sh
source "$(dirname "${BASH_SOURCE[0]}")/image.sh"

variant="${1:-cpu}"
case "$variant" in
  cpu | gpu) ;;
  *) echo "usage: $0 [cpu|gpu]" >&2; exit 2 ;;
esac
"$GXJ_REPO/scripts/container/setup_podman.sh" >&2

ref="$(gxj_image_ref "$variant")"
mkdir -p "$GXJ_CONTAINER_CACHE"
if podman image exists "$ref"; then
  echo "image: $ref (cached)" >&2
  echo "$ref"
  exit 0
fi

# What the pip steps get from the host (checked before anything is built)
build_args=(--build-arg "VARIANT=$variant")
volumes=()
pip_cache="${PIP_CACHE_DIR:-$("$GXJ_PYTHON" -m pip cache dir 2>/dev/null || echo "$HOME/.cache/pip")}"
mkdir -p "$pip_cache"
volumes+=(-v "$pip_cache:/var/cache/gxj-pip:rw")
build_args+=(--build-arg PIP_CACHE=/var/cache/gxj-pip)
ca_bundle="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
if [ -f "$ca_bundle" ]; then
  volumes+=(-v "$ca_bundle:/etc/gxj-build/ca.crt:ro")
  build_args+=(--build-arg PIP_CA_BUNDLE=/etc/gxj-build/ca.crt)
fi
if [ "$variant" = cpu ]; then
  torch_pin="$(sed -nE 's/^torch==([^ ;#]+).*/\1/p' "$GXJ_REPO/requirements/runtime.txt")"
  wheels="${GXJ_TORCH_WHEELS:-${PIP_FIND_LINKS:-$(pip config get global.find-links 2>/dev/null || true)}}"
  case "$wheels" in
    http://* | https://*) build_args+=(--build-arg "TORCH_FIND_LINKS=$wheels") ;;
    *)
      if ! compgen -G "$wheels/torch-$torch_pin+cpu-*.whl" >/dev/null; then
        echo "error: no CPU wheel of torch $torch_pin in '${wheels}'; set GXJ_TORCH_WHEELS to a folder holding" \
          "torch-$torch_pin+cpu-*.whl or to https://download.pytorch.org/whl/cpu/torch/" >&2
        exit 1
      fi
      volumes+=(-v "$wheels:/var/cache/gxj-wheels:ro")
      build_args+=(--build-arg TORCH_FIND_LINKS=/var/cache/gxj-wheels)
      ;;
  esac
fi

# One builder at a time per machine: a second caller waits, then finds the image.
exec {lock_fd}>"$GXJ_CONTAINER_CACHE/build.lock"
flock "$lock_fd"
if podman image exists "$ref"; then
  echo "image: $ref (cached)" >&2
  echo "$ref"
  exit 0
fi

# The base: Debian packages only. Its tarball is kept, so a wiped image store only re-imports it.
base_hash="$(printf '%s %s\n' "$GXJ_BASE_SUITE" "$GXJ_BASE_PACKAGES" | sha256sum | cut -c1-12)"
base_ref="localhost/gxj-debian-base:$GXJ_BASE_SUITE-$base_hash"
base_tar="$GXJ_CONTAINER_CACHE/base-$GXJ_BASE_SUITE-$base_hash.tar"
if ! podman image exists "$base_ref"; then
  if [ ! -f "$base_tar" ]; then
    start=$(date +%s)
    echo "base: mmdebstrap $GXJ_BASE_SUITE with $GXJ_BASE_PACKAGES ..." >&2
    if ! mmdebstrap --format=tar --variant=minbase --include="$GXJ_BASE_PACKAGES" "$GXJ_BASE_SUITE" "$base_tar.part" \
        >"$base_tar.log" 2>&1; then
      echo "error: mmdebstrap failed (log: $base_tar.log): $(tail -n 1 "$base_tar.log")" >&2
      exit 1
    fi
    mv "$base_tar.part" "$base_tar"
    echo "base: $base_tar in $(( $(date +%s) - start ))s, $(du -h "$base_tar" | cut -f1)" >&2
  fi
  podman import --quiet "$base_tar" "$base_ref" >/dev/null
fi

# The build context: exactly the input files (the list the tag's hash covers)
context="$GXJ_CONTAINER_CACHE/context-$variant"
rm -rf "$context"
mkdir -p "$context"
(cd "$GXJ_REPO" && gxj_image_inputs | while read -r f; do
  mkdir -p "$context/$(dirname "$f")" && cp -p "$f" "$context/$f"
done)

build_args+=(--build-arg "BASE_IMAGE=$base_ref")
log="$GXJ_CONTAINER_CACHE/build-$variant.log"
start=$(date +%s)
echo "image: building $ref (log: $log) ..." >&2
if ! podman build "${GXJ_PODMAN_FLAGS[@]}" --format docker --layers "${build_args[@]}" "${volumes[@]}" \
    -f "$context/interactive/container/Dockerfile" -t "$ref" "$context" >"$log" 2>&1; then
  echo "error: podman build failed (log: $log): $(tail -n 1 "$log")" >&2
  exit 1
fi
seconds=$(( $(date +%s) - start ))
size="$(podman image inspect --format '{{.Size}}' "$ref")"
printf '%s %s built in %ss, %s bytes\n' "$(date -u +%FT%TZ)" "$ref" "$seconds" "$size" >>"$GXJ_CONTAINER_CACHE/builds.txt"
echo "image: $ref built in ${seconds}s, $(( size / 1000000 )) MB" >&2
echo "$ref"
