#!/usr/bin/env python3
"""Print the failed tests, one line each with its reason, then one closing line "N passed, N failed[, N skipped]"
over the pytest, planemo and ephemeris results.

The runners report in different formats (pytest: JUnit XML, planemo and ephemeris: JSON); the test command
must end with a single verdict, and must fail when a runner that should have run found no tests
(an empty run is how a broken discovery hides). Standard library only.
Usage: summarize_tests.py [--junit FILE]... [--planemo-json FILE]... [--ephemeris-json FILE]...
Exit status: 1 when anything failed or a given report holds zero tests, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Counts:
    """Test outcome totals of one report (or a sum of them)."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped)


def junit_counts(path: Path) -> Counts:
    """Totals of a pytest JUnit XML file (root <testsuites> or a single <testsuite>)."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return Counts(tests - failed - skipped, failed, skipped)


def planemo_counts(path: Path) -> Counts:
    """Totals of a `planemo test --test_output_json` file."""
    summary = json.loads(path.read_text())["summary"]
    failed = summary["num_failures"] + summary["num_errors"]
    skipped = summary.get("num_skips", 0)
    return Counts(summary["num_tests"] - failed - skipped, failed, skipped)


def ephemeris_counts(path: Path) -> Counts:
    """Totals of a `shed-tools test --test_json` file (ephemeris), from each test's status.

    ephemeris counts skipped tests as passed in its own totals, so they are recounted here; a tool whose
    tests could not even be fetched appears only in results.errors.
    """
    report = json.loads(path.read_text())
    statuses = [test.get("data", {}).get("status") for test in report["tests"]]
    passed, skipped = statuses.count("success"), statuses.count("skip")
    failed = max(len(statuses) - passed - skipped, report["results"]["errors"])
    return Counts(passed, failed, skipped)


def first_line(text: str | None, limit: int = 200) -> str:
    """The first non-blank line of a failure message, cut to ``limit`` characters."""
    for line in (text or "").splitlines():
        if line.strip():
            line = " ".join(line.split())
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return "no message"


def junit_failures(path: Path) -> list[tuple[str, str]]:
    """(test, reason) of each failed or erroring test case of a pytest JUnit XML file."""
    found = []
    for case in ET.parse(path).getroot().iter("testcase"):
        for tag in ("failure", "error"):
            problem = case.find(tag)
            if problem is not None:
                found.append((f"{case.get('classname')}::{case.get('name')}",
                              first_line(problem.get("message") or problem.text)))
    return found


def structured_failures(path: Path) -> list[tuple[str, str]]:
    """(test, reason) of each failed tool test in planemo's or ephemeris' JSON (galaxy-tool-util's format)."""
    found = []
    for test in json.loads(path.read_text()).get("tests", []):
        data = test.get("data", {})
        if data.get("status") in ("success", "skip"):
            continue
        problems = [data.get("execution_problem"), *(data.get("output_problems") or [])]
        reason = next((problem for problem in problems if problem), f"status {data.get('status') or 'missing'}")
        found.append((test.get("id", "?"), first_line(str(reason))))
    return found


def format_line(counts: Counts) -> str:
    """The closing line; skipped is shown only when there were skips."""
    line = f"{counts.passed} passed, {counts.failed} failed"
    return line + (f", {counts.skipped} skipped" if counts.skipped else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junit", type=Path, action="append", default=[])
    parser.add_argument("--planemo-json", type=Path, action="append", default=[])
    parser.add_argument("--ephemeris-json", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    reports = [(p, junit_counts, junit_failures) for p in args.junit]
    reports += [(p, planemo_counts, structured_failures) for p in args.planemo_json]
    reports += [(p, ephemeris_counts, structured_failures) for p in args.ephemeris_json]
    total, empty, failures = Counts(), [], []
    for path, read, failed in reports:
        if not path.is_file():
            print(f"report missing: {path} (its runner did not finish)", file=sys.stderr)
            empty.append(path)
            continue
        counts = read(path)
        if counts.total == 0:
            empty.append(path)
        total = total + counts
        failures += [(path.name, test, reason) for test, reason in failed(path)]
    for path in empty:
        print(f"no tests ran for {path}", file=sys.stderr)
    if failures:
        print("failed:")
        for report, test, reason in failures:
            print(f"  [{report}] {test}: {reason}")
    print(format_line(total))
    return 1 if total.failed or empty or not reports else 0


if __name__ == "__main__":
    sys.exit(main())
