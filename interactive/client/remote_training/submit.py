"""Submit a notebook or script with its HDF5 inputs and parameters to run_jupyter_job; returns at once."""
from __future__ import annotations

import json
from pathlib import Path

from remote_training.connection import Galaxy, connect
from remote_training.histories import history_id, upload_once
from remote_training.jobs import RemoteJob

TOOL_ID = "run_jupyter_job"


def _parameter_fields(index: int, name: str, value: object) -> dict:
    """The form fields of one typed parameter (the tool's 'parameters_repeat')."""
    if isinstance(value, bool):
        kind, shown = "boolean", value
    elif isinstance(value, int):
        kind, shown = "int", value
    elif isinstance(value, float):
        kind, shown = "float", value
    elif isinstance(value, str):
        kind, shown = "text", value
    else:
        kind, shown = "json", json.dumps(value)
    prefix = f"parameters_repeat_{index}|"
    return {prefix + "name": name, prefix + "value_type|type": kind, prefix + "value_type|value": shown}


def _dataset_id(galaxy: Galaxy, history: str, source: str | Path, file_type: str) -> str:
    """A local path is uploaded (once); anything else is taken as a dataset id already in Galaxy."""
    path = Path(source)
    return upload_once(galaxy, history, path, file_type) if path.exists() else str(source)


def tool_inputs(code_id: str, inputs: dict[str, str], parameters: dict, time_limit_minutes: float,
                save: list[str], seed: int, executed_notebook: bool) -> dict:
    """run_jupyter_job's form, filled in: inputs under the names the code opens, typed parameters."""
    fields: dict = {"code": {"src": "hda", "id": code_id}, "advanced|time_limit": time_limit_minutes,
                    "advanced|seed": seed, "advanced|save": ",".join(save)}
    if executed_notebook:
        fields["advanced|extra_outputs"] = "notebook"
    for index, (name, dataset) in enumerate(inputs.items()):
        fields[f"named_inputs_{index}|dataset"] = {"src": "hda", "id": dataset}
        fields[f"named_inputs_{index}|name"] = name
    for index, (name, value) in enumerate(parameters.items()):
        fields.update(_parameter_fields(index, name, value))
    return fields


def submit(code: str | Path, inputs: dict[str, str | Path] | None = None, parameters: dict | None = None,
           history: str | None = None, time_limit_minutes: float = 0, save: list[str] | None = None,
           seed: int = 0, executed_notebook: bool = True, galaxy: Galaxy | None = None) -> RemoteJob:
    """Send ``code`` (a notebook or script path, or a dataset id) to Galaxy and return the job's handle.

    ``inputs`` maps the file names the code opens to local HDF5 paths (uploaded once per content) or
    dataset ids; ``history`` is a name or id (default: the interactive tool's history, else a history
    named 'remote training', reused across calls).
    """
    galaxy = galaxy or connect()
    target = history_id(galaxy, history)
    code_path = Path(code)
    code_type = "ipynb" if code_path.suffix == ".ipynb" else "source.py"
    code_id = _dataset_id(galaxy, target, code, code_type)
    dataset_ids = {name: _dataset_id(galaxy, target, source, "h5") for name, source in (inputs or {}).items()}
    fields = tool_inputs(code_id, dataset_ids, parameters or {}, time_limit_minutes, save or [], seed,
                         executed_notebook and code_type == "ipynb")
    run = galaxy.call(galaxy.gi.tools.run_tool, target, TOOL_ID, fields)
    return RemoteJob(galaxy, run["jobs"][0]["id"], target)
