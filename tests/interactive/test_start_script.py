"""start-jupyterlab outside Galaxy: the native launch as Galaxy's local runner drives it (no proxy, no Galaxy).

A fake job directory (working/ + outputs/), the environment Galaxy and the job environment give
(EP_PATH, API_KEY, GXJ_IT_NATIVE, GXJ_JUPYTER_PREFIX, GXJ_KERNEL_PYTHON), and Galaxy's way of stopping a
job: SIGTERM to the process group, SIGKILL one second later (galaxy.jobs.runners.util.process_groups).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from lab_paths import REPO, START_SCRIPT
from outside_path_probe import probe_outside

pytestmark = pytest.mark.timeout(1200)

API_KEY = "0123456789abcdef0123456789abcdef"
EP_PATH = "/interactivetool/ep/k3y/0f1e2d3c4b5a6978"


def notebook(*sources: str) -> dict:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": s} for i, s in enumerate(sources)]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def job(tmp_path: Path, jupyter_venv: Path, kernel_python: str) -> dict:
    """A Galaxy-like job directory and the job's environment."""
    job_dir = tmp_path / "jobs_directory" / "000" / "7"
    (job_dir / "working").mkdir(parents=True)
    (job_dir / "outputs").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GXJ_", "JUPYTER", "EP_PATH"))},
        "EP_PATH": EP_PATH,
        "API_KEY": API_KEY,
        "GALAXY_URL": "http://127.0.0.1:9",
        "HISTORY_ID": "f2db41e1fa331b3e",
        "GXJ_IT_NATIVE": "1",
        "GXJ_JUPYTER_PREFIX": str(jupyter_venv),
        "GXJ_KERNEL_PYTHON": kernel_python,
        "HOME": str(job_dir / "home"),
    }
    return {"dir": job_dir, "working": job_dir / "working", "output": job_dir / "outputs" / "dataset_42.dat", "env": env}


def write_plan(job: dict, plan: dict) -> Path:
    path = job["dir"] / "configs" / "plan.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"notebook_output": str(job["output"]), **plan}))
    return path


def history_notebook(job: dict, content: dict, name: str = "analysis.ipynb") -> dict:
    path = job["dir"] / "objects" / "dataset_1.dat"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(content))
    return {"name": name, "path": str(path)}


def assert_no_secret_in_files(root: Path, *texts: str) -> None:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            content = path.read_bytes()
            assert API_KEY.encode() not in content, path
    for text in texts:
        assert API_KEY not in text


