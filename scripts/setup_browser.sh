#!/usr/bin/env bash
# What the interactive tool needs beyond the venvs, installed once and reused (idempotent):
#   - gx-it-proxy (npm @galaxyproject/gx-it-proxy, pinned) in a cache folder outside the clone;
#     its sqlite3 module compiles on install (about a minute);
#   - Debian's chromium + chromium-driver for the browser tests (Playwright drives this binary; browsers
#     downloaded by test tools do not run here). Needs root for apt-get; skipped when already there.
# Usage: scripts/setup_browser.sh [proxy|browser|all]   (default: all)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

STAMP=.gxj-complete

install_proxy() {
  if [ -f "$GXJ_IT_PROXY_DIR/$STAMP" ] && [ -x "$GXJ_IT_PROXY_BIN" ]; then
    echo "gx-it-proxy: $GXJ_IT_PROXY_BIN (cached)"
    return 0
  fi
  if ! command -v npm >/dev/null; then
    echo "error: npm is needed to install gx-it-proxy (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
  local log="$GXJ_IT_PROXY_DIR.log" start
  start=$(date +%s)
  rm -rf "$GXJ_IT_PROXY_DIR"
  mkdir -p "$GXJ_IT_PROXY_DIR"
  echo "gx-it-proxy: installing @galaxyproject/gx-it-proxy@$GXJ_IT_PROXY_VERSION into $GXJ_IT_PROXY_DIR (log: $log) ..."
  # a package.json of its own, so npm never walks up into another project's node_modules
  printf '{"name": "gxj-it-proxy", "private": true}\n' >"$GXJ_IT_PROXY_DIR/package.json"
  if ! (cd "$GXJ_IT_PROXY_DIR" && npm install --no-audit --no-fund --save-exact \
      "@galaxyproject/gx-it-proxy@$GXJ_IT_PROXY_VERSION") >"$log" 2>&1; then
    echo "error: npm could not install gx-it-proxy (log: $log): $(tail -n 1 "$log")" >&2
    exit 1
  fi
  date -u +%FT%TZ >"$GXJ_IT_PROXY_DIR/$STAMP"
  echo "gx-it-proxy: $GXJ_IT_PROXY_BIN (installed in $(( $(date +%s) - start ))s)"
}

install_browser() {
  if [ -x "$GXJ_CHROMIUM" ] && command -v chromedriver >/dev/null; then
    echo "chromium: $GXJ_CHROMIUM (already installed)"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "error: chromium is missing; install Debian's chromium and chromium-driver (as root:" \
      "apt-get install chromium chromium-driver) or point GXJ_CHROMIUM at a Chromium binary" >&2
    exit 1
  fi
  local log="$GXJ_CACHE/apt-chromium.log"
  mkdir -p "$GXJ_CACHE"
  echo "chromium: apt-get install chromium chromium-driver (log: $log) ..."
  # update the package lists only when the packages are unknown (a fresh machine's lists are empty)
  if ! apt-cache show chromium >/dev/null 2>&1; then
    apt-get update >"$log" 2>&1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver \
      >>"$log" 2>&1; then
    echo "error: apt-get could not install chromium (log: $log): $(tail -n 1 "$log")" >&2
    exit 1
  fi
  echo "chromium: $GXJ_CHROMIUM ($("$GXJ_CHROMIUM" --version 2>/dev/null || echo installed))"
}

case "${1:-all}" in
  proxy) install_proxy ;;
  browser) install_browser ;;
  all) install_proxy; install_browser ;;
  *) echo "usage: $0 [proxy|browser|all]" >&2; exit 2 ;;
esac
