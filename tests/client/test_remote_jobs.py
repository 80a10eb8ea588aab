"""Remote training against the local test Galaxy: submit, wait, download, run the ONNX model.

Marked ``galaxy``: scripts/run_tests.sh runs these after it has started the test Galaxy. The restart
test stops and starts that same Galaxy (its state dir and port come from the environment the
script exported), so it runs last in this module.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from remote_training import GalaxyAuthError, RemoteJob, RemoteJobFailed, connect, get, put, submit, sweep

pytestmark = pytest.mark.galaxy
REPO = Path(__file__).resolve().parents[2]
HISTORY = "client tests"


@pytest.fixture(scope="module")
def trained(galaxy, test_data_dir, tmp_path_factory):
    """One finished Keras job, shared by the tests that only read its outputs."""
    started = time.monotonic()
    job = submit(test_data_dir / "keras_train.ipynb", galaxy=galaxy, history=HISTORY,
                 inputs={"train.h5": test_data_dir / "train.h5", "test.h5": test_data_dir / "test.h5"},
                 parameters={"epochs": 3})
    job.wait(timeout=600)
    job.round_trip_seconds = time.monotonic() - started
    job.downloaded = job.download(tmp_path_factory.mktemp("trained"))
    return job


def test_submit_wait_download_and_predict_with_the_onnx_model(trained, test_data_dir):
    import h5py
    import onnxruntime

    print(f"round trip of a small remote job: {trained.round_trip_seconds:.1f} s")
    assert trained.status() == "ok" and not trained.stopped_by_time_limit
    onnx_path = trained.downloaded["onnx:model"]
    with h5py.File(test_data_dir / "test.h5", "r") as h5:
        X_test, y_test = h5["X"][:], h5["y"][:]
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    predicted = session.run(None, {session.get_inputs()[0].name: X_test})[0].argmax(axis=1)
    with h5py.File(trained.downloaded["results"], "r") as results:
        assert int(results.attrs["epochs"]) == 3
        np.testing.assert_array_equal(predicted, results["predicted_class"][:])
    assert np.mean(predicted == y_test) >= 0.7
    report = trained.report()
    assert report["parameters"] == {"epochs": 3}
    assert report["models"][0]["parity"]["ok"] is True
    assert "[run_jupyter_job] cell 6" in trained.stdout


def test_the_same_file_is_not_uploaded_twice_and_the_history_is_reused(galaxy, trained, test_data_dir):
    again = submit(test_data_dir / "fails_in_cell3.ipynb", galaxy=galaxy, history=HISTORY,
                   inputs={"train.h5": test_data_dir / "train.h5"})
    assert again.history_id == trained.history_id
    named = galaxy.gi.datasets.get_datasets(history_id=trained.history_id, name="train.h5", deleted=False)
    assert len(named) == 1
    with pytest.raises(RemoteJobFailed) as failed:
        again.wait(timeout=600)
    assert str(failed.value).endswith("error in cell 3, line 2: ZeroDivisionError: division by zero")
    assert failed.value.exit_code == 1 and "Traceback" in failed.value.stderr


def test_a_wrong_key_fails_at_once_and_clearly(galaxy_url, monkeypatch):
    import remote_training.connection

    def no_retry(seconds: float) -> None:
        raise AssertionError(f"a refused key was retried (backoff of {seconds} s)")

    monkeypatch.setattr(remote_training.connection.time, "sleep", no_retry)
    with pytest.raises(GalaxyAuthError, match="refused the API key|did not recognise the API key"):
        connect(galaxy_url, "0" * 32)


def test_wait_times_out_without_losing_the_job(galaxy, test_data_dir):
    # the notebook writes outputs/partial.txt, then holds until the time limit: the job is still running
    # when wait() gives up, and stopped by its limit (15 s, long for a few lines of Python) when attached
    job = submit(test_data_dir / "holds_until_stopped.ipynb", galaxy=galaxy, history=HISTORY,
                 inputs={"train.h5": test_data_dir / "train.h5"}, time_limit_minutes=0.25)
    with pytest.raises(TimeoutError, match=f"RemoteJob.attach\\('{job.id}'\\)"):
        job.wait(timeout=1, poll_seconds=0.5)
    attached = RemoteJob.attach(job.id, galaxy=galaxy).wait(timeout=600)
    assert attached.stopped_by_time_limit
    assert "partial" in attached.collection("output_files")


def test_a_sweep_runs_one_job_per_parameter_set(galaxy, test_data_dir, tmp_path):
    runs = sweep(test_data_dir / "keras_train.ipynb", [{"epochs": 1}, {"epochs": 2}], galaxy=galaxy,
                 history=HISTORY, inputs={"train.h5": test_data_dir / "train.h5", "test.h5": test_data_dir / "test.h5"})
    table = runs.wait(timeout=900).table(metrics=["epochs", "test_accuracy"])
    assert [(row["epochs"], row["ok"]) for row in table] == [(1, True), (2, True)]
    assert all(0.0 <= row["test_accuracy"] <= 1.0 and row["models"]["model"] < 1e-4 for row in table)
    assert len({row["job"] for row in table}) == 2


def test_get_and_put_round_trip(galaxy, tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("kept in the history\n")
    dataset = put(source, file_type="txt", history=HISTORY, galaxy=galaxy)
    assert put(source, file_type="txt", history=HISTORY, galaxy=galaxy) == dataset
    copy = get(dataset, tmp_path / "back", galaxy=galaxy)
    assert copy.name == "notes.txt" and copy.read_text() == "kept in the history\n"


def test_run_script_job_keeps_the_published_signature(galaxy_url, galaxy_api_key, test_data_dir, tmp_path):
    from galaxy_script_job import run_script_job

    outputs = run_script_job(str(test_data_dir / "sklearn_train.py"), {"features13.h5": str(test_data_dir / "features13.h5")},
                             galaxy_url, galaxy_api_key, HISTORY, download_to=tmp_path)
    assert set(outputs["onnx_models"]) == {"classifier"}
    assert (tmp_path / "onnx" / "classifier.onnx").stat().st_size > 0


def _galaxy_script(name: str) -> None:
    subprocess.run([str(REPO / "scripts" / "galaxy" / name)], check=True, env=os.environ)


@pytest.mark.skipif(not os.environ.get("GXJ_STATE_DIR"), reason="needs scripts/run_tests.sh's Galaxy to restart")
def test_wait_survives_a_galaxy_restart(galaxy, trained):
    """Galaxy is down when wait() starts polling and comes back meanwhile: the client retries, then sees the state."""
    _galaxy_script("stop.sh")  # down for sure before the first poll, whatever the machine's speed
    starting = threading.Thread(target=_galaxy_script, args=("start.sh",))
    starting.start()
    job = RemoteJob(galaxy, trained.id, trained.history_id)
    try:
        assert job.wait(timeout=900, poll_seconds=2).status() == "ok"
    finally:
        starting.join()
    assert galaxy.gi.config.get_version()["version_major"]
