"""One connection to Galaxy that survives restarts: retries with backoff, one clear error for a bad key.

A notebook that waits hours for a training job must not die because Galaxy restarted or a proxy
answered 502 once; a wrong API key, on the other hand, must fail at once and say so.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from bioblend import ConnectionError as BioblendConnectionError
from bioblend.galaxy import GalaxyInstance

T = TypeVar("T")
RETRY_SECONDS = float(os.environ.get("REMOTE_TRAINING_RETRY_SECONDS", "600"))
FIRST_DELAY, MAX_DELAY = 1.0, 30.0


class GalaxyAuthError(RuntimeError):
    """Galaxy refused the API key."""


def _transient(error: Exception) -> bool:
    """Connection refused / reset / timed out, or a 5xx answer: worth trying again."""
    if isinstance(error, requests.exceptions.RequestException):
        return True
    if isinstance(error, BioblendConnectionError):
        status = getattr(error, "status_code", None)
        return status is None or status >= 500
    return False


def _auth_failure(error: Exception) -> bool:
    return isinstance(error, BioblendConnectionError) and getattr(error, "status_code", None) in (401, 403)


@dataclass
class Galaxy:
    """A bioblend GalaxyInstance plus the retry policy every call goes through."""

    gi: GalaxyInstance
    url: str
    retry_seconds: float = RETRY_SECONDS

    def call(self, function: Callable[..., T], *args, **kwargs) -> T:
        """``function(*args, **kwargs)``, retried with exponential backoff while Galaxy is unreachable."""
        deadline = time.monotonic() + self.retry_seconds
        delay = FIRST_DELAY
        while True:
            try:
                return function(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - sorted below: transient errors retry, others re-raise
                if _auth_failure(error):
                    raise GalaxyAuthError(f"Galaxy at {self.url} refused the API key (HTTP "
                                          f"{error.status_code}); check API_KEY or the api_key argument") from None
                if not _transient(error) or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)


def connect(url: str | None = None, api_key: str | None = None, retry_seconds: float = RETRY_SECONDS) -> Galaxy:
    """Connect with explicit arguments or the interactive tool's GALAXY_URL and API_KEY; checks the key once."""
    url = (url or os.environ.get("GALAXY_URL") or "").rstrip("/")
    api_key = api_key or os.environ.get("API_KEY")
    if not url or not api_key:
        raise GalaxyAuthError("no Galaxy to talk to: pass url= and api_key=, or run inside the interactive tool "
                              "(which sets GALAXY_URL and API_KEY)")
    galaxy = Galaxy(GalaxyInstance(url=url, key=api_key), url, retry_seconds)
    user = galaxy.call(galaxy.gi.users.get_current_user)
    if not user.get("id"):
        raise GalaxyAuthError(f"Galaxy at {url} did not recognise the API key (it answered as an anonymous user)")
    return galaxy
