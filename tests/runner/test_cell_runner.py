"""Running cells as ``__main__``: where errors happened, how ``sys.exit`` ends a run, timings."""
from __future__ import annotations

import builtins
import pickle
import re
import sys

import pytest

from notebook_job.prepare.notebook_code import CodeCell
from notebook_job.run.cell_runner import JobInterrupted, fresh_main_module, run_cells


@pytest.fixture
def run(restore_main):
    """``run(*sources)`` runs cells numbered 2, 3, ... in a fresh __main__; returns (CellRun, namespace)."""
    def execute(*sources: str):
        namespace = fresh_main_module({"__builtins__": builtins, "JobInterrupted": JobInterrupted}).__dict__
        cells = [CodeCell(number, source, f"<cell {number}>") for number, source in enumerate(sources, start=2)]
        return run_cells(cells, namespace), namespace
    return execute


def statuses(outcome) -> list[tuple[str, str]]:
    return [(timing["where"], timing["status"]) for timing in outcome.timings]


def test_cells_run_as_main(run):
    outcome, namespace = run("ran = False\nif __name__ == '__main__':\n    ran = True", "same = ran")
    assert outcome.failure is None
    assert (namespace["ran"], namespace["same"], namespace["__name__"]) == (True, True, "__main__")
    assert sys.modules["__main__"].__dict__ is namespace
    assert statuses(outcome) == [("cell 2", "ok"), ("cell 3", "ok")]
    assert all(isinstance(timing["seconds"], float) and timing["seconds"] >= 0 for timing in outcome.timings)


def test_a_class_defined_in_a_cell_pickles(run):
    outcome, namespace = run("class Point:\n    def __init__(self, x):\n        self.x = x",
                             "import pickle\nback = pickle.loads(pickle.dumps(Point(3)))")
    assert outcome.failure is None
    assert namespace["back"].x == 3
    assert type(namespace["back"]) is namespace["Point"]
    assert pickle.loads(pickle.dumps(namespace["Point"](5))).x == 5


def test_error_names_cell_and_line(run, capsys):
    outcome, namespace = run("a = 1", "b = 2\nc = b / 0\nd = 4", "never = True")
    assert outcome.failure.as_dict() == {"where": "cell 3, line 2", "message": "ZeroDivisionError: division by zero",
                                         "kind": "error"}
    assert statuses(outcome) == [("cell 2", "ok"), ("cell 3", "error")]
    assert "never" not in namespace
    err = capsys.readouterr().err
    assert 'File "<cell 3>", line 2, in <module>\n    c = b / 0\n' in err
    assert err.rstrip().endswith("ZeroDivisionError: division by zero")


def test_error_inside_a_function_from_an_earlier_cell(run, capsys):
    outcome, _ = run("def scale(values):\n    total = sum(values)\n    return [v / total for v in values]",
                     "ok = scale([1, 3])\nbad = scale([0, 0])")
    assert (outcome.failure.where, outcome.failure.message) == ("cell 3, line 2",
                                                                "ZeroDivisionError: division by zero")
    err = capsys.readouterr().err
    assert re.search(r'File "<cell 3>", line 2, in <module>\n    bad = scale\(\[0, 0\]\)\n', err)
    assert re.search(r'File "<cell 2>", line 3, in .*\n    return \[v / total for v in values\]\n', err)


def test_error_raised_in_a_function_of_the_same_cell_names_the_raising_line(run):
    outcome, _ = run("def check(x):\n    if x < 0:\n        raise ValueError(f'negative: {x}')\n\ncheck(1)\ncheck(-2)")
    assert (outcome.failure.where, outcome.failure.message) == ("cell 2, line 3", "ValueError: negative: -2")


def test_error_inside_a_library_names_the_calling_line(run):
    outcome, _ = run("import json\n\njson.loads('{')")
    assert outcome.failure.where == "cell 2, line 3"
    assert outcome.failure.message.startswith("json.decoder.JSONDecodeError: Expecting property name")


def test_syntax_error_names_its_line(run):
    outcome, _ = run("x = 1", "y = 2\nz = (3 +\n")
    assert outcome.failure.where == "cell 3, line 2"
    assert outcome.failure.message == "SyntaxError: '(' was never closed"


@pytest.mark.parametrize("call", ["sys.exit(0)", "sys.exit()", "raise SystemExit"])
def test_exit_zero_stops_without_error(run, call):
    outcome, namespace = run(f"import sys\nbefore = 1\n{call}\nafter = 1", "later = 1")
    assert outcome.failure is None
    assert statuses(outcome) == [("cell 2", "stopped")]
    assert "before" in namespace and "after" not in namespace and "later" not in namespace


@pytest.mark.parametrize(("call", "message"), [("sys.exit(3)", "SystemExit: 3"), ("sys.exit('bad data')",
                                                                                  "SystemExit: bad data")])
def test_exit_non_zero_is_an_error(run, call, message):
    outcome, _ = run("import sys", f"x = 1\n{call}")
    assert outcome.failure.as_dict() == {"where": "cell 3, line 2", "message": message, "kind": "error"}
    assert statuses(outcome) == [("cell 2", "ok"), ("cell 3", "error")]


def test_interruption_is_reported_as_such(run):
    outcome, _ = run("x = 1", "raise JobInterrupted()", "y = 1")
    assert outcome.failure.as_dict() == {"where": "cell 3", "message": "stopped by SIGTERM", "kind": "interrupted"}
    assert statuses(outcome) == [("cell 2", "ok"), ("cell 3", "interrupted")]


def test_progress_lines(run, capsys):
    run("print('hello')", "1 / 0")
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["[run_jupyter_job] cell 2 (1/2) started", "hello"]
    assert re.fullmatch(r"\[run_jupyter_job\] cell 2 \(1/2\) ok in \d+\.\d\d s", out[2])
    assert out[3] == "[run_jupyter_job] cell 3 (2/2) started"
    assert re.fullmatch(r"\[run_jupyter_job\] cell 3 \(2/2\) error in \d+\.\d\d s", out[4])
