"""The closing line sums pytest's JUnit XML and planemo's JSON, and an empty run fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarize_tests import main

JUNIT = '<testsuites><testsuite name="pytest" tests="{t}" failures="{f}" errors="{e}" skipped="{s}"/></testsuites>'


def planemo_json(path: Path, tests: int, failures: int, errors: int = 0, skips: int = 0) -> Path:
    summary = {"num_tests": tests, "num_failures": failures, "num_errors": errors, "num_skips": skips}
    path.write_text(json.dumps({"summary": summary, "tests": []}))
    return path


@pytest.mark.parametrize(
    ("junit_counts", "planemo_counts", "line", "code", "stderr_part"),
    [
        ((10, 1, 1, 2), (4, 1), "9 passed, 3 failed, 2 skipped", 1, ""),
        ((3, 0, 0, 0), (2, 0), "5 passed, 0 failed", 0, ""),
        ((3, 0, 0, 0), (0, 0), "3 passed, 0 failed", 1, "no tests ran"),
    ],
    ids=["sums-both-runners", "all-green-no-skips-shown", "zero-planemo-tests-fails"],
)
def test_closing_line(tmp_path: Path, capsys, junit_counts, planemo_counts, line, code, stderr_part) -> None:
    junit = tmp_path / "pytest.xml"
    tests, failures, errors, skipped = junit_counts
    junit.write_text(JUNIT.format(t=tests, f=failures, e=errors, s=skipped))
    planemo = planemo_json(tmp_path / "planemo.json", *planemo_counts)
    assert main(["--junit", str(junit), "--planemo-json", str(planemo)]) == code
    captured = capsys.readouterr()
    assert captured.out == line + "\n"
    assert stderr_part in captured.err


def test_a_missing_report_fails_the_run(tmp_path: Path, capsys) -> None:
    assert main(["--junit", str(tmp_path / "absent.xml")]) == 1
    assert "report missing" in capsys.readouterr().err
