"""Command line of run_jupyter_job: stage, extract, run in a child, report.

Exit codes: 0 done; 1 the user's code failed (the last stderr line names the cell and line);
2 bad input (notebook, HDF5 file, refused line); 3 time limit reached; 4 stopped by SIGTERM;
5 no model exported while one was required. In cases 1, 3 and 4 whatever was produced is kept.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from notebook_job import __version__
from notebook_job.deliver.executed_notebook import build_executed_notebook, write_executed_notebook
from notebook_job.deliver.galaxy_summaries import output_summaries, write_galaxy_json
from notebook_job.deliver.output_files import deliver_output_files
from notebook_job.deliver.report import TOOL, build_report, settle_models, verdict, write_report
from notebook_job.deliver.report_html import write_report_html
from notebook_job.deliver.results_h5 import DEFAULT_AUTO_LIMIT
from notebook_job.errors import BadInputError, JobError
from notebook_job.prepare.ipython_syntax import rewrite_cell
from notebook_job.prepare.notebook_code import (
    INJECTED_FILENAME,
    PARAMETERS_TAG,
    CodeCell,
    inject_parameters,
    load_cells,
)
from notebook_job.prepare.parameters import typed_parameters
from notebook_job.prepare.staging import JobFile, StagedInput, read_job_file, stage_inputs
from notebook_job.run.supervisor import child_environment, run_child


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=TOOL, description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"{TOOL} {__version__}")
    parser.add_argument("--code", type=Path, required=True, help="notebook (.ipynb) or Python script")
    parser.add_argument("--code-name", help="name shown in messages (default: the file name)")
    parser.add_argument("--code-format", choices=("auto", "ipynb", "python"), default="auto")
    parser.add_argument("--job-file", type=Path, help="JSON from the Galaxy tool: code_name, inputs, parameters")
    parser.add_argument("--input", action="append", default=[], metavar="NAME=PATH", help="one HDF5 input")
    parser.add_argument("--parameters", type=Path, help="JSON object of parameters to inject")
    parser.add_argument("--save", default="", help="variables to save in the results file (comma separated)")
    parser.add_argument("--auto-save-limit", type=int, default=DEFAULT_AUTO_LIMIT, metavar="BYTES")
    parser.add_argument("--workdir", type=Path, default=Path("work"), help="the code's working directory")
    parser.add_argument("--onnx-dir", type=Path, default=Path("onnx_models"))
    parser.add_argument("--results", type=Path, default=Path("results.h5"))
    parser.add_argument("--report", type=Path, default=Path("report.json"))
    parser.add_argument("--report-html", type=Path, help="also write the report as a self-contained HTML page")
    parser.add_argument("--galaxy-json", type=Path, help="write each output's summary here (Galaxy's galaxy.json)")
    parser.add_argument("--outputs-dir", type=Path, default=Path("extra_outputs"),
                        help="where the files the code wrote under outputs/ are delivered, flattened")
    parser.add_argument("--executed-notebook", type=Path, help="write the notebook with its outputs here")
    parser.add_argument("--native-archive", type=Path, help="zip of the models in their own formats")
    parser.add_argument("--time-limit", type=float, default=0, metavar="SECONDS", help="0: no limit")
    parser.add_argument("--grace", type=float, default=30, metavar="SECONDS",
                        help="time between SIGTERM and SIGKILL for saving a checkpoint")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--require-model", action="store_true", help="fail (exit 5) when no model is exported")
    return parser.parse_args(argv)


@dataclass
class PreparedJob:
    """Everything known before the child starts: checked inputs, the code as plain Python, warnings."""

    code_name: str
    cells: list[CodeCell]
    ipython: list[dict]
    parameters: dict
    staged: list[StagedInput]
    warnings: list[str]


def _existing(path: Path, what: str) -> Path:
    if not path.is_file():
        raise BadInputError(f"{what} {path} does not exist")
    return path


def _command_line_inputs(items: list[str]) -> list[tuple[str, Path]]:
    pairs = []
    for item in items:
        name, equals, path = item.partition("=")
        if not equals:
            raise BadInputError(f"--input needs NAME=PATH, got {item!r}")
        pairs.append((name, Path(path)))
    return pairs


def _parameters(job_file: JobFile, path: Path | None) -> dict:
    """Form parameters (typed) and a ``--parameters`` JSON object; the file wins on a shared name."""
    values = typed_parameters(job_file.parameters)
    if path is not None:
        try:
            extra = json.loads(_existing(path, "parameters file").read_text())
        except json.JSONDecodeError as error:
            raise BadInputError(f"parameters are not valid JSON: {error}") from None
        if not isinstance(extra, dict):
            raise BadInputError("parameters must be a JSON object of name: value")
        values.update(extra)
    return values


def prepare_cells(args: argparse.Namespace, code_name: str, parameters: dict) -> tuple[list[CodeCell], list[dict]]:
    """The cells in plain Python with the parameters injected, and the IPython lines that were handled."""
    cells, notes = [], []
    for cell in load_cells(_existing(args.code, "code file"), code_name, args.code_format):
        rewritten, found = rewrite_cell(cell)
        cells.append(rewritten)
        notes.extend(note.as_dict() for note in found)
    return inject_parameters(cells, parameters), notes


def prepare_job(args: argparse.Namespace) -> PreparedJob:
    """Check and stage everything; raises JobError before anything is written when an input is bad."""
    job_file = read_job_file(_existing(args.job_file, "job file")) if args.job_file else JobFile(None, [], [])
    code_name = args.code_name or job_file.code_name or args.code.name
    parameters = _parameters(job_file, args.parameters)
    cells, ipython = prepare_cells(args, code_name, parameters)
    warnings = []
    if parameters and not any(PARAMETERS_TAG in cell.tags for cell in cells):
        warnings.append("no cell is tagged 'parameters': the parameters were set before the first cell, "
                        "so assignments in the notebook override them")
    staged = stage_inputs(job_file.inputs + _command_line_inputs(args.input), args.workdir.resolve())
    return PreparedJob(code_name, cells, ipython, parameters, staged, warnings)


def _link_script(code: Path, cells: list[CodeCell], workdir: Path) -> str | None:
    """A script also lies in its working directory, so ``__file__`` and paths next to it work as usual."""
    names = [cell.filename for cell in cells if not cell.filename.startswith("<")]
    if not names:
        return None
    target = workdir / names[0]
    if target.is_symlink():
        target.unlink()
    if not target.exists():
        target.symlink_to(code.resolve())
    return str(target)


def write_plan(args: argparse.Namespace, job: PreparedJob) -> tuple[Path, Path]:
    """The child's instructions, in a folder beside the work dir; returns (plan, outcome) paths."""
    workdir = args.workdir.resolve()
    written_beside = [path.parent for path in (args.executed_notebook, args.native_archive, args.report_html)
                      if path is not None]
    for path in (args.onnx_dir, args.results.parent, args.report.parent, *written_beside):
        path.resolve().mkdir(parents=True, exist_ok=True)
    plan_dir = workdir.parent / f".{TOOL}"
    plan_dir.mkdir(exist_ok=True)
    outcome_path = plan_dir / "outcome.json"
    outcome_path.unlink(missing_ok=True)
    plan = {
        "workdir": str(workdir), "code_name": job.code_name, "cells": [cell.__dict__ for cell in job.cells],
        "inputs": [item.name for item in job.staged],
        "save": [name.strip() for name in args.save.split(",") if name.strip()],
        "auto_save_limit": args.auto_save_limit, "seed": args.seed, "onnx_dir": str(args.onnx_dir.resolve()),
        "results": str(args.results.resolve()), "outcome": str(outcome_path),
        "native_archive": str(args.native_archive.resolve()) if args.native_archive else None,
        "time_limit": args.time_limit, "grace": args.grace, "scratch_dir": str(plan_dir / "onnx_scratch"),
        "script_path": _link_script(args.code, job.cells, workdir),
    }
    plan_path = plan_dir / "plan.json"
    plan_path.write_text(json.dumps(plan))
    return plan_path, outcome_path


