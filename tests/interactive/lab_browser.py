"""Headless Chromium on a JupyterLab session through gx-it-proxy: the browser part the JupyterLab tool's
end-to-end tests share (native: test_jupyterlab_in_galaxy.py; containerized: tests/containers/)."""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import requests

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@contextmanager
def lab_page(failure_screenshot: Path) -> Iterator:
    """A Playwright page in Debian's Chromium; on an error, a screenshot of the page is kept first."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("GXJ_CHROMIUM", "/usr/bin/chromium")
    assert Path(chromium).exists(), f"{chromium} missing: run scripts/setup_browser.sh"
    failure_screenshot.parent.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            yield page
        except Exception:
            page.screenshot(path=str(failure_screenshot), full_page=True)
            raise
        finally:
            browser.close()


def save_until_stored(page, jupyter: requests.Session, target: str, notebook: str, *texts: str, timeout: float = 120) -> None:
    """Press Ctrl+S until Jupyter's copy of the notebook holds every text (a save can race a running cell)."""
    deadline = time.monotonic() + timeout
    while True:
        page.keyboard.press("Control+s")
        time.sleep(1)
        saved = json.dumps(jupyter.get(f"{target}api/contents/{notebook}", timeout=30).json()["content"])
        if all(text in saved for text in texts):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{notebook} was not saved with the browser's edits")
