"""The child interpreter: runs the cells as ``__main__``, then exports models and writes results.

Started by the supervisor as ``python -m notebook_job.child PLAN.json``. Whatever happens in the
user's code (an error, ``sys.exit``, SIGTERM), the models and results that exist by then are still
exported and written, and the outcome is left in the plan's ``outcome`` file for the parent.
"""
from __future__ import annotations

import builtins
import json
import os
import signal
import sys
import time
from pathlib import Path

from notebook_job.cell_runner import PROGRESS_PREFIX, JobInterrupted, fresh_main_module, run_cells
from notebook_job.environment import apply_seed, compute_device, package_versions
from notebook_job.models import find_models
from notebook_job.notebook_code import CodeCell
from notebook_job.notebook_helpers import NotebookHelpers, display
from notebook_job.onnx_export import export_model
from notebook_job.input_reads import read_from_hdf5, watch_hdf5_reads
from notebook_job.results_h5 import select_results, write_results


def _interrupt(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise JobInterrupted()


def _export_all(namespace: dict, onnx_dir: Path) -> list[dict]:
    onnx_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for found in find_models(namespace):
        print(f"{PROGRESS_PREFIX} exporting {found.framework} model {found.name!r} to ONNX", flush=True)
        entries.append(export_model(found, namespace, onnx_dir))
    return entries


def _write_results(namespace: dict, plan: dict) -> dict:
    selection = select_results(namespace, plan["save"], plan["auto_save_limit"], read_from_hdf5)
    saved = write_results(Path(plan["results"]), selection)
    return {"saved": saved, "skipped": selection.skipped, "warnings": selection.warnings}


def run_plan(plan: dict) -> dict:
    """Everything the child does; returns the outcome the parent turns into the report."""
    workdir = Path(plan["workdir"])
    os.chdir(workdir)
    sys.path.insert(0, str(workdir))
    sys.argv = [plan["code_name"]]
    apply_seed(plan["seed"])
    watch_hdf5_reads()
    signal.signal(signal.SIGTERM, _interrupt)
    namespace = fresh_main_module({"__builtins__": builtins, "display": display}).__dict__
    namespace["_nbjob"] = NotebookHelpers(namespace)
    if plan.get("script_path"):
        namespace["__file__"] = plan["script_path"]
    cells = [CodeCell(**cell) for cell in plan["cells"]]
    run = run_cells(cells, namespace)
    outcome = {"cells": run.timings, "failure": run.failure.as_dict() if run.failure else None}
    try:
        export_started = time.perf_counter()
        outcome["models"] = _export_all(namespace, Path(plan["onnx_dir"]))
        outcome["results"] = _write_results(namespace, plan)
        outcome["export_seconds"] = round(time.perf_counter() - export_started, 3)
    except JobInterrupted:
        outcome.setdefault("models", [])
        outcome["failure"] = outcome["failure"] or {"where": "export", "message": "stopped by SIGTERM",
                                                    "kind": "interrupted"}
    outcome["versions"] = package_versions()
    outcome["device"] = compute_device()
    return outcome


def main() -> int:
    plan = json.loads(Path(sys.argv[1]).read_text())
    outcome = run_plan(plan)
    Path(plan["outcome"]).write_text(json.dumps(outcome, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
