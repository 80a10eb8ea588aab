"""The JupyterLab interactive tool end to end in the local Galaxy (native launch, gx-it-proxy, headless Chromium).

One session serves the whole module (launching costs seconds; two cores): launch it with an HDF5
input through the API, open it in a real browser, run code through the proxy that reads the input and
puts a file into the history, probe its security, stop it from Galaxy, and check what reached the
history. The screenshot goes to test-reports/ (kept as a CI artefact); the launch time to
test-reports/interactive_launch.json.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
import requests
import websocket

from lab_browser import lab_page, save_until_stored
from lab_paths import REPO, REPORTS
from measure_launch import TERMINAL_JOB_STATES, Launch, launch, stop, upload
from outside_path_probe import probe_outside

pytestmark = [pytest.mark.galaxy, pytest.mark.timeout(900)]

MAIN_NOTEBOOK = "galaxy_notebook.ipynb"
BROWSER_MARKER = "# edited in the browser"
EVIL_ORIGIN = "https://evil.example.org"
KERNEL_CODE = """
import os
import h5py
from bioblend.galaxy import GalaxyInstance

with h5py.File('train.h5', 'r') as h5:
    shape = h5['X'].shape
with open(os.path.join('outputs', 'h5_summary.txt'), 'w') as out:
    out.write(f'train.h5 X {shape}\\n')
gi = GalaxyInstance(os.environ['GALAXY_URL'], key=os.environ['API_KEY'])
upload = gi.tools.upload_file('outputs/h5_summary.txt', os.environ['HISTORY_ID'], file_name='put_from_jupyter.txt', file_type='txt')
print('put', upload['outputs'][0]['id'], 'shape', shape)
"""


# --- the session ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_id(galaxy_instance) -> str:
    return galaxy_instance.histories.create_history(name="JupyterLab interactive tool test")["id"]


@pytest.fixture(scope="module")
def session(galaxy_instance, galaxy_url: str, galaxy_api_key: str, history_id: str):
    dataset_id = upload(galaxy_instance, history_id, REPO / "test-data" / "train.h5", "h5")
    started = launch(galaxy_instance, galaxy_url, galaxy_api_key, history_id, [dataset_id])
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "interactive_launch.json").write_text(
        json.dumps(
            {"entry_point_active_s": round(started.entry_point_active_s, 2), "lab_answered_s": round(started.lab_answered_s, 2)},
            indent=2,
        )
        + "\n"
    )
    print(f"launch: entry point active after {started.entry_point_active_s:.1f}s, lab through the proxy after {started.lab_answered_s:.1f}s")
    yield started
    # a failed test must not leave the session running (the last test stops it on success)
    if galaxy_instance.jobs.show_job(started.job_id)["state"] not in TERMINAL_JOB_STATES:
        stop(galaxy_url, galaxy_api_key, started)


@pytest.fixture(scope="module")
def jupyter(session: Launch) -> requests.Session:
    """An HTTP session through the proxy holding Jupyter's _xsrf cookie (set by the lab page)."""
    http = requests.Session()
    response = http.get(f"{session.target}lab", timeout=30)
    response.raise_for_status()
    http.headers["X-XSRFToken"] = http.cookies["_xsrf"]
    return http


def direct_port(session: Launch) -> int:
    """The port Jupyter listens on, as gx-it-proxy knows it (its sessions database)."""
    database = Path(os.environ["GXJ_STATE_DIR"]) / "data" / "interactivetools_map.sqlite"
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT port FROM gxitproxy").fetchall()
    ports = {int(row[0]) for row in rows}
    assert ports, f"no session in {database}"
    return max(ports)


# --- 1. the browser ---------------------------------------------------------------------------------------


def test_jupyterlab_renders_in_a_real_browser(session: Launch, jupyter: requests.Session) -> None:
    screenshot = REPORTS / "jupyterlab_in_galaxy.png"
    with lab_page(REPORTS / "jupyterlab_in_galaxy_failure.png") as page:
        # the entry point itself: Jupyter redirects it to the session's notebook
        page.goto(session.target, wait_until="domcontentloaded", timeout=60_000)
        page.wait_for_selector("#jp-main-dock-panel", timeout=90_000)
        assert MAIN_NOTEBOOK in page.url
        # the notebook is open with a live kernel, and the file browser lists the HDF5 input
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-DirListing-item[title*='train.h5'], .jp-DirListing-itemText:has-text('train.h5')", timeout=60_000)
        # the kernel of the ML environment has started for it
        page.wait_for_selector(".jp-NotebookPanel-toolbar :text('Python 3 (ML)')", timeout=90_000)
        # a browser edit, run in the ML kernel (the GPU check of the new notebook) and saved with
        # Ctrl+S: it reaches Galaxy through the post-save hook
        editor = page.locator(".jp-NotebookPanel .jp-Cell .cm-content").last
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n" + BROWSER_MARKER)
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(".jp-OutputArea-output:has-text('GPUs:')", timeout=120_000)
        save_until_stored(page, jupyter, session.target, MAIN_NOTEBOOK, BROWSER_MARKER, timeout=90)
        page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


