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


def ephemeris_json(path: Path, statuses: list[str], errors: int) -> Path:
    """A `shed-tools test --test_json` file: ephemeris counts skips as passed in results.total."""
    tests = [{"id": f"tool/1.0-{i}", "has_data": True, "data": {"status": status}} for i, status in enumerate(statuses)]
    results = {"total": len(statuses), "errors": errors, "failures": 0, "skips": 0}
    path.write_text(json.dumps({"version": "0.1", "results": results, "tests": tests}))
    return path


def test_ephemeris_skips_and_failures_are_recounted(tmp_path: Path, capsys) -> None:
    report = ephemeris_json(tmp_path / "shed.json", ["success", "skip", "failure", "success", "skip"], errors=1)
    assert main(["--ephemeris-json", str(report)]) == 1
    assert capsys.readouterr().out.splitlines() == ["failed:", "  [shed.json] tool/1.0-2: status failure",
                                                    "2 passed, 1 failed, 2 skipped"]


def test_ephemeris_tool_whose_tests_could_not_be_fetched_is_a_failure(tmp_path: Path, capsys) -> None:
    report = ephemeris_json(tmp_path / "shed.json", ["success"], errors=1)
    assert main(["--ephemeris-json", str(report)]) == 1
    assert capsys.readouterr().out == "1 passed, 1 failed\n"


def test_each_failure_is_listed_with_its_one_line_reason_before_the_closing_line(tmp_path: Path, capsys) -> None:
    junit = tmp_path / "pytest.xml"
    junit.write_text(
        '<testsuites><testsuite name="pytest" tests="3" failures="1" errors="1" skipped="0">'
        '<testcase classname="tests.client.test_x" name="test_ok"/>'
        '<testcase classname="tests.client.test_x" name="test_bad"><failure message="assert 3 == 4&#10;+ where 3">'
        'Traceback ...</failure></testcase>'
        '<testcase classname="tests.galaxy.test_y" name="test_setup"><error message="">fixture broke\nmore</error>'
        '</testcase></testsuite></testsuites>')
    planemo = tmp_path / "planemo-tools.json"
    planemo.write_text(json.dumps({
        "summary": {"num_tests": 2, "num_failures": 1, "num_errors": 0, "num_skips": 0},
        "tests": [{"id": "run_jupyter_job/1.0-0", "data": {"status": "success"}},
                  {"id": "run_jupyter_job/1.0-3", "data": {"status": "failure", "execution_problem": None,
                                                           "output_problems": ["Output report: wrong   text\nmore"]}}],
    }))
    assert main(["--junit", str(junit), "--planemo-json", str(planemo)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "failed:",
        "  [pytest.xml] tests.client.test_x::test_bad: assert 3 == 4",
        "  [pytest.xml] tests.galaxy.test_y::test_setup: fixture broke",
        "  [planemo-tools.json] run_jupyter_job/1.0-3: Output report: wrong text",
        "2 passed, 3 failed",
    ]
