# shellcheck shell=bash
# Sourced by the other scripts: the one place that names the two environments and the local Galaxy's
# state. A venv's folder name carries a hash of its requirement lists and the Python version, so a
# changed pin builds a new venv beside the old one instead of patching it in place.
#   GXJ_GALAXY_VENV   galaxy + planemo (requirements/galaxy.txt)
#   GXJ_RUNTIME_VENV  the tool runtime + test tools (requirements/runtime.txt + requirements/test.txt)
#   GXJ_JUPYTER_VENV  the JupyterLab server of the interactive tool (requirements/jupyter-server.txt);
#                     its notebooks' kernel is the runtime venv, joined to it by a kernelspec
#   GXJ_PULSAR_VENV   the Pulsar server standing in for a remote (GPU) node (requirements/pulsar.txt)

GXJ_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GXJ_PYTHON="${GXJ_PYTHON:-python3}"
GXJ_CACHE="${GXJ_CACHE:-$HOME/.cache/galaxy-ml-jupyter}"
GXJ_GALAXY_REQS=("$GXJ_REPO/requirements/galaxy.txt")
GXJ_RUNTIME_REQS=("$GXJ_REPO/requirements/runtime.txt" "$GXJ_REPO/requirements/test.txt")

# Print the first 12 hex digits of sha256(requirement files + python version).
gxj_env_hash() {
  local pyver
  pyver="$("$GXJ_PYTHON" -c 'import sys; print(sys.version.split()[0])')"
  { cat "$@"; printf 'python %s\n' "$pyver"; } | sha256sum | cut -c1-12
}

# Set GXJ_GALAXY_VENV / GXJ_RUNTIME_VENV yourself to use existing venvs (setup_envs.sh then builds
# nothing into them unless they lack the stamp file).
GXJ_GALAXY_VENV="${GXJ_GALAXY_VENV:-$GXJ_CACHE/venvs/galaxy-$(gxj_env_hash "${GXJ_GALAXY_REQS[@]}")}"
GXJ_RUNTIME_VENV="${GXJ_RUNTIME_VENV:-$GXJ_CACHE/venvs/runtime-$(gxj_env_hash "${GXJ_RUNTIME_REQS[@]}")}"
GXJ_JUPYTER_REQS=("$GXJ_REPO/requirements/jupyter-server.txt")
GXJ_JUPYTER_VENV="${GXJ_JUPYTER_VENV:-$GXJ_CACHE/venvs/jupyter-server-$(gxj_env_hash "${GXJ_JUPYTER_REQS[@]}")}"
GXJ_PULSAR_REQS=("$GXJ_REPO/requirements/pulsar.txt")
GXJ_PULSAR_VENV="${GXJ_PULSAR_VENV:-$GXJ_CACHE/venvs/pulsar-$(gxj_env_hash "${GXJ_PULSAR_REQS[@]}")}"

# Interactive tools: gx-it-proxy (npm) in a cache folder outside the clone, and the browser the tests
# drive (Debian's chromium); scripts/setup_browser.sh installs both.
GXJ_IT_PROXY_VERSION=0.2.3
GXJ_IT_PROXY_DIR="${GXJ_IT_PROXY_DIR:-$GXJ_CACHE/gx-it-proxy-$GXJ_IT_PROXY_VERSION}"
GXJ_IT_PROXY_BIN="$GXJ_IT_PROXY_DIR/node_modules/.bin/gx-it-proxy"
GXJ_CHROMIUM="${GXJ_CHROMIUM:-/usr/bin/chromium}"

# The local Galaxy: `make serve` uses the defaults, the test run its own folder and port.
GXJ_STATE_DIR="${GXJ_STATE_DIR:-.galaxy/serve}"
case "$GXJ_STATE_DIR" in /*) ;; *) GXJ_STATE_DIR="$GXJ_REPO/$GXJ_STATE_DIR" ;; esac
GXJ_PORT="${GXJ_PORT:-8080}"
GXJ_PROXY_PORT="${GXJ_PROXY_PORT:-$((GXJ_PORT + 1))}"
# the Pulsar server of the routed mode (GXJ_ROUTING=tpv), standing in for a remote GPU node
GXJ_PULSAR_PORT="${GXJ_PULSAR_PORT:-$((GXJ_PORT + 2))}"
GXJ_URL="http://127.0.0.1:$GXJ_PORT"
# The local Tool Shed (scripts/toolshed/): the repositories are published there and installed from it
# into a Galaxy configured with it (scripts/toolshed/install_test.sh).
GXJ_SHED_STATE_DIR="${GXJ_SHED_STATE_DIR:-.galaxy/toolshed}"
case "$GXJ_SHED_STATE_DIR" in /*) ;; *) GXJ_SHED_STATE_DIR="$GXJ_REPO/$GXJ_SHED_STATE_DIR" ;; esac
GXJ_SHED_PORT="${GXJ_SHED_PORT:-9009}"
GXJ_SHED_URL="http://127.0.0.1:$GXJ_SHED_PORT"
# the account that owns the repositories there (its name is the owner in .shed.yml); an admin of the Tool Shed
GXJ_SHED_OWNER_EMAIL="${GXJ_SHED_OWNER_EMAIL:-owner@example.org}"
export GXJ_SHED_STATE_DIR GXJ_SHED_PORT GXJ_SHED_URL GXJ_SHED_OWNER_EMAIL
# The user made on a fresh Galaxy (also an admin of it); local only, so a fixed password is fine.
GXJ_USER_EMAIL="${GXJ_USER_EMAIL:-admin@example.org}"
GXJ_USER_PASSWORD="${GXJ_USER_PASSWORD:-galaxy-ml-jupyter}"
export GXJ_USER_EMAIL GXJ_USER_PASSWORD
export GXJ_JUPYTER_VENV GXJ_PULSAR_VENV GXJ_PULSAR_PORT GXJ_IT_PROXY_DIR GXJ_IT_PROXY_BIN GXJ_CHROMIUM
export GXJ_REPO GXJ_PYTHON GXJ_CACHE GXJ_GALAXY_VENV GXJ_RUNTIME_VENV GXJ_STATE_DIR GXJ_PORT GXJ_PROXY_PORT GXJ_URL
