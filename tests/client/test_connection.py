"""Retries with backoff on outages and 5xx, one clear error for a refused key (faults a live Galaxy
cannot be made to show on demand are played by a stand-in function here; the real ones are in
test_remote_jobs.py)."""
from __future__ import annotations

import pytest
import requests
from bioblend import ConnectionError as BioblendConnectionError

from remote_training import connection
from remote_training.connection import Galaxy, GalaxyAuthError


@pytest.fixture
def galaxy(monkeypatch):
    """A Galaxy whose waits are recorded and advance a fake clock instead of sleeping."""
    clock = {"now": 0.0}
    sleeps = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(connection.time, "sleep", sleep)
    monkeypatch.setattr(connection.time, "monotonic", lambda: clock["now"])
    instance = Galaxy(gi=None, url="http://galaxy.test", retry_seconds=60)
    instance.sleeps = sleeps
    return instance


def flaky(*errors):
    """A call that raises ``errors`` one after another, then answers 'done'."""
    pending = list(errors)

    def call():
        if pending:
            raise pending.pop(0)
        return "done"
    return call


def test_outages_and_5xx_are_retried_with_growing_delays(galaxy):
    call = flaky(requests.exceptions.ConnectionError("refused"), BioblendConnectionError("bad gateway", status_code=502),
                 BioblendConnectionError("no answer"), BioblendConnectionError("unavailable", status_code=503))
    assert galaxy.call(call) == "done"
    assert galaxy.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_a_client_error_is_not_retried(galaxy):
    with pytest.raises(BioblendConnectionError):
        galaxy.call(flaky(BioblendConnectionError("no such dataset", status_code=404)))
    assert galaxy.sleeps == []


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_one_clear_error(galaxy, status):
    with pytest.raises(GalaxyAuthError, match=f"^Galaxy at http://galaxy.test refused the API key \\(HTTP {status}\\)"):
        galaxy.call(flaky(BioblendConnectionError("denied", status_code=status)))


def test_retries_stop_at_the_deadline(galaxy):
    galaxy.retry_seconds = 20
    with pytest.raises(requests.exceptions.ConnectionError):
        galaxy.call(flaky(*[requests.exceptions.ConnectionError("down")] * 10))
    assert galaxy.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_connect_needs_a_galaxy(monkeypatch):
    monkeypatch.delenv("GALAXY_URL", raising=False)
    monkeypatch.delenv("API_KEY", raising=False)
    with pytest.raises(GalaxyAuthError, match="^no Galaxy to talk to"):
        connection.connect()
