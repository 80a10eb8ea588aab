#!/usr/bin/env python3
"""Copy a Tool Shed repository's folder and bump the tool version suffix in the copy, for the upgrade test.

The test publishes the copy as a new revision of the same repository (its .shed.yml is unchanged) and
checks that the installed Galaxy updates to it while the old revision keeps working. The real tool XMLs
are never touched. Links (test-data/) are copied as the files they point to, as planemo packs them.
Prints the tool's installed id (less the version), the old and the new version, one per line.
Usage: bump_copy.py --repository NAME --tool-shed-url URL --dest DIR
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from shed_repos import folder_tools, installed_tool_id, tool_repos

SUFFIX_TOKEN = re.compile(r'(<token name="@VERSION_SUFFIX@">)(\d+)(</token>)')


def bump_suffix(folder: Path) -> None:
    """Add one to @VERSION_SUFFIX@ in the folder's macros.xml."""
    macros = folder / "macros.xml"
    text = macros.read_text() if macros.is_file() else ""
    if not SUFFIX_TOKEN.search(text):
        raise SystemExit(f"error: no @VERSION_SUFFIX@ token in {macros}")
    macros.write_text(SUFFIX_TOKEN.sub(lambda m: f"{m[1]}{int(m[2]) + 1}{m[3]}", text, count=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repository", required=True, help="the repository's name in .shed.yml")
    parser.add_argument("--tool-shed-url", required=True)
    parser.add_argument("--dest", type=Path, required=True, help="folder to create for the copy")
    args = parser.parse_args(argv)
    repos = {repo.name: repo for repo in tool_repos()}
    if args.repository not in repos:
        print(f"error: no repository {args.repository!r}; .shed.yml has {', '.join(repos)}", file=sys.stderr)
        return 2
    source = repos[args.repository]
    shutil.copytree(source.folder, args.dest, symlinks=False)
    bump_suffix(args.dest)
    old = source.tools[0]  # tools of one folder share its macros.xml: all are bumped alike
    new = next(tool for tool in folder_tools(args.dest) if tool.tool_id == old.tool_id)
    print(installed_tool_id(args.tool_shed_url, source.owner, source.name, old.tool_id), old.version, new.version, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
