"""The JupyterLab tool as a user meets it in Galaxy's web UI: launched from its form, opened the two ways
the Interactive Tools activity offers (embedded in Galaxy, and in a new tab), a cell run and saved in
each, stopped from the Interactive Tools page, and the notebook found in the history.

Also the frame rule both ways: Galaxy's own page embeds the lab; a page of another origin that frames
it is refused by the browser (Content-Security-Policy frame-ancestors).
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import time

import pytest

from galaxy_ui import (
    JOB_MS,
    PAGE_MS,
    REPO,
    REPORTS,
    choose_datasets,
    history_item,
    open_tool_form,
    run_tool,
    screenshot,
    use_history,
)

pytestmark = [pytest.mark.galaxy, pytest.mark.timeout(1800)]

EMBEDDED_MARKER = "embedded_marker = 'run in the lab inside Galaxy'"
TAB_MARKER = "tab_marker = 'run in the lab in its own tab'"


@pytest.fixture(scope="module")
def history(galaxy_instance, page, galaxy_url: str) -> dict:
    name = f"JupyterLab from the web UI {time.strftime('%H%M%S')}"
    history = galaxy_instance.histories.create_history(name=name)
    upload = galaxy_instance.tools.upload_file(str(REPO / "test-data" / "train.h5"), history["id"], file_type="h5")
    galaxy_instance.datasets.wait_for_dataset(upload["outputs"][0]["id"], maxwait=JOB_MS / 1000)
    use_history(page, galaxy_url, history["id"], name)
    return history


@pytest.fixture(scope="module")
def launched(page, history: dict, galaxy_url: str, galaxy_instance):
    """Run the tool from its form with train.h5; returns the job and when the user clicked Run."""
    open_tool_form(page, galaxy_url, "interactive_tool_ml_jupyter_notebook")
    choose_datasets(page, "datasets", ["train.h5"])
    clicked = time.monotonic()
    run_tool(page)
    jobs = []
    deadline = time.monotonic() + 120
    while not jobs and time.monotonic() < deadline:
        time.sleep(0.5)
        jobs = [j for j in galaxy_instance.jobs.get_jobs(history_id=history["id"]) if j["tool_id"] == "interactive_tool_ml_jupyter_notebook"]
    assert jobs, "no JupyterLab job in the history after Run Tool"
    launched = {"job_id": jobs[0]["id"], "clicked": clicked}
    yield launched
    # a failed test must not leave the session running (the last test stops it from the web UI)
    for entry_point in galaxy_instance.make_get_request(f"{galaxy_url}/api/entry_points", params={"job_id": launched["job_id"]}).json():
        galaxy_instance.make_delete_request(f"{galaxy_url}/api/entry_points/{entry_point['id']}")


def lab_frame_ready(frame, timeout: float = PAGE_MS) -> None:
    """JupyterLab rendered the session's notebook with the ML kernel idle."""
    frame.locator("#jp-main-dock-panel").wait_for(timeout=timeout)
    frame.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=timeout)
    # the status bar names the kernel and its state
    frame.locator("text=Python 3 (ML) | Idle").first.wait_for(timeout=timeout)