def test_run_only_executes_the_notebook_and_delivers_it(job: dict) -> None:
    h5 = REPO / "test-data" / "train.h5"
    plan = write_plan(job, {
        "mode": "history",
        "run": "run_only",
        "notebook": history_notebook(job, json.loads((REPO / "test-data" / "read_h5_input.ipynb").read_text()), "read_h5_input.ipynb"),
        "inputs": [{"name": "train.h5", "ext": "h5", "path": str(h5)}],
    })
    result = subprocess.run([str(START_SCRIPT), str(plan)], cwd=job["working"], env=job["env"], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    executed = json.loads(job["output"].read_text())
    assert "X shape (240, 16)" in json.dumps(executed["cells"][1]["outputs"])
    assert (job["working"] / "outputs" / "summary.txt").read_text() == "rows 240\ncolumns 16\n"
    assert not (job["dir"] / "container_runtime.json").exists()  # no server, no entry point
    assert_no_secret_in_files(job["dir"], result.stdout, result.stderr)


def test_run_only_with_a_failing_cell_fails_and_still_returns_the_notebook(job: dict) -> None:
    plan = write_plan(job, {
        "mode": "history",
        "run": "run_only",
        "notebook": history_notebook(job, notebook("x = 1", "1 / 0", "print('never')"), "fails.ipynb"),
    })
    result = subprocess.run([str(START_SCRIPT), str(plan)], cwd=job["working"], env=job["env"], capture_output=True, text=True, timeout=240)
    assert result.returncode == 1
    assert "error: a cell of fails.ipynb failed" in result.stderr and "ZeroDivisionError" in result.stderr
    executed = json.loads(job["output"].read_text())
    assert executed["cells"][1]["outputs"][0]["ename"] == "ZeroDivisionError"
    assert executed["cells"][2]["outputs"] == []


def test_a_bad_plan_is_one_line_and_exit_2(job: dict) -> None:
    plan = write_plan(job, {"mode": "git", "repository": "ext::sh -c id"})
    result = subprocess.run([str(START_SCRIPT), str(plan)], cwd=job["working"], env=job["env"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: not a git URL this tool clones")


def wait_for_runtime_file(job: dict, process: subprocess.Popen, timeout: float = 120) -> dict:
    runtime_file = job["dir"] / "container_runtime.json"
    deadline = time.monotonic() + timeout
    while not runtime_file.exists():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "container_runtime.json never appeared"
        time.sleep(0.1)
    return json.loads(runtime_file.read_text())


def galaxy_kill_pg(process: subprocess.Popen) -> None:
    """What Galaxy's local runner does when the user stops the tool: TERM, one second, KILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        time.sleep(1)


def test_native_session_answers_only_under_the_entry_point_path_and_saves_on_stop(job: dict, kernel_python: str) -> None:
    plan = write_plan(job, {"mode": "new", "inputs": [{"name": "train.h5", "ext": "h5", "path": str(REPO / "test-data" / "train.h5")}]})
    process = subprocess.Popen(
        [str(START_SCRIPT), str(plan)], cwd=job["working"], env=job["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    try:
        runtime = wait_for_runtime_file(job, process)
        assert list(runtime) == ["8888"] and runtime["8888"]["host"] == "127.0.0.1" and runtime["8888"]["protocol"] == "http"
        root = f"http://127.0.0.1:{runtime['8888']['port']}"
        base = f"{root}{EP_PATH}/"
        # published only once Jupyter answers: the first request already works
        assert requests.get(f"{base}api/status", timeout=10).status_code == 200
        # without the path: a bare 404 that names no part of it (no cookie path, no CSP report-uri, no HTML)
        probe_outside(root, EP_PATH)
        for path in ("/interactivetool/ep/k3y/wrong/api/status", "/interactivetool/ep/k3y/0f1e2d3c4b5a69/api/contents"):
            assert requests.get(f"{root}{path}", timeout=10, allow_redirects=False).status_code == 404, path
        # the entry point opens the session's notebook
        redirect = requests.get(base, timeout=10, allow_redirects=False)
        assert redirect.headers["Location"].rstrip("?") == f"{EP_PATH}/lab/tree/galaxy_notebook.ipynb"
        lab = requests.get(f"{base}lab", timeout=30)
        # Galaxy (GALAXY_URL's origin) may frame the lab, no other site; no report-uri repeating the path
        assert lab.status_code == 200 and lab.headers["Content-Security-Policy"] == "frame-ancestors 'self' http://127.0.0.1:9"
        assert "X-Frame-Options" not in lab.headers
        assert "Access-Control-Allow-Origin" not in lab.headers
        specs = requests.get(f"{base}api/kernelspecs", timeout=10).json()
        assert list(specs["kernelspecs"]) == ["python3"]
        assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == kernel_python
        # a save through the contents API reaches the notebook output at once (post_save_hook)
        http = requests.Session()
        http.get(f"{base}lab", timeout=30)
        http.headers["X-XSRFToken"] = http.cookies["_xsrf"]
        saved = http.put(f"{base}api/contents/galaxy_notebook.ipynb", json={"type": "notebook", "content": notebook("saved_marker = 1")}, timeout=30)
        assert saved.status_code == 200, saved.text
        assert "saved_marker" in job["output"].read_text()
        # a POST without the XSRF header is refused
        assert requests.post(f"{base}api/kernels", json={"name": "python3"}, cookies=http.cookies, timeout=10).status_code == 403
        # a notebook written behind Jupyter's back (a terminal, a script) is delivered by the SIGTERM trap
        (job["working"] / "from_terminal.ipynb").write_text(json.dumps(notebook("terminal_marker = 1")))
        galaxy_kill_pg(process)
        process.wait(timeout=120)  # a bound for a hang only; what the stop delivered is asserted below
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    collected = job["working"] / ".galaxy_jupyter" / "notebooks" / "from_terminal.ipynb"
    assert "terminal_marker" in collected.read_text()
    stderr = process.stderr.read()
    assert "notebook(s) copied for Galaxy" in stderr
    assert_no_secret_in_files(job["dir"], process.stdout.read(), stderr)


def test_outside_galaxy_the_path_is_random_and_printed(job: dict) -> None:
    env = {k: v for k, v in job["env"].items() if k != "EP_PATH"}
    process = subprocess.Popen(
        [str(START_SCRIPT)], cwd=job["working"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        runtime = wait_for_runtime_file(job, process)
        root = f"http://127.0.0.1:{runtime['8888']['port']}"
        env_file = (job["working"] / ".galaxy_jupyter" / "session.env").read_text()
        secret = env_file.split("GXJ_BASE_URL=", 1)[1].splitlines()[0].strip("'\"")
        assert secret.startswith("/jupyter/") and len(secret) > 25
        assert requests.get(f"{root}{secret}api/status", timeout=10).status_code == 200
        probe_outside(root, secret)
    finally:
        galaxy_kill_pg(process)
        process.wait(timeout=30)
    assert secret in process.stderr.read()
