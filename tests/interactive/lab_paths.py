"""Paths and names the JupyterLab tool's tests share (a module of its own: every test folder has a
conftest.py, so `from conftest import` would pick whichever was imported first)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INTERACTIVE = REPO / "interactive"
CONTAINER = INTERACTIVE / "container"
TOOL_XML = INTERACTIVE / "interactivetool_ml_jupyter_notebook.xml"
TOOL_ID = "interactive_tool_ml_jupyter_notebook"
START_SCRIPT = CONTAINER / "start-jupyterlab"
REPORTS = REPO / "test-reports"

# the session module and the config writer are imported by the tests
for folder in (CONTAINER, REPO / "scripts" / "galaxy"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
