"""The closing line sums pytest's JUnit XML and planemo's JSON, and an empty run fails."""

from __future__ import annotations

import json
from pathlib import Path

from summarize_tests import main

JUNIT = '<testsuites><testsuite name="pytest" tests="{t}" failures="{f}" errors="{e}" skipped="{s}"/></testsuites>'


def planemo_json(path: Path, tests: int, failures: int, errors: int = 0, skips: int = 0) -> Path:
    summary = {"num_tests": tests, "num_failures": failures, "num_errors": errors, "num_skips": skips}
    path.write_text(json.dumps({"summary": summary, "tests": []}))
    return path


def test_sums_both_runners(tmp_path: Path, capsys) -> None:
    junit = tmp_path / "pytest.xml"
    junit.write_text(JUNIT.format(t=10, f=1, e=1, s=2))
    code = main(["--junit", str(junit), "--planemo-json", str(planemo_json(tmp_path / "p.json", 4, 1))])
    assert capsys.readouterr().out == "9 passed, 3 failed, 2 skipped\n"
    assert code == 1


def test_all_green_exits_zero_without_skips_shown(tmp_path: Path, capsys) -> None:
    junit = tmp_path / "pytest.xml"
    junit.write_text(JUNIT.format(t=3, f=0, e=0, s=0))
    code = main(["--junit", str(junit), "--planemo-json", str(planemo_json(tmp_path / "p.json", 2, 0))])
    assert capsys.readouterr().out == "5 passed, 0 failed\n"
    assert code == 0


def test_a_runner_with_zero_tests_fails_the_run(tmp_path: Path, capsys) -> None:
    junit = tmp_path / "pytest.xml"
    junit.write_text(JUNIT.format(t=3, f=0, e=0, s=0))
    code = main(["--junit", str(junit), "--planemo-json", str(planemo_json(tmp_path / "p.json", 0, 0))])
    captured = capsys.readouterr()
    assert captured.out == "3 passed, 0 failed\n"
    assert "no tests ran" in captured.err and code == 1


def test_a_missing_report_fails_the_run(tmp_path: Path, capsys) -> None:
    assert main(["--junit", str(tmp_path / "absent.xml")]) == 1
    assert "report missing" in capsys.readouterr().err
