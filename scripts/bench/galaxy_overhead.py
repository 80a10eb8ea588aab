#!/usr/bin/env python3
"""Galaxy's own overhead per tool test: upload a small file, run a tool that only copies it, and split
the time from submission to "ok" into upload, queue, run and metadata/finish.

Uploads go through the fetch API, as planemo's do. A tool test pays this on top of whatever the tool does, so it bounds how fast `make test`'s planemo
and Galaxy tests can be. Runs against a Galaxy that loads the harness tool tests/harness/tools/gxj_noop.xml
(the test Galaxy of `make test` does; start one with `GXJ_HARNESS_TOOLS=1 scripts/galaxy/up.sh`).
Usage: galaxy_overhead.py [--state-dir DIR]... [--repeats N] [--json FILE]
With two state dirs (a baseline Galaxy first), the rounds alternate between them, so a busier machine slows
both alike; it prints one line per round, the medians and their ratio (docs/testing.md).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bioblend.galaxy import GalaxyInstance

REPO = Path(__file__).resolve().parents[2]
NOOP_TOOL = "gxj_noop"
NOOP_INPUT = REPO / "tests" / "harness" / "tools" / "test-data" / "noop.txt"
POLL_SECONDS = 0.1
TERMINAL = {"ok", "error", "failed", "deleted", "paused"}


def wait_for_dataset(gi: GalaxyInstance, dataset_id: str, bound: float = 600) -> float:
    """Seconds until the dataset is ok (a bound only to end a broken run)."""
    started = time.monotonic()
    while time.monotonic() - started < bound:
        state = gi.datasets.show_dataset(dataset_id)["state"]
        if state == "ok":
            return time.monotonic() - started
        if state in TERMINAL:
            raise SystemExit(f"error: upload ended in state {state!r}")
        time.sleep(POLL_SECONDS)
    raise SystemExit(f"error: upload not ok after {bound:.0f} s")


def watch_job(gi: GalaxyInstance, job_id: str, submitted: float, bound: float = 600) -> dict[str, float]:
    """The first time each job state was seen, in seconds after submission."""
    seen: dict[str, float] = {}
    while time.monotonic() - submitted < bound:
        state = gi.jobs.show_job(job_id)["state"]
        seen.setdefault(state, time.monotonic() - submitted)
        if state in TERMINAL:
            if state != "ok":
                raise SystemExit(f"error: the {NOOP_TOOL} job ended in state {state!r}")
            return seen
        time.sleep(POLL_SECONDS)
    raise SystemExit(f"error: the {NOOP_TOOL} job did not finish within {bound:.0f} s")


def tool_seconds(gi: GalaxyInstance, job_id: str) -> float:
    """The tool command's own run time as Galaxy's core job metrics recorded it."""
    metrics = {metric["name"]: metric["raw_value"] for metric in gi.jobs.get_metrics(job_id)}
    return float(metrics.get("runtime_seconds", 0.0))


def one_round(gi: GalaxyInstance, history_id: str) -> dict[str, float]:
    started = time.monotonic()
    # through the fetch API, as planemo uploads test data
    upload = gi.make_post_request(f"{gi.url}/tools/fetch", payload={"history_id": history_id, "targets": [{
        "destination": {"type": "hdas"},
        "elements": [{"src": "pasted", "paste_content": NOOP_INPUT.read_text(), "ext": "txt", "name": NOOP_INPUT.name}],
    }]})
    dataset_id = upload["outputs"][0]["id"]
    upload_seconds = wait_for_dataset(gi, dataset_id)
    submitted = time.monotonic()
    run = gi.tools.run_tool(history_id, NOOP_TOOL, {"input": {"src": "hda", "id": dataset_id}})
    job_id = run["jobs"][0]["id"]
    seen = watch_job(gi, job_id, submitted)
    ok_at = seen["ok"]
    running_at = seen.get("running", ok_at)
    run_seconds = tool_seconds(gi, job_id)
    return {
        "upload": upload_seconds,
        "queue": running_at,  # submission -> the job runs (handler pick-up, job script written)
        "run": run_seconds,  # the tool's command itself
        "metadata_and_finish": max(ok_at - running_at - run_seconds, 0.0),  # set-metadata, output collection
        "tool_job": ok_at,  # submission -> ok
        "total": time.monotonic() - started,  # upload + tool job: what one tool test waits for
    }


def connect(state_dir: Path) -> tuple[GalaxyInstance, str]:
    """The Galaxy of a state dir (its port from galaxy.yml, the user's key) and a history to work in."""
    gi = GalaxyInstance(f"http://127.0.0.1:{_port_of(state_dir)}", key=(state_dir / "user_api_key").read_text().strip())
    if NOOP_TOOL not in {tool["id"] for tool in gi.tools.get_tools()}:
        raise SystemExit(f"error: {gi.base_url} has no tool {NOOP_TOOL!r}; start it with GXJ_HARNESS_TOOLS=1")
    return gi, gi.histories.create_history(name="galaxy overhead")["id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, action="append",
                        help="a running Galaxy's state dir (repeatable: rounds alternate between them, the first is "
                             "the baseline of the ratios); default .galaxy/test")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the rounds and medians here")
    args = parser.parse_args(argv)
    state_dirs = args.state_dir or [REPO / ".galaxy" / "test"]
    galaxies = [connect(state_dir) for state_dir in state_dirs]
    rounds: dict[str, list[dict[str, float]]] = {str(state_dir): [] for state_dir in state_dirs}
    for number in range(1, args.repeats + 1):
        for state_dir, (gi, history_id) in zip(state_dirs, galaxies):
            rounds[str(state_dir)].append(one_round(gi, history_id))
            print(f"{state_dir.name} round {number}: " + ", ".join(
                f"{name} {value:.1f} s" for name, value in rounds[str(state_dir)][-1].items()), flush=True)
    medians = {label: {name: round(statistics.median(r[name] for r in runs), 2) for name in runs[0]}
               for label, runs in rounds.items()}
    baseline = medians[str(state_dirs[0])]
    for label, median in medians.items():
        ratios = "" if label == str(state_dirs[0]) else "  (x{:.2f} of the baseline's total)".format(
            median["total"] / baseline["total"])
        print(f"median {Path(label).name}: " + ", ".join(f"{name} {value:.1f} s" for name, value in median.items())
              + ratios)
    if args.json:
        args.json.write_text(json.dumps({"rounds": rounds, "median": medians}, indent=1) + "\n")
    return 0


def _port_of(state_dir: Path) -> int:
    """The port written into the state dir's galaxy.yml (galaxy_infrastructure_url)."""
    for line in (state_dir / "galaxy.yml").read_text().splitlines():
        if "galaxy_infrastructure_url" in line:
            return int(line.rsplit(":", 1)[1].strip().strip('"'))
    raise SystemExit(f"error: no galaxy_infrastructure_url in {state_dir / 'galaxy.yml'}")


if __name__ == "__main__":
    sys.exit(main())
