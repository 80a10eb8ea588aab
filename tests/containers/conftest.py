"""Fixtures of the containerized-Galaxy tests (scripts/run_tests.sh, phase "containerized Galaxy").

That phase starts a Galaxy with GXJ_CONTAINERS=podman (its own state dir and port) and exports
GXJ_CONTAINER_GALAXY_URL, GXJ_CONTAINER_API_KEY, GXJ_CONTAINER_IMAGE; without them the tests here are
skipped with the reason, never failed. The fixtures galaxy_url / galaxy_api_key / galaxy_instance are
overridden here, so helpers written for the native Galaxy work unchanged against this one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# launch/stop/upload helpers of the native tests (tests/interactive/measure_launch.py)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "interactive"))


@pytest.fixture(scope="session")
def galaxy_url() -> str:
    return os.environ["GXJ_CONTAINER_GALAXY_URL"]


@pytest.fixture(scope="session")
def galaxy_api_key() -> str:
    return os.environ["GXJ_CONTAINER_API_KEY"]


@pytest.fixture(scope="session")
def image() -> str:
    return os.environ["GXJ_CONTAINER_IMAGE"]


@pytest.fixture(scope="session")
def galaxy_instance(galaxy_url: str, galaxy_api_key: str):
    from bioblend.galaxy import GalaxyInstance

    return GalaxyInstance(galaxy_url, key=galaxy_api_key)
