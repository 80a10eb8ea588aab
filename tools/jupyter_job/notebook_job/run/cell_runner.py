"""Run code cells one after another in a fresh ``__main__`` namespace, timing each one.

Compiling each cell under its own file name ('<cell 3>') and registering its text with linecache
makes Python's own tracebacks show the user's lines, and lets us name the cell and line that failed.
"""
from __future__ import annotations

import ast
import linecache
import sys
import time
import traceback
import types
from dataclasses import dataclass, field

from notebook_job.checkpoint import JobInterrupted, running_cell, stop_requested
from notebook_job.prepare.notebook_code import CodeCell
from notebook_job.run.cell_capture import CellCapture

PROGRESS_PREFIX = "[run_jupyter_job]"


@dataclass
class CellFailure:
    """Where and why user code stopped."""

    where: str
    message: str
    kind: str = "error"

    def as_dict(self) -> dict:
        return {"where": self.where, "message": self.message, "kind": self.kind}


@dataclass
class CellRun:
    """The outcome of running all cells: per-cell timings and the failure, if any."""

    timings: list[dict] = field(default_factory=list)
    records: dict[str, dict] = field(default_factory=dict)
    failure: CellFailure | None = None


def fresh_main_module(extra: dict) -> types.ModuleType:
    """A new ``__main__`` so ``if __name__ == "__main__":`` runs and classes defined in cells pickle."""
    module = types.ModuleType("__main__")
    module.__dict__.update(extra)
    sys.modules["__main__"] = module
    return module


def _register_source(cell: CodeCell) -> None:
    lines = cell.source.splitlines(keepends=True)
    linecache.cache[cell.filename] = (len(cell.source), None, lines, cell.filename)


def failing_line(error: BaseException, cell: CodeCell) -> int | None:
    """The line of ``cell`` where ``error`` was raised (the deepest frame that is in this cell)."""
    if isinstance(error, SyntaxError) and error.filename == cell.filename:
        return error.lineno
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == cell.filename]
    return lines[-1] if lines else None


def _progress(message: str) -> None:
    print(f"{PROGRESS_PREFIX} {message}", flush=True)


def _error_output(error: BaseException) -> dict:
    """The error as Jupyter records it (ename, evalue, traceback lines without the runner's frame)."""
    lines = traceback.format_exception(type(error), error, error.__traceback__.tb_next)
    return {"ename": type(error).__name__, "evalue": str(error), "traceback": [line.rstrip("\n") for line in lines]}


MAX_RESULT_TEXT = 100 * 1024


def _compiled(cell: CodeCell) -> tuple[types.CodeType, types.CodeType | None]:
    """(the cell's statements, its last expression) as Jupyter runs a cell: the value of a final
    expression is the cell's result (shown as execute_result), unless a ';' ends the cell."""
    tree = ast.parse(cell.source, cell.filename)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr) or cell.source.rstrip().endswith(";"):
        return compile(tree, cell.filename, "exec"), None
    last = ast.Expression(tree.body.pop().value)
    return compile(tree, cell.filename, "exec"), compile(last, cell.filename, "eval")


def _shown(value: object) -> dict | None:
    """The mime bundle Jupyter shows for a cell's value: text/plain, and text/html where the object has it."""
    if value is None:
        return None
    try:
        data = {"text/plain": repr(value)[:MAX_RESULT_TEXT]}
        html = value._repr_html_() if hasattr(value, "_repr_html_") else None
    except Exception:  # noqa: BLE001 - an object whose repr fails is shown as Jupyter would not: not at all
        return None
    if isinstance(html, str) and len(html) <= MAX_RESULT_TEXT:
        data["text/html"] = html
    return data


def _run_one(cell: CodeCell, namespace: dict) -> tuple[str, CellFailure | None, BaseException | None, dict | None]:
    """(status, failure, error to show, the value of the cell's last expression as a mime bundle) for one cell."""
    result = None
    try:
        with running_cell():
            statements, last = _compiled(cell)
            exec(statements, namespace)  # noqa: S102 - running user code is the job
            if last is not None:
                result = _shown(eval(last, namespace))  # noqa: S307 - the cell's own last expression
    except SystemExit as stop:
        if stop.code in (None, 0):
            return "stopped", None, None, None
        return "error", CellFailure(cell.where(failing_line(stop, cell)), f"SystemExit: {stop.code}"), None, None
    except JobInterrupted:
        return "interrupted", CellFailure(cell.where(), "stopped by SIGTERM", kind="interrupted"), None, None
    except BaseException as error:  # noqa: BLE001 - any user error is reported, then outputs are kept
        summary = traceback.format_exception_only(type(error), error)[-1].strip()
        return "error", CellFailure(cell.where(failing_line(error, cell)), summary), error, None
    return "ok", None, None, result


def run_cells(cells: list[CodeCell], namespace: dict) -> CellRun:
    """Run ``cells`` in ``namespace``; stop at the first failure, never raise for user errors."""
    outcome = CellRun()
    total = len(cells)
    for position, cell in enumerate(cells, start=1):
        if stop_requested():
            outcome.failure = CellFailure(cell.where(), "stopped by SIGTERM before it started", kind="interrupted")
            break
        _register_source(cell)
        _progress(f"{cell.where()} ({position}/{total}) started")
        started = time.perf_counter()
        with CellCapture() as capture:
            status, failure, error, result = _run_one(cell, namespace)
        seconds = time.perf_counter() - started
        record = dict(capture.record)
        if result is not None:
            record["result"] = result
        if error is not None:
            record["error"] = _error_output(error)
            sys.stderr.write("\n".join(record["error"]["traceback"]) + "\n")
        outcome.records[cell.filename] = record
        outcome.failure = failure
        outcome.timings.append({"where": cell.where(), "seconds": round(seconds, 4), "status": status})
        _progress(f"{cell.where()} ({position}/{total}) {status} in {seconds:.2f} s")
        if status != "ok":
            break
    return outcome
