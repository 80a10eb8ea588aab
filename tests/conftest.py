"""Shared pytest set-up: access to the running local Galaxy for tests marked `galaxy`, and the skip of tests
whose Galaxy (local, routed, installed from the Tool Shed, containerized) is not running.

scripts/run_tests.sh starts a fresh test Galaxy and exports GXJ_GALAXY_URL, GXJ_API_KEY and
GXJ_ADMIN_KEY before it runs pytest; without them (a bare `pytest tests/runner`) the `galaxy` tests
are skipped with the reason, never failed.
"""

from __future__ import annotations

import os

import pytest

from needed_galaxies import NEEDS_A_GALAXY


def pytest_configure(config: pytest.Config) -> None:
    for marker, (names, galaxy, starter) in NEEDS_A_GALAXY.items():
        config.addinivalue_line("markers", f"{marker}: needs {galaxy} ({', '.join(names)}, set by {starter}); "
                                           "skipped without it")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for marker, (names, galaxy, starter) in NEEDS_A_GALAXY.items():
        missing = [name for name in names if not os.environ.get(name)]
        if not missing:
            continue
        skip = pytest.mark.skip(reason=f"needs {galaxy}: {', '.join(missing)} unset ({starter} sets them)")
        for item in items:
            if item.get_closest_marker(marker):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def galaxy_url() -> str:
    return os.environ["GXJ_GALAXY_URL"]


@pytest.fixture(scope="session")
def galaxy_api_key() -> str:
    return os.environ["GXJ_API_KEY"]


@pytest.fixture(scope="session")
def galaxy_admin_key() -> str:
    return os.environ["GXJ_ADMIN_KEY"]


@pytest.fixture(scope="session")
def galaxy_instance(galaxy_url: str, galaxy_api_key: str):
    """A bioblend GalaxyInstance logged in as the test user."""
    from bioblend.galaxy import GalaxyInstance

    return GalaxyInstance(galaxy_url, key=galaxy_api_key)