def _executed_notebook(args: argparse.Namespace, job: PreparedJob, outcome: dict | None) -> None:
    injected = [cell for cell in job.cells if cell.filename == INJECTED_FILENAME]
    script = [cell.filename for cell in job.cells if not cell.filename.startswith("<")]
    notebook = build_executed_notebook(args.code, script[0] if script else None,
                                       (injected[0].source, injected[0].number) if injected else None,
                                       (outcome or {}).get("records", {}))
    write_executed_notebook(args.executed_notebook, notebook)


def peak_rss_mib() -> float:
    """This process's own peak resident memory. VmHWM, not ru_maxrss: a process started by Python's
    subprocess inherits ru_maxrss from its parent, so a large parent would be reported as ours."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        job = prepare_job(args)
    except JobError as error:
        print(f"{TOOL}: bad input: {error}", file=sys.stderr)
        return error.exit_code
    for note in job.ipython:
        print(f"[{TOOL}] {note['where']}, line {note['line']}: {note['text']!r} {note['action']}")
    plan_path, outcome_path = write_plan(args, job)
    child = run_child(plan_path, child_environment(args.seed, args.threads), args.time_limit, args.grace)
    # The user's code is done; a late SIGTERM must not cost the report (the kill after the grace still applies).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    outcome = json.loads(outcome_path.read_text()) if outcome_path.exists() else None
    if outcome:
        settle_models(outcome)
    delivered, delivery_warnings = deliver_output_files(args.workdir.resolve(), args.outputs_dir.resolve())
    if args.executed_notebook:
        _executed_notebook(args, job, outcome)
    exit_code, status, message = verdict(outcome, child, args.time_limit, args.require_model)
    report = build_report(status=status, message=message,
                          code={"name": job.code_name, "sha256": hashlib.sha256(args.code.read_bytes()).hexdigest(),
                                "cells": len(job.cells)},
                          inputs=[item.describe() for item in job.staged], ipython=job.ipython,
                          parameters=job.parameters, seed=args.seed, outcome=outcome, child_seconds=child.seconds)
    report["output_files"] = delivered
    report["warnings"] = job.warnings + report["warnings"] + delivery_warnings
    report["runner_peak_rss_mib"] = peak_rss_mib()
    write_report(args.report, report)
    if args.report_html:
        write_report_html(args.report_html, report)
    if args.galaxy_json:
        write_galaxy_json(args.galaxy_json, output_summaries(report, bool(args.executed_notebook), bool(args.native_archive),
                                                            bool(args.report_html)))
    for warning in report["warnings"]:
        print(f"{TOOL}: warning: {warning}", file=sys.stderr)
    print(f"{TOOL}: {message}", file=sys.stderr if exit_code else sys.stdout)
    return exit_code
