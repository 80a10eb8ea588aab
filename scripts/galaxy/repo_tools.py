#!/usr/bin/env python3
"""Find the repository's Galaxy tool XMLs: files under tools/ and interactive/ whose root is <tool>.

One discovery shared by the config writer (toolbox, job routing) and the test script (planemo lint
and test), so the toolbox and the tests can never disagree about which tools exist.
Usage: repo_tools.py   -> prints one absolute path per line
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable

REPO = Path(__file__).resolve().parents[2]
TOOL_ROOTS = (REPO / "tools", REPO / "interactive")


def tool_root_tag(path: Path) -> tuple[str, str | None]:
    """Return the root element name and its id, reading no further than the root's start tag."""
    for _event, element in ET.iterparse(path, events=("start",)):
        return element.tag, element.get("id")
    return "", None


def find_tools(roots: Iterable[Path] = TOOL_ROOTS) -> list[tuple[Path, str]]:
    """Tool XMLs under the given folders as (absolute path, tool id), macros and test data left out."""
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.xml")):
            if path.name == "macros.xml" or "test-data" in path.parts:
                continue
            try:
                tag, tool_id = tool_root_tag(path)
            except ET.ParseError as err:
                print(f"warning: skipping {path}: not well-formed XML ({err})", file=sys.stderr)
                continue
            if tag == "tool" and tool_id:
                found.append((path.resolve(), tool_id))
    return found


if __name__ == "__main__":
    for tool_path, _tool_id in find_tools():
        print(tool_path)
