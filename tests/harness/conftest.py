"""Make the harness's Python scripts (scripts/, scripts/galaxy/) importable by its tests."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
for folder in (REPO / "scripts", REPO / "scripts" / "galaxy"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
