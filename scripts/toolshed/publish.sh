#!/usr/bin/env bash
# Publish Tool Shed repositories to the local Tool Shed with planemo, as a maintainer releases them.
#   publish.sh                 every repository of .shed.yml: `planemo shed_create` (creates the repository and
#                              uploads its first revision), tool repositories first and the suite last (the
#                              suite's upload needs an installable revision of each repository it lists)
#   publish.sh --update DIR... `planemo shed_upload` of those folders: a new revision of existing repositories
# Needs the Tool Shed of scripts/toolshed/up.sh (the owner's key in $GXJ_SHED_STATE_DIR/owner_api_key).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$GXJ_REPO"

key_file="$GXJ_SHED_STATE_DIR/owner_api_key"
if [ ! -s "$key_file" ]; then
  echo "error: no $key_file; bring the Tool Shed up first (scripts/toolshed/up.sh)" >&2
  exit 1
fi
action=shed_create
if [ "${1:-}" = --update ]; then
  action=shed_upload
  shift
  folders=("$@")
else
  mapfile -t folders < <("$GXJ_GALAXY_VENV/bin/python" scripts/toolshed/shed_repos.py upload-order)
fi
for folder in "${folders[@]}"; do
  echo "== planemo $action $folder"
  "$GXJ_GALAXY_VENV/bin/planemo" "$action" --shed_target "$GXJ_SHED_URL" --shed_key "$(cat "$key_file")" "$folder"
done
