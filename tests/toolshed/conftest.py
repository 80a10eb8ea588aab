"""Fixtures of the tests against the Galaxy that installed the suite from the local Tool Shed.

scripts/toolshed/install_test.sh publishes the repositories, installs the suite into a fresh Galaxy,
updates it to a bumped revision, then runs these tests with GXJ_SHED_GALAXY_URL, GXJ_SHED_API_KEY,
GXJ_SHED_INSTALLED (installed.json of ephemeris_files.py) and GXJ_SHED_UPGRADE (the bumped tool's id,
old and new version, one a line) set; without them the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shed_galaxy():
    """A bioblend GalaxyInstance of the installing Galaxy, as its admin user."""
    from bioblend.galaxy import GalaxyInstance

    return GalaxyInstance(os.environ["GXJ_SHED_GALAXY_URL"], key=os.environ["GXJ_SHED_API_KEY"])


@pytest.fixture(scope="session")
def installed() -> dict:
    """What the suite must have installed: names, and each tool's installed id, version and test count."""
    return json.loads(Path(os.environ["GXJ_SHED_INSTALLED"]).read_text())


@pytest.fixture(scope="session")
def upgrade() -> dict:
    """The tool whose version suffix the test bumped: installed id (less the version), old and new version."""
    tool_id, old, new = Path(os.environ["GXJ_SHED_UPGRADE"]).read_text().split()
    return {"id": tool_id, "old": old, "new": new}

