"""The Galaxy backend of jupyter-scheduler against the local Galaxy, through jupyter-scheduler's own REST API.

A JupyterLab server with the interactive tool's Jupyter config (lab_server.py) creates notebook jobs
as the "Create Notebook Job" form does; bioblend checks what happened in Galaxy. Jobs wait on a file
the test writes (job_notebooks.py), every wait has a generous bound, and nothing depends on speed.
The last test restarts the server on an empty database: the list comes back from Galaxy.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import h5py
import pytest
from job_notebooks import WAITING_LINE, copy_test_notebook, write_gated_notebook
from lab_server import LabServer, start_lab

pytestmark = [pytest.mark.galaxy, pytest.mark.timeout(3600)]
REPO = Path(__file__).resolve().parents[2]
REPORTS = REPO / "test-reports"
LATENCY_FILE = REPORTS / "notebook_jobs_latency.json"
BOUND_SECONDS = 900
FINISHED = {"COMPLETED", "FAILED", "STOPPED"}
GALAXY_STOPPED = {"deleting", "deleted", "deleted_new", "stopped"}
# inside the port block of the test Galaxy (its port + 3; + 1 is gx-it-proxy, + 2 Pulsar)
LAB_PORT = int(os.environ.get("GXJ_PORT", "8080")) + 3


def record_latency(name: str, seconds: float) -> None:
    REPORTS.mkdir(exist_ok=True)
    figures = json.loads(LATENCY_FILE.read_text()) if LATENCY_FILE.exists() else {}
    figures[name] = round(seconds, 1)
    LATENCY_FILE.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"{name}: {seconds:.1f} s")


@pytest.fixture(scope="module")
def jupyter_venv() -> Path:
    venv = Path(os.environ.get("GXJ_JUPYTER_VENV", "/nonexistent"))
    if not (venv / "bin" / "python").exists():
        pytest.fail("GXJ_JUPYTER_VENV is not a venv: source scripts/env.sh and run scripts/setup_envs.sh jupyter")
    return venv


@pytest.fixture(scope="module")
def history_id(galaxy_instance) -> str:
    return galaxy_instance.histories.create_history(name="notebook jobs from JupyterLab")["id"]


@pytest.fixture(scope="module")
def galaxy_env(galaxy_url, galaxy_api_key, history_id) -> dict[str, str]:
    return {"GALAXY_URL": galaxy_url, "API_KEY": galaxy_api_key, "HISTORY_ID": history_id}


@pytest.fixture(scope="module")
def new_release_file(tmp_path_factory):
    """Paths for the gated notebook's release_file; all are written when the module ends, so no job of a
    failed test is left waiting (and holding one of Galaxy's job slots)."""
    made: list[Path] = []

    def make() -> Path:
        made.append(tmp_path_factory.mktemp("release") / "release")
        return made[-1]

    yield make
    for path in made:
        path.write_text("go\n")


@pytest.fixture(scope="module")
def lab(jupyter_venv, tmp_path_factory, galaxy_env):
    server = start_lab(jupyter_venv, tmp_path_factory.mktemp("lab"), LAB_PORT, galaxy_env)
    yield server
    server.stop()


def create_job(lab: LabServer, notebook: str, name: str, parameters: dict | None = None) -> str:
    """What the "Create Notebook Job" form sends."""
    response = lab.api("POST", "scheduler/jobs", json={
        "name": name, "input_uri": notebook, "runtime_environment_name": "galaxy", "compute_type": "CPU",
        "output_formats": ["ipynb"], "parameters": parameters or {}})
    assert response.status_code == 200, response.text
    return response.json()["job_id"]


def wait_for_job(lab: LabServer, job_id: str, condition, what: str) -> dict:
    deadline = time.monotonic() + BOUND_SECONDS
    while time.monotonic() < deadline:
        job = lab.api("GET", f"scheduler/jobs/{job_id}").json()
        if condition(job):
            return job
        time.sleep(1)
    pytest.fail(f"job {job_id}: {what} not within {BOUND_SECONDS} s; last seen {job}")


def galaxy_id(job: dict) -> str:
    assert job["idempotency_token"].startswith("galaxy:")
    return job["idempotency_token"].removeprefix("galaxy:")


def message(job: dict) -> str:
    return job.get("status_message") or ""


@pytest.fixture(scope="module")
def gated_run(lab, galaxy_instance, new_release_file):
    """A gated job seen running with its progress lines, then released and finished."""
    notebook = write_gated_notebook(lab.workspace / "project")
    release = new_release_file()
    started = time.monotonic()
    job_id = create_job(lab, "project/gated.ipynb", "gated run", {"release_file": str(release)})
    first = wait_for_job(lab, job_id, lambda job: "| cell " in message(job), "a first progress line")
    record_latency("submit_to_first_progress_line_s", time.monotonic() - started)
    running = wait_for_job(lab, job_id, lambda job: WAITING_LINE in message(job), "the waiting cell's line")
    galaxy_state = galaxy_instance.jobs.show_job(galaxy_id(running))["state"]
    release.write_text("go\n")
    done = wait_for_job(lab, job_id, lambda job: job["status"] in FINISHED, "the end")
    return {"notebook": notebook, "first": first, "running": running, "galaxy_state_while_running": galaxy_state,
            "done": done}


def test_a_job_shows_galaxy_state_and_cell_progress_while_it_runs(gated_run):
    running = gated_run["running"]
    assert running["status"] == "IN_PROGRESS" and gated_run["galaxy_state_while_running"] == "running"
    assert message(running).startswith(f"Galaxy job {galaxy_id(running)}: running | ")
    assert message(running).endswith(f"| {WAITING_LINE}") and "| cell 3 (3/5) ok in " in message(running)
    assert message(gated_run["first"]).count("| cell ") >= 1


def test_the_job_ran_as_run_jupyter_job_in_the_session_history(gated_run, galaxy_instance, history_id):
    done = gated_run["done"]
    assert done["status"] == "COMPLETED", message(done)
    details = galaxy_instance.jobs.show_job(galaxy_id(done), full_details=True)
    assert (details["tool_id"], details["history_id"], details["state"]) == ("run_jupyter_job", history_id, "ok")
    names = {dataset["name"] for dataset in galaxy_instance.datasets.get_datasets(history_id=history_id, deleted=False)}
    assert {"gated.ipynb", "train.h5"} <= names  # the notebook and the H5 file it opens, found on its own
    report = json.loads(galaxy_instance.datasets.download_dataset(details["outputs"]["report"]["id"]))
    assert report["parameters"] == {"release_file": done["parameters"]["release_file"]}


def test_the_outputs_are_in_jobs_job_name(gated_run, lab):
    done = gated_run["done"]
    folder = lab.workspace / "jobs" / "gated run"
    report = json.loads((folder / "report.json").read_text())
    assert [model["name"] for model in report["models"]] == ["classifier"] and report["models"][0]["parity"]["ok"]
    assert (folder / "onnx" / "classifier.onnx").stat().st_size > 100
    with h5py.File(folder / "results.h5", "r") as results:
        assert 0.5 <= float(results.attrs["train_accuracy"]) <= 1.0
    executed = json.loads((folder / "executed_notebook.ipynb").read_text())
    texts = ["".join(output.get("text", "")) for cell in executed["cells"] for output in cell.get("outputs", [])]
    assert "released\n" in texts
    assert (folder / "gated.ipynb").read_bytes() == gated_run["notebook"].read_bytes()
    files = {job_file["file_format"]: job_file.get("file_path") for job_file in done["job_files"]}
    assert files["ipynb"] == "jobs/gated run/executed_notebook.ipynb" and files["input"] == "jobs/gated run/gated.ipynb"
    assert done["downloaded"] is True and done.get("status_message") is None


def test_a_failing_notebook_names_its_cell_and_line(lab):
    copy_test_notebook(lab.workspace, "fails_in_cell3.ipynb")
    job_id = create_job(lab, "fails_in_cell3.ipynb", "failing run")
    done = wait_for_job(lab, job_id, lambda job: job["status"] in FINISHED, "the end")
    assert done["status"] == "FAILED"
    assert message(done).endswith("error in cell 3, line 2: ZeroDivisionError: division by zero")


def test_stop_cancels_the_galaxy_job(lab, galaxy_instance, new_release_file):
    write_gated_notebook(lab.workspace / "to_stop")
    job_id = create_job(lab, "to_stop/gated.ipynb", "stopped run", {"release_file": str(new_release_file())})
    running = wait_for_job(lab, job_id, lambda job: WAITING_LINE in message(job), "the waiting cell's line")
    response = lab.api("PATCH", f"scheduler/jobs/{job_id}", json={"status": "STOPPED"})
    assert response.status_code == 204, response.text
    stopped = wait_for_job(lab, job_id, lambda job: job["status"] == "STOPPED", "stopped")
    assert galaxy_instance.jobs.show_job(galaxy_id(running))["state"] in GALAXY_STOPPED
    assert message(stopped) == "stopped in Galaxy"


def test_an_h5_input_chosen_on_the_form_must_exist(lab, galaxy_instance, history_id):
    write_gated_notebook(lab.workspace / "missing_input")
    before = len(galaxy_instance.jobs.get_jobs(history_id=history_id))
    response = lab.api("POST", "scheduler/jobs", json={
        "name": "bad input", "input_uri": "missing_input/gated.ipynb", "runtime_environment_name": "galaxy",
        "parameters": {"h5_inputs": "train.h5, missing.h5"}})
    assert response.status_code == 500
    assert "h5_inputs: no file 'missing.h5' beside gated.ipynb" in response.json()["message"]
    assert len(galaxy_instance.jobs.get_jobs(history_id=history_id)) == before


def test_the_small_keras_notebook_end_to_end(lab):
    copy_test_notebook(lab.workspace / "keras", "keras_train.ipynb", "train.h5", "test.h5")
    started = time.monotonic()
    job_id = create_job(lab, "keras/keras_train.ipynb", "keras run", {"epochs": "3"})
    done = wait_for_job(lab, job_id, lambda job: job["status"] in FINISHED, "the end")
    record_latency("keras_notebook_end_to_end_s", time.monotonic() - started)
    assert done["status"] == "COMPLETED", message(done)
    folder = lab.workspace / "jobs" / "keras run"
    with h5py.File(folder / "results.h5", "r") as results:
        assert int(results.attrs["epochs"]) == 3 and results["predicted_class"].shape == (60,)
    assert (folder / "onnx" / "model.onnx").stat().st_size > 2000


def test_the_job_list_is_rebuilt_from_galaxy_after_a_restart(lab, jupyter_venv, tmp_path_factory, galaxy_env,
                                                             galaxy_instance, history_id, new_release_file):
    """A new session (new server, empty database) lists the history's notebook jobs, and follows the one
    still running to its end."""
    write_gated_notebook(lab.workspace / "across")
    release = new_release_file()
    job_id = create_job(lab, "across/gated.ipynb", "across a restart", {"release_file": str(release)})
    running = wait_for_job(lab, job_id, lambda job: WAITING_LINE in message(job), "the waiting cell's line")
    lab.stop()
    fresh = start_lab(jupyter_venv, tmp_path_factory.mktemp("lab_again"), LAB_PORT, galaxy_env)
    try:
        in_galaxy = {job["id"]: job["state"] for job in galaxy_instance.jobs.get_jobs(history_id=history_id)
                     if job["tool_id"] == "run_jupyter_job"}
        deadline = time.monotonic() + BOUND_SECONDS
        while time.monotonic() < deadline:
            listed = {galaxy_id(job): job for job in fresh.api("GET", "scheduler/jobs").json()["jobs"]}
            if set(listed) == set(in_galaxy):
                break
            time.sleep(1)
        assert set(listed) == set(in_galaxy)
        assert {listed[galaxy_id(running)]["name"]} == {f"gated-{galaxy_id(running)}"}
        statuses = sorted(job["status"] for gid, job in listed.items() if gid != galaxy_id(running))
        assert statuses == ["COMPLETED", "COMPLETED", "FAILED", "STOPPED"]
        release.write_text("go\n")
        rebuilt_id = listed[galaxy_id(running)]["job_id"]
        done = wait_for_job(fresh, rebuilt_id, lambda job: job["status"] in FINISHED, "the end after the restart")
        assert done["status"] == "COMPLETED"
        assert (fresh.workspace / "jobs" / f"gated-{galaxy_id(running)}" / "report.json").is_file()
    finally:
        fresh.stop()
