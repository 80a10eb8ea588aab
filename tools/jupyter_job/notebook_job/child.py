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
from collections.abc import Callable
from pathlib import Path

from notebook_job.checkpoint import request_stop
from notebook_job.deliver.native_models import write_native_archive
from notebook_job.deliver.results_h5 import select_results, write_results
from notebook_job.export.models import FoundModel, find_models
from notebook_job.export.onnx_export import export_model
from notebook_job.prepare.notebook_code import CodeCell
from notebook_job.run.cell_runner import PROGRESS_PREFIX, fresh_main_module, run_cells
from notebook_job.run.environment import apply_seed, compute_device, package_versions
from notebook_job.run.input_reads import read_from_hdf5, watch_hdf5_reads
from notebook_job.run.notebook_helpers import NotebookHelpers, display


def _stop_cells(signum, frame) -> None:
    request_stop()


def _export_all(namespace: dict, onnx_dir: Path, found: list[FoundModel] | None = None,
                after_each: Callable[[list[dict]], None] | None = None) -> list[dict]:
    """Export every model; ``after_each`` sees the entries so far, so progress survives a kill."""
    onnx_dir.mkdir(parents=True, exist_ok=True)
    entries: list[dict] = []
    for item in find_models(namespace) if found is None else found:
        print(f"{PROGRESS_PREFIX} exporting {item.framework} model {item.name!r} to ONNX", flush=True)
        entries.append(export_model(item, namespace, onnx_dir))
        if after_each:
            after_each(entries)
    return entries


def _write_results(namespace: dict, plan: dict) -> dict:
    selection = select_results(namespace, plan["save"], plan["auto_save_limit"], read_from_hdf5)
    saved = write_results(Path(plan["results"]), selection)
    return {"saved": saved, "skipped": selection.skipped, "warnings": selection.warnings}


def _native_archive(found: list[FoundModel], archive: str) -> dict:
    print(f"{PROGRESS_PREFIX} saving {len(found)} model(s) in their own formats to {Path(archive).name}", flush=True)
    members, warnings = write_native_archive(found, Path(archive))
    return {"members": members, "warnings": warnings}


def run_plan(plan: dict) -> None:
    """Everything the child does. The outcome file is rewritten after each step, so a child killed
    during the export still leaves what it had done for the parent's report."""
    outcome: dict = {}

    def save() -> None:
        Path(plan["outcome"]).write_text(json.dumps(outcome, indent=1, default=str))

    workdir = Path(plan["workdir"])
    os.chdir(workdir)
    sys.path.insert(0, str(workdir))
    sys.argv = [plan["code_name"]]
    apply_seed(plan["seed"])
    watch_hdf5_reads()
    signal.signal(signal.SIGTERM, _stop_cells)
    namespace = fresh_main_module({"__builtins__": builtins, "display": display}).__dict__
    namespace["_nbjob"] = NotebookHelpers(namespace)
    if plan.get("script_path"):
        namespace["__file__"] = plan["script_path"]
    run = run_cells([CodeCell(**cell) for cell in plan["cells"]], namespace)
    # From here on a stop is the parent's business (its grace period); the outputs are written.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    outcome.update(cells=run.timings, records=run.records, failure=run.failure.as_dict() if run.failure else None,
                   versions=package_versions(), device=compute_device())
    save()
    export_started = time.perf_counter()
    found = find_models(namespace)

    def exported_so_far(entries: list[dict]) -> None:
        outcome["models"] = entries
        save()

    outcome["models"] = _export_all(namespace, Path(plan["onnx_dir"]), found, exported_so_far)
    outcome["results"] = _write_results(namespace, plan)
    save()
    if plan.get("native_archive"):
        outcome["native_archive"] = _native_archive(found, plan["native_archive"])
    outcome["export_seconds"] = round(time.perf_counter() - export_started, 3)
    outcome["versions"] = package_versions()
    save()


def main() -> int:
    run_plan(json.loads(Path(sys.argv[1]).read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
