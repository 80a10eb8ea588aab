"""One bioblend run of the INSTALLED run_jupyter_job on the demo data: the job finds its files in the
installed repository, gets the tool runtime through the job configuration, and its report shows the
exported ONNX model matching the Keras model it came from."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts" / "galaxy"))
from demo_history import fill_demo_history  # noqa: E402

WAIT_SECONDS = 1200


@pytest.mark.toolshed
@pytest.mark.timeout(WAIT_SECONDS * 2)
def test_installed_run_jupyter_job_exports_a_model_at_parity(shed_galaxy, installed: dict) -> None:
    tool = next(tool for tool in installed["tools"] if tool["tool_id"] == "run_jupyter_job")
    history_id, datasets = fill_demo_history(shed_galaxy, REPO / "test-data", timeout_s=WAIT_SECONDS)
    by_name = {d["name"]: d["id"] for d in datasets}
    inputs = {
        "code": {"src": "hda", "id": by_name["keras_train.ipynb"]},
        "h5_inputs": {"values": [{"src": "hda", "id": by_name["train.h5"]}, {"src": "hda", "id": by_name["test.h5"]}]},
    }
    run = shed_galaxy.tools.run_tool(history_id, f"{tool['id']}/{tool['version']}", inputs)
    job_id = run["jobs"][0]["id"]
    shed_galaxy.jobs.wait_for_job(job_id, maxwait=WAIT_SECONDS, check=False)
    job = shed_galaxy.jobs.show_job(job_id, full_details=True)
    assert job["state"] == "ok", job.get("stderr")
    assert job["tool_id"] == f"{tool['id']}/{tool['version']}"
    # the command runs the runner from the installed repository, not from this clone
    assert "/shed_tools/" in job["command_line"] and str(REPO / "tools") not in job["command_line"]

    report = json.loads(shed_galaxy.datasets.download_dataset(job["outputs"]["report"]["id"], use_default_filename=False))
    assert report["status"] == "ok"
    # the runtime venv, given by the job configuration for the installed id: TensorFlow and onnxruntime
    assert {"tensorflow", "onnxruntime"} <= set(report["versions"])
    [model] = report["models"]
    assert model["onnx"] and model["parity"]["ok"] is True
    assert model["parity"]["rows"] > 0 and model["parity"]["max_abs_diff"] < 1e-3
    assert model["parity"]["label_agreement"] == 1.0
    collection = shed_galaxy.histories.show_dataset_collection(history_id, run["output_collections"][0]["id"])
    assert [e["element_identifier"] for e in collection["elements"]] == [model["name"]]
