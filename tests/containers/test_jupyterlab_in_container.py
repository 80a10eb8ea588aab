"""The JupyterLab interactive tool run by Galaxy's own container support, from the CPU image built here.

The containerized Galaxy (GXJ_CONTAINERS=podman) launches the tool through the API; podman runs the image
with the port published, Galaxy's container monitor hands it to gx-it-proxy. One session serves the module:
JupyterLab in headless Chromium through the proxy, a cell run in the ML kernel and the notebook saved,
checks inside the running container (user, pip check, device line, no secret in what start-up wrote),
then the tool stopped from Galaxy and the notebook and an outputs/ file read back from the history.
The screenshot is test-reports/jupyterlab_container.png; the launch time test-reports/container_launch.json.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import requests

from lab_browser import lab_page, save_until_stored
from lab_paths import REPO, REPORTS
from measure_launch import TERMINAL_JOB_STATES, Launch, launch, stop, upload

pytestmark = [pytest.mark.containers, pytest.mark.timeout(1200)]

MAIN_NOTEBOOK = "galaxy_notebook.ipynb"
MARKER = "# edited in the browser, in the container"
# typed into a new cell (insert_text: no auto-closed brackets); it reads the input and writes to outputs/
CELL = (
    "import h5py, os; shape = h5py.File('train.h5', 'r')['X'].shape; "
    "open('outputs/container_check.txt', 'w').write(f'train.h5 X {shape} uid {os.getuid()}'); "
    "print('container cell', shape, os.getuid())"
)
CPU_DEVICE_LINE = "GPUs: none, TensorFlow uses the CPU"


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=300, check=check)


@pytest.fixture(scope="module")
def history_id(galaxy_instance) -> str:
    return galaxy_instance.histories.create_history(name="JupyterLab in the container")["id"]


@pytest.fixture(scope="module")
def session(galaxy_instance, galaxy_url: str, galaxy_api_key: str, history_id: str):
    dataset_id = upload(galaxy_instance, history_id, REPO / "test-data" / "train.h5", "h5")
    started = launch(galaxy_instance, galaxy_url, galaxy_api_key, history_id, [dataset_id])
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "container_launch.json").write_text(
        json.dumps({"entry_point_active_s": round(started.entry_point_active_s, 2), "lab_answered_s": round(started.lab_answered_s, 2)}, indent=2)
        + "\n"
    )
    yield started
    if galaxy_instance.jobs.show_job(started.job_id)["state"] not in TERMINAL_JOB_STATES:
        stop(galaxy_url, galaxy_api_key, started)


@pytest.fixture(scope="module")
def container(session: Launch, image: str) -> str:
    """The name of the running container of the session (the only one of the image)."""
    names = podman("ps", "--filter", f"ancestor={image}", "--format", "{{.Names}}").stdout.split()
    assert len(names) == 1, f"expected one running container of {image}, found {names}"
    return names[0]


@pytest.fixture(scope="module")
def jupyter(session: Launch) -> requests.Session:
    http = requests.Session()
    http.get(f"{session.target}lab", timeout=30).raise_for_status()
    http.headers["X-XSRFToken"] = http.cookies["_xsrf"]
    return http


def test_the_tool_runs_in_the_image_as_its_user(container: str, image: str) -> None:
    inspected = json.loads(podman("inspect", container).stdout)[0]
    assert inspected["ImageName"] == image
    assert podman("exec", container, "id", "-un").stdout.strip() == "jupyter"
    assert podman("exec", container, "id", "-u").stdout.strip() != "0"
    # the kernel and the server are the image's environments, and each is consistent
    for prefix in ("/opt/ml-kernel", "/opt/jupyter-server"):
        checked = podman("exec", container, f"{prefix}/bin/pip", "check", check=False)
        assert checked.returncode == 0 and "No broken requirements" in checked.stdout, checked.stdout + checked.stderr


def test_jupyterlab_in_a_real_browser_runs_a_cell_and_saves(session: Launch, jupyter: requests.Session) -> None:
    screenshot = REPORTS / "jupyterlab_container.png"
    with lab_page(REPORTS / "jupyterlab_container_failure.png") as page:
        page.goto(session.target, wait_until="domcontentloaded", timeout=60_000)
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
        assert MAIN_NOTEBOOK in page.url
        page.wait_for_selector(".jp-NotebookPanel-toolbar :text('Python 3 (ML)')", timeout=120_000)
        # the new notebook's device check (its last cell), edited and run: the kernel's device line (CPU here)
        code_cells = page.locator(".jp-NotebookPanel .jp-CodeCell .cm-content")
        assert code_cells.count() == 1
        code_cells.last.click()
        page.keyboard.press("Control+End")
        page.keyboard.insert_text("\n" + MARKER)
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(f".jp-OutputArea-output:has-text('{CPU_DEVICE_LINE}')", timeout=180_000)
        # running the last cell added an empty one: a cell there that reads the input and writes into outputs/
        page.wait_for_function("document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length === 2", timeout=60_000)
        code_cells.last.click()
        page.keyboard.insert_text(CELL)
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(".jp-OutputArea-output:has-text('container cell (240, 16)')", timeout=180_000)
        save_until_stored(page, jupyter, session.target, MAIN_NOTEBOOK, MARKER, "container cell (240, 16)")
        page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


def test_no_secret_in_the_image_or_in_what_start_up_wrote(container: str, image: str, session: Launch) -> None:
    api_key = podman("exec", container, "printenv", "API_KEY").stdout.strip()
    ep_path = podman("exec", container, "printenv", "EP_PATH").stdout.strip()
    token = ep_path.rstrip("/").rsplit("/", 1)[-1]
    assert len(api_key) >= 16 and len(token) >= 8 and token in session.target
    # the image: its configuration (labels, environment) and its history (build arguments)
    configuration = podman("image", "inspect", image).stdout + podman("history", "--no-trunc", image).stdout
    assert api_key not in configuration and token not in configuration
    assert "API_KEY" not in json.dumps(json.loads(podman("image", "inspect", image).stdout)[0]["Config"].get("Env", []))
    # the files the start-up wrote (the notebook folder, its session folder, HOME, /tmp, /import) and the
    # image's own start-up folder. The token is part of Jupyter's address, so Jupyter's own server-info
    # file (.galaxy_jupyter/runtime/, mode 0600) holds it; nothing else may.
    workdir = podman("inspect", "--format", "{{.Config.WorkingDir}}", container).stdout.strip()
    home = podman("exec", container, "printenv", "HOME", check=False).stdout.strip() or "/home/jupyter"
    folders = [workdir, home, "/tmp", "/import", "/opt/galaxy-jupyter", "/home/jupyter"]
    found = podman(
        "exec", container, "grep", "-rIlF", "-e", api_key, "-e", token, "--exclude-dir=runtime", *folders, check=False
    )
    assert found.returncode == 1 and found.stdout == "", f"secret found in: {found.stdout}{found.stderr}"
    with_key = podman("exec", container, "grep", "-rIlF", "-e", api_key, *folders, check=False)
    assert with_key.returncode == 1 and with_key.stdout == "", f"API key found in: {with_key.stdout}"


@pytest.fixture(scope="module")
def stopped_job(session: Launch, galaxy_url: str, galaxy_api_key: str) -> dict:
    return stop(galaxy_url, galaxy_api_key, session)


def test_stopping_delivers_the_notebook_and_the_outputs_file(stopped_job: dict, galaxy_instance, image: str) -> None:
    assert stopped_job["state"] == "ok", stopped_job.get("stderr", "")[-2000:]
    notebook = galaxy_instance.datasets.download_dataset(stopped_job["outputs"]["notebook"]["id"], use_default_filename=False)
    assert MARKER in notebook.decode() and CPU_DEVICE_LINE in notebook.decode()
    collection = galaxy_instance.dataset_collections.show_dataset_collection(stopped_job["output_collections"]["outputs"]["id"])
    files = {e["element_identifier"]: e["object"]["id"] for e in collection["elements"]}
    assert "container_check" in files, files
    content = galaxy_instance.datasets.download_dataset(files["container_check"], use_default_filename=False)
    assert content == b"train.h5 X (240, 16) uid 1000"
    # the container is gone with the job (docker_auto_rm)
    assert podman("ps", "--filter", f"ancestor={image}", "--format", "{{.Names}}").stdout.split() == []