def run_and_save(root, page, code: str, expected: str) -> None:
    """Add a cell at the end, type code, run it, wait for its output, save, wait until nothing is unsaved."""
    notebook = root.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    notebook.locator(".jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # command mode: a new cell below
    page.keyboard.press("Enter")
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")
    notebook.locator(f".jp-OutputArea-output:has-text('{expected}')").first.wait_for(timeout=JOB_MS)
    page.keyboard.press("Control+s")
    root.locator(".jp-mod-current.jp-mod-dirty, .lm-TabBar-tab.lm-mod-current.jp-mod-dirty").first.wait_for(state="detached", timeout=PAGE_MS)


def test_the_interactive_tools_activity_embeds_the_lab(page, launched: dict, galaxy_url: str) -> None:
    page.click("#activity-interactivetools")
    # the running session is listed under its entry point's name; it becomes a link once it is active
    entry = page.locator(".active-tool-item a.tool-link").filter(has_text="JupyterLab").first
    entry.wait_for(timeout=JOB_MS)
    entry.click()
    page.wait_for_url(re.compile(r"/interactivetool_entry_points/[^/]+/display"), timeout=PAGE_MS)
    frame = page.frame_locator("iframe#galaxy_interactive_tool")
    lab_frame_ready(frame, JOB_MS)
    launched["usable_s"] = time.monotonic() - launched["clicked"]
    # a new notebook opens unmodified: no unsaved-changes mark before anything is typed
    assert frame.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0
    screenshot(page, "jupyterlab_embedded_in_galaxy")
    run_and_save(frame, page, f"{EMBEDDED_MARKER}\nprint(embedded_marker)", "run in the lab inside Galaxy")
    (REPORTS / "web_ui_jupyterlab_wait.json").write_text(json.dumps({"run_clicked_to_usable_notebook_s": round(launched["usable_s"], 1)}) + "\n")
    print(f"Run Tool clicked -> usable notebook in Galaxy's embedded view: {launched['usable_s']:.1f}s")


def test_the_lab_opens_in_a_new_tab(page, browser_context, launched: dict) -> None:
    with browser_context.expect_page(timeout=PAGE_MS) as opened:
        page.locator("a[title='Open in new tab']").first.click()
    tab = opened.value
    try:
        lab_frame_ready(tab, JOB_MS)
        run_and_save(tab, tab, f"{TAB_MARKER}\nprint(tab_marker)", "run in the lab in its own tab")
        screenshot(tab, "jupyterlab_in_a_new_tab")
    finally:
        tab.close()


class FramingPage(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:  # noqa: N802
        body = f'<html><body><iframe src="{self.target}" width="900" height="600"></iframe></body></html>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_foreign_origin_cannot_frame_the_lab(browser_context, galaxy_url: str, galaxy_api_key: str, launched: dict) -> None:
    import requests

    entry_points = requests.get(f"{galaxy_url}/api/entry_points", params={"job_id": launched["job_id"]}, headers={"x-api-key": galaxy_api_key}, timeout=30).json()
    target = entry_points[0]["target"]
    target = target if target.startswith("http") else f"{galaxy_url}{target}"
    FramingPage.target = target
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FramingPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    foreign = browser_context.new_page()
    try:
        with foreign.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=PAGE_MS) as refused:
            foreign.goto(f"http://127.0.0.1:{server.server_address[1]}/", timeout=PAGE_MS)
        assert "violates the following Content Security Policy directive" in refused.value.text
        assert "frame-ancestors 'self' " in refused.value.text and "blocked" in refused.value.text
        assert foreign.frame_locator("iframe").locator("#jp-main-dock-panel").count() == 0
        screenshot(foreign, "jupyterlab_refused_in_a_foreign_frame")
    finally:
        foreign.close()
        server.shutdown()


def test_stop_from_the_interactive_tools_page_returns_the_notebook(page, galaxy_url: str, galaxy_instance, launched: dict) -> None:
    page.goto(f"{galaxy_url}/interactivetool_entry_points/list", timeout=PAGE_MS)
    page.locator("text=JupyterLab").first.wait_for(timeout=PAGE_MS)
    screenshot(page, "interactive_tools_page")
    stop = page.locator("button[title='Stop this interactive tool'], button:has-text('Stop')").first
    stop.wait_for(timeout=PAGE_MS)
    stop.click()
    confirm = page.locator(".modal-dialog button:has-text('Stop'), .modal-dialog button:has-text('OK'), .modal-dialog button:has-text('Yes')")
    if confirm.count():
        confirm.first.click()
    galaxy_instance.jobs.wait_for_job(launched["job_id"], maxwait=JOB_MS / 1000, check=False)
    item = history_item(page, r": notebook")
    item.click()  # expanded: the summary under the title says what the notebook holds
    item.get_by_text("galaxy_notebook.ipynb:").first.wait_for(timeout=PAGE_MS)
    screenshot(page, "jupyterlab_notebook_in_history")
    job = galaxy_instance.jobs.show_job(launched["job_id"])
    assert job["state"] == "ok", job
    notebook = galaxy_instance.datasets.download_dataset(job["outputs"]["notebook"]["id"], use_default_filename=False).decode()
    assert "embedded_marker" in notebook and "tab_marker" in notebook
    summary = galaxy_instance.datasets.show_dataset(job["outputs"]["notebook"]["id"])["misc_info"]
    # two intro cells, and per lab view a typed cell plus the empty one Shift+Enter adds; the two typed ones ran
    assert summary == "galaxy_notebook.ipynb: 6 cells, 5 code, 2 run", summary
