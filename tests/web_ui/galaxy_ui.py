"""Driving Galaxy's own web UI with Playwright and Debian's chromium: the steps the browser tests share.

Selectors follow Galaxy 26.1's client (ids of form elements and activities, as in Galaxy's own
navigation.yml); every wait is on a state or a text, with generous timeouts that only bound failures.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REPORTS = REPO / "test-reports"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
# bounds for failures only: a loaded two-core machine is slow, a broken page never gets there
PAGE_MS = 120_000
JOB_MS = 900_000


def launch_chromium(playwright):
    chromium = os.environ.get("GXJ_CHROMIUM", "/usr/bin/chromium")
    assert Path(chromium).exists(), f"{chromium} missing: run scripts/setup_browser.sh"
    return playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)


def screenshot(page, name: str) -> Path:
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / f"web_ui_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, galaxy_url: str, email: str, password: str) -> None:
    """Galaxy's login page, as a user fills it in."""
    page.goto(f"{galaxy_url}/login/start", timeout=PAGE_MS)
    page.fill("#login-form-name", email, timeout=PAGE_MS)
    page.fill("#login-form-password", password)
    page.click("button[name=login]")
    page.wait_for_selector("#activity-interactivetools", timeout=PAGE_MS)


def use_history(page, galaxy_url: str, history_id: str, name: str) -> None:
    """Make a history the browser's current one (what Histories › Switch does) and wait for the panel."""
    response = page.request.put(f"{galaxy_url}/history/set_as_current", params={"id": history_id})
    assert response.ok, response.text()
    page.goto(f"{galaxy_url}/", timeout=PAGE_MS)
    page.locator("#current-history-panel [data-description='name display']").filter(has_text=name).wait_for(timeout=PAGE_MS)


def open_tool_form(page, galaxy_url: str, tool_id: str) -> None:
    page.goto(f"{galaxy_url}/?tool_id={tool_id}", timeout=PAGE_MS)
    page.wait_for_selector("button#execute", timeout=PAGE_MS)


def choose_datasets(page, parameter: str, names: list[str]) -> None:
    """Pick datasets by name in a data parameter's drop-down (several for a multiple one)."""
    field = f"div.ui-form-element[id='form-element-{parameter}']"
    for name in names:
        page.click(f"{field} .multiselect")
        page.click(f"{field} .multiselect__option:has-text('{name}')", timeout=PAGE_MS)
    page.keyboard.press("Escape")
    for name in names:
        page.wait_for_selector(f"{field} .multiselect__tag:has-text('{name}'), {field} .multiselect__single:has-text('{name}')",
                               timeout=PAGE_MS)


def selected_text(page, parameter: str) -> str:
    return page.inner_text(f"div.ui-form-element[id='form-element-{parameter}'] .multiselect")


def run_tool(page) -> None:
    """Click Run Tool once Galaxy has validated the form (the button is enabled), and wait for the confirmation."""
    page.locator("button#execute:not(.g-disabled)").first.wait_for(timeout=PAGE_MS)
    page.locator("button#execute:not(.g-disabled)").first.click()
    page.wait_for_selector("text=/successfully added|queued|submitted/i", timeout=PAGE_MS)


def history_item(page, name_pattern: str, state: str = "ok"):
    """The history panel's item whose title matches, once it is in the given state (waits)."""
    locator = page.locator(f"#current-history-panel .content-item[data-state='{state}']").filter(
        has_text=re.compile(name_pattern))
    locator.first.wait_for(timeout=JOB_MS)
    return locator.first
