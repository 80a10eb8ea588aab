"""The training workflow on the routed Galaxy: run_jupyter_job runs on Pulsar, the prediction steps locally.

scripts/run_tests.sh starts a second Galaxy with GXJ_ROUTING=tpv: TPV (scripts/galaxy/tpv_rules.yml)
sends run_jupyter_job, which declares cuda_device_count_max 1, to the `gpu` destination, served by a
Pulsar server on loopback that stands in for a GPU node. The test runs workflows/train_and_predict
there and checks, from Galaxy's job records, Galaxy's log and Pulsar's own staging directory, that
- the training job went through TPV to `gpu` and the Pulsar runner, every other job stayed local;
- its H5 inputs (the list's train and test elements) were staged into Pulsar's job directory;
- the ONNX models it wrote there came back into Galaxy byte for byte, load in onnxruntime, and went
  on as a collection into the prediction step (mapped over, one job per model).
It writes what it saw (destinations, run times) to test-reports/routing.json.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from datetime import datetime
from pathlib import Path

import h5py
import pytest
import yaml

pytestmark = pytest.mark.routing

REPO = Path(__file__).resolve().parents[2]
TEST_DATA = REPO / "test-data"
WORKFLOW = REPO / "workflows" / "train_and_predict.gxwf.yml"
WAIT_SECONDS = 900


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(gi, history_id: str, path: Path, file_type: str) -> str:
    dataset = gi.tools.upload_file(str(path), history_id, file_type=file_type)["outputs"][0]["id"]
    gi.datasets.wait_for_dataset(dataset, maxwait=WAIT_SECONDS)
    return dataset


def download(gi, dataset_id: str) -> bytes:
    return gi.datasets.download_dataset(dataset_id, use_default_filename=False, require_ok_state=False)


def elements(gi, collection_id: str) -> dict[str, str]:
    collection = gi.dataset_collections.show_dataset_collection(collection_id)
    return {e["element_identifier"]: e["object"]["id"] for e in collection["elements"]}


def wait_for_invocation_jobs(gi, invocation_id: str) -> list[dict]:
    """Wait until every step is scheduled and every job is terminal; return the jobs' full details."""
    gi.invocations.wait_for_invocation(invocation_id, maxwait=WAIT_SECONDS)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        jobs = gi.jobs.get_jobs(invocation_id=invocation_id)
        if all(job["state"] in ("ok", "error", "deleted", "skipped") for job in jobs):
            return [gi.jobs.show_job(job["id"], full_details=True) for job in jobs]
        assert time.monotonic() < deadline, f"jobs still running after {WAIT_SECONDS}s: {jobs}"
        time.sleep(3)


