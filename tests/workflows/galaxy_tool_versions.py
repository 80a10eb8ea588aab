"""Each repository tool's version as Galaxy reports it: the version attribute with macros.xml tokens expanded."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path


def tool_versions(tools: list[tuple[Path, str]]) -> dict[str, str]:
    versions = {}
    for path, tool_id in tools:
        version = ET.parse(path).getroot().get("version", "")
        macros = path.with_name("macros.xml")
        if macros.exists():
            tokens = {t.get("name"): t.text or "" for t in ET.parse(macros).getroot().iter("token")}
            version = re.sub(r"@[A-Z_]+@", lambda m: tokens.get(m.group(0), m.group(0)), version)
        versions[tool_id] = version
    return versions
