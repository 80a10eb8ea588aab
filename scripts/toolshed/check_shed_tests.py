#!/usr/bin/env python3
"""Check that `shed-tools test` ran exactly the installed-tool tests the XMLs declare, and say so in one line.

ephemeris exits 0 when it finds no tests at all (e.g. with an http:// Tool Shed URL it matches no
installed tool), so the number that passed is compared with the number ephemeris_files.py computed
from the XMLs. Prints "Tool Shed: suite installed into a fresh Galaxy; N installed-tool tests passed",
or one error line on stderr and exits 1.
Usage: check_shed_tests.py RESULTS_JSON EXPECTED_COUNT
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from summarize_tests import ephemeris_counts  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    results, expected = Path(argv[0]), int(argv[1])
    if not results.is_file():
        print(f"error: no {results}: shed-tools test did not finish", file=sys.stderr)
        return 1
    counts = ephemeris_counts(results)
    if counts.failed or counts.passed != expected:
        print(f"error: installed-tool tests: {counts.passed} passed, {counts.failed} failed, {counts.skipped} skipped;"
              f" the XMLs declare {expected} to run (see {results})", file=sys.stderr)
        return 1
    print(f"Tool Shed: suite installed into a fresh Galaxy; {counts.passed} installed-tool tests passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
