"""Command line of run_jupyter_job: stage, extract, run in a child, report.

Exit codes: 0 done; 1 the user's code failed (the last stderr line names the cell and line);
2 bad input (notebook, HDF5 file, refused line); 3 time limit reached; 4 stopped by SIGTERM;
5 no model exported while one was required. In cases 1, 3 and 4 whatever was produced is kept.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from notebook_job import __version__
from notebook_job.errors import BadInputError, JobError
from notebook_job.ipython_syntax import rewrite_cell
from notebook_job.notebook_code import CodeCell, inject_parameters, load_cells
from notebook_job.report import TOOL, build_report, verdict, write_report
from notebook_job.results_h5 import DEFAULT_AUTO_LIMIT
from notebook_job.staging import read_job_file, stage_inputs
from notebook_job.supervisor import child_environment, run_child


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=TOOL, description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"{TOOL} {__version__}")
    parser.add_argument("--code", type=Path, required=True, help="notebook (.ipynb) or Python script")
    parser.add_argument("--code-name", help="name shown in messages (default: the file name)")
    parser.add_argument("--code-format", choices=("auto", "ipynb", "python"), default="auto")
    parser.add_argument("--job-file", type=Path, help="JSON from the Galaxy tool: code_name and inputs")
    parser.add_argument("--input", action="append", default=[], metavar="NAME=PATH", help="one HDF5 input")
    parser.add_argument("--parameters", type=Path, help="JSON object of parameters to inject")
    parser.add_argument("--save", default="", help="variables to save in the results file (comma separated)")
    parser.add_argument("--auto-save-limit", type=int, default=DEFAULT_AUTO_LIMIT, metavar="BYTES")
    parser.add_argument("--workdir", type=Path, default=Path("work"), help="the code's working directory")
    parser.add_argument("--onnx-dir", type=Path, default=Path("onnx_models"))
    parser.add_argument("--results", type=Path, default=Path("results.h5"))
    parser.add_argument("--report", type=Path, default=Path("report.json"))
    parser.add_argument("--time-limit", type=float, default=0, metavar="SECONDS", help="0: no limit")
    parser.add_argument("--grace", type=float, default=30, metavar="SECONDS",
                        help="time between SIGTERM and SIGKILL for saving a checkpoint")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--require-model", action="store_true", help="fail (exit 5) when no model is exported")
    return parser.parse_args(argv)


def _names_and_inputs(args: argparse.Namespace) -> tuple[str, list[tuple[str, Path]]]:
    code_name, pairs = read_job_file(args.job_file) if args.job_file else (None, [])
    for item in args.input:
        name, equals, path = item.partition("=")
        if not equals:
            raise BadInputError(f"--input needs NAME=PATH, got {item!r}")
        pairs.append((name, Path(path)))
    return args.code_name or code_name or args.code.name, pairs


def _parameters(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        values = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise BadInputError(f"parameters are not valid JSON: {error}") from None
    if not isinstance(values, dict):
        raise BadInputError("parameters must be a JSON object of name: value")
    return values


def prepare_cells(args: argparse.Namespace, code_name: str, parameters: dict) -> tuple[list[CodeCell], list[dict]]:
    """The cells in plain Python with the parameters injected, and the IPython lines that were handled."""
    cells, notes = [], []
    for cell in load_cells(args.code, code_name, args.code_format):
        rewritten, found = rewrite_cell(cell)
        cells.append(rewritten)
        notes.extend(note.as_dict() for note in found)
    return inject_parameters(cells, parameters), notes


def _code_summary(args: argparse.Namespace, code_name: str, cells: list[CodeCell]) -> dict:
    return {"name": code_name, "sha256": hashlib.sha256(args.code.read_bytes()).hexdigest(), "cells": len(cells)}


def _link_script(code: Path, cells: list[CodeCell], workdir: Path) -> str | None:
    """A script also lies in its working directory, so ``__file__`` and paths next to it work as usual."""
    names = [cell.filename for cell in cells if not cell.filename.startswith("<")]
    if not names:
        return None
    target = workdir / names[0]
    if not target.exists():
        target.symlink_to(code.resolve())
    return str(target)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    try:
        code_name, pairs = _names_and_inputs(args)
        parameters = _parameters(args.parameters)
        cells, ipython = prepare_cells(args, code_name, parameters)
        staged = stage_inputs(pairs, workdir)
    except JobError as error:
        print(f"{TOOL}: bad input: {error}", file=sys.stderr)
        return error.exit_code
    for note in ipython:
        print(f"[{TOOL}] {note['where']}, line {note['line']}: {note['text']!r} {note['action']}")
    for path in (args.onnx_dir, args.results.parent, args.report.parent):
        path.resolve().mkdir(parents=True, exist_ok=True)
    plan_dir = workdir.parent / f".{TOOL}"
    plan_dir.mkdir(exist_ok=True)
    plan = {
        "workdir": str(workdir), "code_name": code_name, "cells": [cell.__dict__ for cell in cells],
        "inputs": [item.name for item in staged], "save": [name.strip() for name in args.save.split(",")
                                                             if name.strip()],
        "auto_save_limit": args.auto_save_limit, "seed": args.seed, "onnx_dir": str(args.onnx_dir.resolve()),
        "results": str(args.results.resolve()), "outcome": str(plan_dir / "outcome.json"),
        "script_path": _link_script(args.code, cells, workdir),
    }
    plan_path = plan_dir / "plan.json"
    plan_path.write_text(json.dumps(plan))
    outcome_path = Path(plan["outcome"])
    outcome_path.unlink(missing_ok=True)
    child = run_child(plan_path, child_environment(args.seed, args.threads), args.time_limit, args.grace)
    outcome = json.loads(outcome_path.read_text()) if outcome_path.exists() else None
    exit_code, status, message = verdict(outcome, child, args.time_limit, args.require_model)
    report = build_report(status=status, message=message, code=_code_summary(args, code_name, cells),
                          inputs=[item.describe() for item in staged], ipython=ipython, parameters=parameters,
                          seed=args.seed, outcome=outcome, child_seconds=child.seconds)
    write_report(args.report, report)
    for warning in report["warnings"]:
        print(f"{TOOL}: warning: {warning}", file=sys.stderr)
    print(f"{TOOL}: {message}", file=sys.stderr if exit_code else sys.stdout)
    return exit_code
