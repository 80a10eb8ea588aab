"""The run-only mode through a real Galaxy: a notebook from the history run with a dataset and a collection.

Named to run before the browser test, so on a fresh test Galaxy it is the first interactive-tool job:
a job that ends before any entry point was saved must still succeed (Galaxy 26.1 fails it on
"no such table: gxitproxy" unless scripts/galaxy/start.sh created the sessions table).
"""

from __future__ import annotations

import json

import pytest

from lab_paths import REPO, TOOL_ID
from measure_launch import upload

pytestmark = [pytest.mark.galaxy, pytest.mark.timeout(600)]


def test_run_only_places_datasets_and_collections_and_returns_the_notebook(galaxy_instance) -> None:
    gi = galaxy_instance
    history_id = gi.histories.create_history(name="JupyterLab run-only test")["id"]
    notebook_id = upload(gi, history_id, REPO / "test-data" / "read_h5_input.ipynb", "ipynb")
    train_id = upload(gi, history_id, REPO / "test-data" / "train.h5", "h5")
    element_ids = [upload(gi, history_id, REPO / "test-data" / name, "h5") for name in ("test.h5", "features13.h5")]
    collection = gi.histories.create_dataset_collection(
        history_id,
        {
            "collection_type": "list",
            "name": "scans",
            "element_identifiers": [
                {"name": "patient one", "src": "hda", "id": element_ids[0]},
                {"name": "patient2.h5", "src": "hda", "id": element_ids[1]},
            ],
        },
    )
    run = gi.tools.run_tool(
        history_id,
        TOOL_ID,
        {
            "mode|mode": "history",
            "mode|notebook": {"src": "hda", "id": notebook_id},
            "mode|run": "run_only",
            "datasets": {"values": [{"src": "hda", "id": train_id}]},
            "collections_0|collection": {"src": "hdca", "id": collection["id"]},
        },
    )
    job_id = run["jobs"][0]["id"]
    gi.jobs.wait_for_job(job_id, maxwait=540, check=False)
    job = gi.jobs.show_job(job_id, full_details=True)
    assert job["state"] == "ok", job.get("stderr")
    assert "entry point" not in (job.get("stderr") or "")  # no JupyterLab was started

    notebook = json.loads(gi.datasets.download_dataset(job["outputs"]["notebook"]["id"], use_default_filename=False))
    assert "X shape (240, 16)" in json.dumps(notebook["cells"][1]["outputs"])
    outputs = gi.dataset_collections.show_dataset_collection(job["output_collections"]["outputs"]["id"])
    files = {e["element_identifier"]: e["object"]["id"] for e in outputs["elements"]}
    assert sorted(files) == ["files", "summary"]
    listing = gi.datasets.download_dataset(files["files"], use_default_filename=False).decode().splitlines()
    # the dataset under its name, the collection as a folder of its elements (.h5 added where missing)
    assert set(listing) == {"read_h5_input.ipynb", "train.h5", "scans/patient one.h5", "scans/patient2.h5"}
