"""Small bioblend helpers for the tests that run run_jupyter_job in the local test Galaxy."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TOOL_ID = "run_jupyter_job"
WAIT_SECONDS = 600


@dataclass
class ToolRun:
    """A finished job: its details (state, exit code, stderr) and its outputs by name."""

    job: dict
    outputs: dict
    collections: dict


def upload(gi, history_id: str, path: Path, file_type: str) -> str:
    """Upload ``path`` with an explicit type; returns the dataset id once it is ready."""
    dataset = gi.tools.upload_file(str(path), history_id, file_type=file_type)["outputs"][0]["id"]
    gi.datasets.wait_for_dataset(dataset, maxwait=WAIT_SECONDS)
    return dataset


def run_tool(gi, history_id: str, inputs: dict) -> ToolRun:
    """Run the tool and wait for its job, whatever its final state."""
    run = gi.tools.run_tool(history_id, TOOL_ID, inputs)
    job_id = run["jobs"][0]["id"]
    gi.jobs.wait_for_job(job_id, maxwait=WAIT_SECONDS, check=False)
    job = gi.jobs.show_job(job_id, full_details=True)
    outputs = {name: value for name, value in job["outputs"].items()}
    collections = {item["output_name"]: item for item in run["output_collections"]}
    return ToolRun(job, outputs, collections)


def dataset_bytes(gi, dataset) -> bytes:
    """The content of a dataset given as an id or as a job output entry."""
    dataset_id = dataset["id"] if isinstance(dataset, dict) else dataset
    return gi.datasets.download_dataset(dataset_id, use_default_filename=False, require_ok_state=False)