def test_workflow_training_runs_on_pulsar_and_models_flow_into_local_prediction(routed_galaxy, report_dir):
    from bioblend.galaxy import GalaxyInstance

    url = routed_galaxy["GXJ_ROUTING_GALAXY_URL"]
    gi = GalaxyInstance(url, key=routed_galaxy["GXJ_ROUTING_API_KEY"])
    admin = GalaxyInstance(url, key=routed_galaxy["GXJ_ROUTING_ADMIN_KEY"])
    state_dir = Path(routed_galaxy["GXJ_ROUTING_STATE_DIR"])
    staging = state_dir / "pulsar" / "staging"

    history = gi.histories.create_history(name="routing: train on Pulsar, predict locally")["id"]
    notebook = upload(gi, history, TEST_DATA / "train_two_models.ipynb", "ipynb")
    h5 = {name: upload(gi, history, TEST_DATA / f"{name}.h5", "h5") for name in ("train", "test")}
    h5_list = gi.histories.create_dataset_collection(history, {
        "collection_type": "list", "name": "H5 data",
        "element_identifiers": [{"name": name, "src": "hda", "id": dataset} for name, dataset in h5.items()],
    })["id"]
    workflow = gi.workflows.import_workflow_dict(yaml.safe_load(WORKFLOW.read_text()))["id"]
    invocation = gi.workflows.invoke_workflow(
        workflow, history_id=history, inputs_by="name", allow_tool_state_corrections=True,
        inputs={"notebook": {"src": "hda", "id": notebook}, "h5_data": {"src": "hdca", "id": h5_list}},
    )
    jobs = wait_for_invocation_jobs(gi, invocation["id"])
    invocation = gi.invocations.show_invocation(invocation["id"])

    # Which destination ran each job: Galaxy's record (runner, its job id there) and TPV's decision in the log
    log = (state_dir / "galaxy.log").read_text(errors="replace")
    seen = []
    for job in jobs:
        params = admin.make_get_request(f"{url}/api/jobs/{job['id']}/destination_params").json()
        decoded = admin.make_get_request(f"{url}/api/configuration/decode/{job['id']}").json()["decoded_id"]
        mapped = re.search(rf"\({decoded}\) Mapped job to destination id: (\S+)", log)
        metrics = {m["name"]: m["raw_value"] for m in job.get("job_metrics", [])}
        seen.append({
            "tool_id": job["tool_id"], "state": job["state"], "galaxy_job_id": decoded,
            "destination": mapped.group(1) if mapped else None, "runner": params.get("Runner"),
            "runner_job_id": params.get("Runner Job ID"), "pulsar_url": params.get("url"),
            "runtime_seconds": float(metrics["runtime_seconds"]) if "runtime_seconds" in metrics else None,
            "create_time": job["create_time"], "update_time": job["update_time"],
        })
    seen.sort(key=lambda entry: (entry["create_time"], entry["tool_id"]))
    started = datetime.fromisoformat(invocation["create_time"])
    finished = max(datetime.fromisoformat(entry["update_time"]) for entry in seen)
    report = {"workflow": WORKFLOW.name, "invocation_state": invocation["state"],
              "run_seconds": round((finished - started).total_seconds(), 1), "jobs": seen}
    (report_dir / "routing.json").write_text(json.dumps(report, indent=2) + "\n")

    by_tool: dict[str, list[dict]] = {}
    for entry in seen:
        by_tool.setdefault(entry["tool_id"], []).append(entry)
    assert sorted((tool, len(entries)) for tool, entries in by_tool.items()) == [
        ("__EXTRACT_DATASET__", 1), ("onnx_predict", 2), ("run_jupyter_job", 1)], seen
    assert all(entry["state"] == "ok" for entry in seen), seen
    train = by_tool["run_jupyter_job"][0]
    assert train["destination"] == "gpu" and train["runner"] == "pulsar", train
    assert train["pulsar_url"].startswith("http://127.0.0.1:")
    for predict in by_tool["onnx_predict"]:
        assert predict["destination"] == "cpu" and predict["runner"] == "local", predict

    # Pulsar's job directory (kept: Galaxy's cleanup_job is never): inputs staged in, models written there
    pulsar_job = staging / train["runner_job_id"]
    assert (pulsar_job / "command.sh").is_file(), f"no Pulsar job directory {pulsar_job}"
    staged = {sha256(path.read_bytes()) for path in (pulsar_job / "inputs").iterdir()}
    for name in ("train", "test"):
        assert sha256((TEST_DATA / f"{name}.h5").read_bytes()) in staged, f"{name}.h5 not staged into {pulsar_job}/inputs"
    written = {path.stem: path.read_bytes() for path in (pulsar_job / "working" / "onnx_models").glob("*.onnx")}
    assert sorted(written) == ["classifier", "mlp"]

    # ... staged back into Galaxy unchanged, as a two-element collection that onnxruntime loads
    import onnxruntime as ort

    outputs = invocation["output_collections"]
    models = elements(gi, outputs["onnx_models"]["id"])
    assert sorted(models) == ["classifier", "mlp"]
    for name, dataset in models.items():
        data = download(gi, dataset)
        assert len(data) > 500 and data == written[name], name
        session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
        assert session.get_inputs()[0].shape[-1] == 16

    # ... and on into the prediction step, one element per model
    predictions = elements(gi, outputs["predictions"]["id"])
    metrics = elements(gi, outputs["metrics"]["id"])
    assert sorted(predictions) == sorted(metrics) == ["classifier", "mlp"]
    for name in models:
        scored = json.loads(download(gi, metrics[name]))
        assert scored["model"] == name and scored["n_samples"] == 60 and scored["accuracy"] >= 0.8, scored
        with h5py.File(io.BytesIO(download(gi, predictions[name])), "r") as result:
            assert result["predicted_class"].shape == (60,)
            assert float(result.attrs["accuracy"]) == pytest.approx(scored["accuracy"])
