"""The client library lives in interactive/client (installed into the JupyterLab kernel); import it from there."""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "interactive" / "client"))


@pytest.fixture(scope="session")
def test_data_dir() -> Path:
    return REPO / "test-data"


@pytest.fixture(scope="session")
def galaxy(galaxy_url, galaxy_api_key):
    from remote_training import connect

    return connect(galaxy_url, galaxy_api_key, retry_seconds=900)  # a bound for a broken Galaxy only: a restart on a busy machine takes minutes
