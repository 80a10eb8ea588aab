"""Shared pytest set-up: access to the running local Galaxy for tests marked `galaxy`.

scripts/run_tests.sh starts a fresh test Galaxy and exports GXJ_GALAXY_URL, GXJ_API_KEY and
GXJ_ADMIN_KEY before it runs pytest; without them (a bare `pytest tests/runner`) the `galaxy` tests
are skipped with the reason, never failed.
"""

from __future__ import annotations

import os

import pytest

GALAXY_ENV = ("GXJ_GALAXY_URL", "GXJ_API_KEY", "GXJ_ADMIN_KEY")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [name for name in GALAXY_ENV if not os.environ.get(name)]
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"needs the local Galaxy: {', '.join(missing)} unset (scripts/run_tests.sh sets them)")
    for item in items:
        if "galaxy" in item.keywords:
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
