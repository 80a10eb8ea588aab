"""Fixtures of the tests that drive run_jupyter_job in the local test Galaxy."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def test_data_dir() -> Path:
    return REPO / "test-data"
