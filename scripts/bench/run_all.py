"""Run the runner's benchmarks and print one table of results, each against a baseline from the same run.

Usage (what ``make bench`` runs, with the tool-runtime venv's python):
    python scripts/bench/run_all.py [--repeats N] [--only overhead,staging,h5read,unet] [--json PATH]

Benchmarks, not tests: nothing here fails on a slow figure; the table says which goals were met.
Scratch data (up to 2.3 GB) goes to a temporary folder under /tmp and is deleted at the end.
Results are described, with the figures of a reference run, in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import bench_h5_read
import bench_overhead
import bench_staging
import bench_unet
from bench_common import REPO, Context, Row, machine

BENCHMARKS = {"overhead": bench_overhead, "staging": bench_staging, "h5read": bench_h5_read, "unet": bench_unet}
DEFAULT_JSON = REPO / "bench-results" / "results.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="repetitions of each timed command (default 7)")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset of: "
                        + ", ".join(BENCHMARKS))
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where the figures are written as JSON")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()),
                        help="folder under which the temporary data folder is made (default /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (its path is printed)")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in args.only if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def _mark(met: bool | None) -> str:
    return {True: "yes", False: "NO", None: ""}[met]


def format_table(rows: list[Row]) -> str:
    """A Markdown table: it reads in a terminal and pastes into docs/benchmarks.md as it is."""
    header = ("section", "measurement", "value (median, min-max, n)", "baseline (same run)", "ratio", "goal", "met")
    lines = [[row.section, row.what, row.value, row.baseline, row.ratio, row.goal, _mark(row.met)] for row in rows]
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(len(header))]

    def line(cells) -> str:
        return "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)) + " |"

    return "\n".join([line(header), line(["-" * width for width in widths]), *map(line, lines)])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="gxj-bench-", dir=args.scratch))
    context = Context(scratch=scratch, repeats=args.repeats)
    about = machine()
    print(f"machine: {about['cores']} cores ({about['cpu']}), {about['memory_gib']} GiB, Python {about['python']}, "
          f"nvidia-smi {'found' if about['nvidia-smi'] else 'absent'}, load average {about['load_average_1min']}; "
          f"scratch {scratch}", flush=True)
    rows: list[Row] = []
    failures: list[str] = []
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    try:
        for name in args.only:
            section_started = time.perf_counter()
            try:
                rows += BENCHMARKS[name].run(context)
            except (RuntimeError, OSError, KeyError, ValueError) as error:
                failures.append(f"{name}: {error}")
                print(f"[{name}] FAILED: {error}", file=sys.stderr, flush=True)
            seconds[name] = round(time.perf_counter() - section_started, 1)
            print(f"[{name}] done in {seconds[name]:.0f} s", flush=True)
    finally:
        if args.keep:
            print(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    total = time.perf_counter() - started
    about["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    print()
    print(format_table(rows))
    print(f"\ntotal {total:.0f} s ({', '.join(f'{name} {value:.0f} s' for name, value in seconds.items())}); "
          f"repeats {args.repeats}; 1-min load average {about['load_average_1min']} before, "
          f"{about['load_average_1min_at_end']} after (the benchmark itself adds about 1)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": about, "repeats": args.repeats, "section_seconds": seconds,
                                     "total_seconds": round(total, 1), "failures": failures,
                                     "rows": [row.as_dict() for row in rows]}, indent=1, default=str) + "\n")
    print(f"figures written to {args.json}")
    for failure in failures:
        print(f"benchmark failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