# --- 2. code through the proxy: REST + kernel websocket ---------------------------------------------------


def kernel_message(msg_type: str, content: dict, session_id: str) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "test",
            "session": session_id,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def execute(ws: websocket.WebSocket, code: str, session_id: str, timeout: float = 180) -> tuple[str, dict]:
    """Run code in the kernel; return its stdout and the execute_reply content."""
    request = kernel_message(
        "execute_request",
        {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        session_id,
    )
    ws.send(json.dumps(request))
    stdout, reply, idle = [], None, False
    deadline = time.monotonic() + timeout
    while not (reply and idle):
        assert time.monotonic() < deadline, "the kernel did not answer in time"
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
            continue
        kind = message["header"]["msg_type"]
        if kind == "stream":
            stdout.append(message["content"]["text"])
        elif kind == "error":
            stdout.append("\n".join(message["content"]["traceback"]))
        elif kind == "execute_reply":
            reply = message["content"]
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            idle = True
    return "".join(stdout), reply


def websocket_url(session: Launch, kernel_id: str, session_id: str) -> str:
    return f"{session.target.replace('http', 'ws', 1)}api/kernels/{kernel_id}/channels?session_id={session_id}"


def test_code_through_the_proxy_reads_the_input_and_puts_a_file_into_the_history(
    session: Launch, jupyter: requests.Session, galaxy_instance, history_id: str
) -> None:
    contents = jupyter.get(f"{session.target}api/contents", timeout=30).json()
    assert {"train.h5", MAIN_NOTEBOOK, "outputs"} <= {item["name"] for item in contents["content"]}
    kernelspecs = jupyter.get(f"{session.target}api/kernelspecs", timeout=30).json()
    assert list(kernelspecs["kernelspecs"]) == ["python3"]
    assert kernelspecs["kernelspecs"]["python3"]["spec"]["display_name"] == "Python 3 (ML)"

    # a notebook saved through the REST API, as JupyterLab saves it
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "read", "metadata": {}, "outputs": [], "source": KERNEL_CODE}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ML)", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    saved = jupyter.put(f"{session.target}api/contents/analysis.ipynb", json={"type": "notebook", "content": notebook}, timeout=30)
    assert saved.status_code in (200, 201), saved.text

    created = jupyter.post(
        f"{session.target}api/sessions",
        json={"path": "analysis.ipynb", "type": "notebook", "name": "analysis.ipynb", "kernel": {"name": "python3"}},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    kernel_id, session_id = created.json()["kernel"]["id"], uuid.uuid4().hex
    ws = websocket.create_connection(websocket_url(session, kernel_id, session_id), timeout=180)
    try:
        stdout, reply = execute(ws, KERNEL_CODE, session_id)
        assert reply["status"] == "ok", stdout
        assert "shape (240, 16)" in stdout
        # the kernel is the runtime environment's Python, not the server's
        stdout, _ = execute(ws, "import sys, tensorflow; print(sys.executable)", session_id)
        assert "jupyter-server" not in stdout and "runtime-" in stdout, stdout
    finally:
        ws.close()
    datasets = galaxy_instance.histories.show_history(history_id, contents=True, deleted=False)
    put = [d for d in datasets if d["name"] == "put_from_jupyter.txt"]
    assert put, "the file put from the kernel is not in the history"
    put_id = put[0]["id"]
    galaxy_instance.datasets.wait_for_dataset(put_id, maxwait=120)
    assert galaxy_instance.datasets.download_dataset(put_id, use_default_filename=False) == b"train.h5 X (240, 16)\n"


# --- 3. security ------------------------------------------------------------------------------------------


def test_the_port_without_the_entry_point_path_gives_nothing(session: Launch) -> None:
    """The real session on its own port: every request without the path is a bare 404 that names no part
    of it (no Set-Cookie path, no CSP report-uri, no HTML), and /api/contents does not answer."""
    port = direct_port(session)
    base_path = session.target.split(":", 2)[2].split("/", 1)[1]  # interactivetool/ep/<id>/<token>/
    responses = probe_outside(f"http://127.0.0.1:{port}", base_path)
    assert len(responses) >= 50
    # the same port does answer under the secret path (so the 404s above are the path check, not a dead port)
    assert requests.get(f"http://127.0.0.1:{port}/{base_path}api/status", timeout=10).status_code == 200
    assert requests.get(f"http://127.0.0.1:{port}/{base_path}api/contents", timeout=10).status_code == 200


def test_cross_origin_requests_with_credentials_are_not_allowed(session: Launch, jupyter: requests.Session) -> None:
    # Jupyter itself grants no CORS: no Access-Control-Allow-* on a preflight or a credentialed request
    port = direct_port(session)
    base_path = session.target.split(":", 2)[2].split("/", 1)[1]
    direct_api = f"http://127.0.0.1:{port}/{base_path}api/contents"
    preflight = requests.options(
        direct_api,
        headers={"Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-xsrftoken"},
        timeout=10,
    )
    cross = requests.get(direct_api, headers={"Origin": EVIL_ORIGIN}, cookies=jupyter.cookies, timeout=10)
    for response in (preflight, cross):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers
    assert cross.status_code in (403, 404)
    # Through gx-it-proxy (0.2.3 reflects any Origin with Allow-Credentials: true on every response, see
    # docs/interactive.md) the browser would be allowed to read the answer, so the answer itself must
    # be a refusal: Jupyter's origin check turns away foreign origins with the user's cookies.
    api = f"{session.target}api/contents"
    proxied = jupyter.get(api, headers={"Origin": EVIL_ORIGIN}, timeout=10)
    assert proxied.status_code in (403, 404)
    assert "train.h5" not in proxied.text
    kernels_before = len(jupyter.get(f"{session.target}api/kernels", timeout=10).json())
    started = jupyter.post(
        f"{session.target}api/kernels", json={"name": "python3"}, headers={"Origin": EVIL_ORIGIN}, timeout=10
    )
    assert started.status_code in (403, 404)
    assert len(jupyter.get(f"{session.target}api/kernels", timeout=10).json()) == kernels_before
    # the same requests from the lab's own origin work (so the refusals above are the origin check)
    assert jupyter.get(api, timeout=10).status_code == 200
    # Galaxy's own origin may frame it (its Interactive Tools view), a foreign site may not; no ALLOWALL
    lab = jupyter.get(f"{session.target}lab", timeout=10)
    galaxy_origin = "/".join(os.environ["GXJ_GALAXY_URL"].split("/")[:3])
    assert lab.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {galaxy_origin}"
    assert EVIL_ORIGIN not in lab.headers["Content-Security-Policy"]
    assert "ALLOWALL" not in lab.headers.get("X-Frame-Options", "").upper()


def test_a_kernel_websocket_from_a_foreign_origin_is_refused(session: Launch, jupyter: requests.Session) -> None:
    kernels = jupyter.get(f"{session.target}api/kernels", timeout=10).json()
    assert kernels, "no kernel running"
    url = websocket_url(session, kernels[0]["id"], uuid.uuid4().hex)
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, origin=EVIL_ORIGIN, timeout=10)
    assert refused.value.status_code in (403, 404)


