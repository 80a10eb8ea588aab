"""A job stopped by its time limit leaves a checkpoint in the history; a second job resumes from it.

Runs against the local test Galaxy (marker ``galaxy``): both jobs go through the real tool, the
checkpoint travels as an element of the first job's outputs collection into the second job's
HDF5 input, and the second job's results say from which epoch it went on.
"""
from __future__ import annotations

import io
import json

import h5py
import pytest

from galaxy_jobs import TOOL_ID, dataset_bytes, run_tool, upload

pytestmark = pytest.mark.galaxy


def _collection_elements(gi, history_id: str, output: dict) -> dict:
    collection = gi.histories.show_dataset_collection(history_id, output["id"])
    return {element["element_identifier"]: element["object"]["id"] for element in collection["elements"]}


def test_time_limit_checkpoint_then_resume(galaxy_instance, test_data_dir):
    gi = galaxy_instance
    history = gi.histories.create_history(name="checkpoint and resume")["id"]
    notebook = upload(gi, history, test_data_dir / "resume_training.ipynb", "ipynb")
    train = upload(gi, history, test_data_dir / "train.h5", "h5")

    # Training holds once its first epoch is checkpointed (the notebook's hold_after_epoch), so the time limit
    # lands there whenever it comes: one minute is only what importing Keras and one epoch may take on a busy
    # machine, never a race with the work.
    first = run_tool(gi, history, {
        "code": {"src": "hda", "id": notebook},
        "h5_inputs": {"values": [{"src": "hda", "id": train}]},
        "parameters_repeat_0|name": "hold_after_epoch",
        "parameters_repeat_0|value_type|type": "int",
        "parameters_repeat_0|value_type|value": 1,
        "advanced|time_limit": 1,
    })
    assert first.job["exit_code"] == 3, first.job["stderr"]
    assert first.job["state"] == "ok"  # exit 3 is a warning: the outputs are kept
    assert "holding training after epoch 1 until the job is stopped" in first.job["stdout"]
    report = json.loads(dataset_bytes(gi, first.outputs["report"]))
    assert report["status"] == "time limit"
    assert report["message"] == "time limit of 60 s reached in cell 5; the outputs written by then are kept"
    checkpoint_id = _collection_elements(gi, history, first.collections["output_files"])["checkpoint.weights"]
    with h5py.File(io.BytesIO(dataset_bytes(gi, checkpoint_id)), "r") as h5:
        stopped_at = int(h5.attrs["epoch"])
        assert "layers" in h5
    assert stopped_at == 1
    assert list(_collection_elements(gi, history, first.collections["onnx_models"])) == ["model"]

    second = run_tool(gi, history, {
        "code": {"src": "hda", "id": notebook},
        "h5_inputs": {"values": [{"src": "hda", "id": train}, {"src": "hda", "id": checkpoint_id}]},
        "parameters_repeat_0|name": "more_epochs",
        "parameters_repeat_0|value_type|type": "int",
        "parameters_repeat_0|value_type|value": 2,
    })
    assert second.job["exit_code"] == 0, second.job["stderr"]
    with h5py.File(io.BytesIO(dataset_bytes(gi, second.outputs["results"])), "r") as h5:
        assert int(h5.attrs["start"]) == stopped_at
        assert int(h5.attrs["epochs_run"]) == 2
        assert len(h5["history/loss"]) == 2
    resumed = json.loads(dataset_bytes(gi, second.outputs["report"]))
    assert [entry["name"] for entry in resumed["inputs"]] == ["train.h5", "checkpoint.weights.h5"]
    assert resumed["parameters"] == {"more_epochs": 2}
    assert TOOL_ID == "run_jupyter_job"
