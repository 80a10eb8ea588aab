"""The child interpreter: runs the cells as ``__main__``, then writes results and exports models.

Started by the supervisor as ``python -m notebook_job.child PLAN.json``. Whatever happens in the
user's code (an error, ``sys.exit``, SIGTERM), the results and models that exist by then are still
written and exported, and the outcome, with the phase reached, is left in the plan's ``outcome``
file for the parent.
"""
from __future__ import annotations

import builtins
import json
import os
import signal
import sys
import time
from pathlib import Path

from notebook_job.checkpoint import request_stop
from notebook_job.deliver.native_models import write_native_archive
from notebook_job.deliver.results_h5 import select_results, write_results
from notebook_job.deliver.training_curves import find_curves
from notebook_job.export.export_loop import Budget, ExportLoop
from notebook_job.export.models import FoundModel, find_models
from notebook_job.prepare.notebook_code import CodeCell
from notebook_job.run.cell_runner import PROGRESS_PREFIX, fresh_main_module, run_cells
from notebook_job.run.environment import apply_seed, compute_device, package_versions
from notebook_job.run.fit_inputs import watch_fit_inputs
from notebook_job.run.input_reads import read_from_hdf5, watch_hdf5_reads
from notebook_job.run.notebook_helpers import NotebookHelpers, display


def _stop_cells(signum, frame) -> None:
    request_stop()


def _write_results(namespace: dict, plan: dict) -> dict:
    selection = select_results(namespace, plan["save"], plan["auto_save_limit"], read_from_hdf5)
    saved = write_results(Path(plan["results"]), selection)
    return {"saved": saved, "skipped": selection.skipped, "warnings": selection.warnings}


def _native_archive(found: list[FoundModel], archive: str) -> dict:
    print(f"{PROGRESS_PREFIX} saving {len(found)} model(s) in their own formats to {Path(archive).name}", flush=True)
    members, warnings = write_native_archive(found, Path(archive))
    return {"members": members, "warnings": warnings}


class Outcome(dict):
    """What the child did so far, rewritten to the plan's outcome file after every step, so that a
    child killed at any point (the grace period ran out) leaves a truthful record for the parent."""

    def __init__(self, path: str) -> None:
        super().__init__(phase="starting")
        self.path = Path(path)
        self.loop: ExportLoop | None = None

    def save(self) -> None:
        """Written beside and renamed over: a kill in the middle of a write never leaves half a file."""
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(self, indent=1, default=str))
        os.replace(partial, self.path)

    def enter(self, phase: str) -> None:
        self["phase"] = phase
        self.save()

    def stop_received(self, grace: float) -> None:
        """SIGTERM after the cells: remember where it landed; the exports left share the grace period."""
        if "stopped_during" not in self:
            where = {"phase": self["phase"]}
            if self.loop is not None:
                where.update(self.loop.describe_current() or {})
            self["stopped_during"] = where
        if self.loop is not None:
            self.loop.stop_requested(grace)
        self.save()


def _prepare_process(plan: dict) -> dict:
    """cwd, sys.path, argv, seeds and watchers as the notebook expects them; returns its namespace."""
    workdir = Path(plan["workdir"])
    os.chdir(workdir)
    sys.path.insert(0, str(workdir))
    sys.argv = [plan["code_name"]]
    apply_seed(plan["seed"])
    watch_hdf5_reads()
    watch_fit_inputs()
    namespace = fresh_main_module({"__builtins__": builtins, "display": display}).__dict__
    namespace["_nbjob"] = NotebookHelpers(namespace)
    if plan.get("script_path"):
        namespace["__file__"] = plan["script_path"]
    return namespace


def run_plan(plan: dict) -> None:
    """Everything the child does, in an order that keeps every finished output: the cells, then the
    results file (it needs no export), then the ONNX exports, then the native archive."""
    started = time.monotonic()
    grace = float(plan.get("grace", 30))
    outcome = Outcome(plan["outcome"])
    namespace = _prepare_process(plan)
    signal.signal(signal.SIGTERM, _stop_cells)
    outcome.enter("cells")
    run = run_cells([CodeCell(**cell) for cell in plan["cells"]], namespace)
    # From here on a stop shortens the time left (the parent's grace period); the outputs are still written.
    signal.signal(signal.SIGTERM, lambda signum, frame: outcome.stop_received(grace))
    outcome.update(cells=run.timings, records=run.records, failure=run.failure.as_dict() if run.failure else None,
                   versions=package_versions(), device=compute_device())
    outcome["training_curves"] = find_curves(namespace)
    outcome.enter("results")
    outcome["results"] = _write_results(namespace, plan)
    export_started = time.perf_counter()
    found = find_models(namespace)
    outcome.loop = ExportLoop(found, Budget.for_job(started, float(plan.get("time_limit", 0)), grace),
                              lambda entries, exporting: (outcome.update(models=entries, exporting=exporting),
                                                          outcome.save()))
    outcome.enter("export")
    outcome.loop.run(namespace, Path(plan["onnx_dir"]), Path(plan["scratch_dir"]))
    outcome.loop = None
    if plan.get("native_archive"):
        outcome.enter("native archive")
        outcome["native_archive"] = _native_archive(found, plan["native_archive"])
    outcome["export_seconds"] = round(time.perf_counter() - export_started, 3)
    outcome["versions"] = package_versions()
    outcome.enter("done")


def main() -> int:
    run_plan(json.loads(Path(sys.argv[1]).read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
