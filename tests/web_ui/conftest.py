"""Fixtures of the web UI tests: one chromium, a user logged in on Galaxy's login page, a history of theirs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from galaxy_ui import launch_chromium, log_in  # noqa: E402


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser_context(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


@pytest.fixture(scope="module")
def page(browser_context, galaxy_url: str):
    """A page logged in through Galaxy's login page as the test user (scripts/env.sh names them)."""
    page = browser_context.new_page()
    log_in(page, galaxy_url, os.environ["GXJ_USER_EMAIL"], os.environ["GXJ_USER_PASSWORD"])
    return page