# --- 4. stop, and what reached the history ------------------------------------------------------------------


@pytest.fixture(scope="module")
def stopped_job(session: Launch, galaxy_url: str, galaxy_api_key: str) -> dict:
    return stop(galaxy_url, galaxy_api_key, session)


def history_outputs(galaxy_instance, job: dict) -> dict[str, bytes]:
    """Every dataset the job produced (collections expanded), by name, as bytes."""
    found = {}
    for name, output in job["outputs"].items():
        found[name] = galaxy_instance.datasets.download_dataset(output["id"], use_default_filename=False, require_ok_state=False)
    for name, collection in job.get("output_collections", {}).items():
        details = galaxy_instance.dataset_collections.show_dataset_collection(collection["id"])
        for element in details["elements"]:
            dataset_id = element["object"]["id"]
            found[f"{name}/{element['element_identifier']}"] = galaxy_instance.datasets.download_dataset(
                dataset_id, use_default_filename=False, require_ok_state=False
            )
    return found


def test_stopping_delivers_the_notebooks_and_outputs(stopped_job: dict, galaxy_instance) -> None:
    assert stopped_job["state"] == "ok", stopped_job.get("stderr", "")[-2000:]
    outputs = history_outputs(galaxy_instance, stopped_job)
    notebook = outputs["notebook"].decode()
    assert BROWSER_MARKER in notebook and "GPUs:" in notebook  # the browser edit, run in the kernel
    assert "put_from_jupyter.txt" in outputs["other_notebooks/analysis"].decode()  # saved through the REST API
    assert outputs["outputs/h5_summary"] == b"train.h5 X (240, 16)\n"  # written by the kernel into outputs/


def test_the_api_key_appears_in_no_output(stopped_job: dict, galaxy_instance, galaxy_api_key: str) -> None:
    outputs = history_outputs(galaxy_instance, stopped_job)
    assert len(outputs) >= 4
    for name, content in outputs.items():
        assert galaxy_api_key.encode() not in content, name
    for stream in ("stdout", "stderr", "tool_stdout", "tool_stderr"):
        assert galaxy_api_key not in (stopped_job.get(stream) or ""), stream
