#!/usr/bin/env python3
"""Launch the JupyterLab interactive tool in a running Galaxy and time it; also the helpers the browser test uses.

Launch time = from the tool submission (POST /api/tools) to the first 200 of the JupyterLab page
(`<entry point>/lab`) fetched through gx-it-proxy, i.e. what a user waits for before the lab loads.

  python tests/interactive/measure_launch.py --url http://127.0.0.1:8181 --key API_KEY --runs 5 [--json out.json]

Prints one line per run (entry point active, lab answering) and the median; each session is stopped
through Galaxy's API afterwards. Needs a Galaxy started with gx-it-proxy (make serve / make test do).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests
from bioblend.galaxy import GalaxyInstance

TOOL_ID = "interactive_tool_ml_jupyter_notebook"
POLL_SECONDS = 0.1
TERMINAL_JOB_STATES = {"ok", "error", "deleted", "deleting", "stopped", "failed", "skipped"}
# a stopped interactive tool passes through 'stopped' (or 'stopping') before its outputs are collected
# and the job ends 'ok'; only these states mean the outputs are final
FINAL_JOB_STATES = {"ok", "error", "deleted", "failed", "skipped"}


@dataclass
class Launch:
    """One started session: ids, the proxied address, and how long each step took."""

    job_id: str
    entry_point_id: str
    target: str
    submitted_at: float
    entry_point_active_s: float
    lab_answered_s: float


class LaunchError(RuntimeError):
    pass


def galaxy_get(url: str, key: str, path: str, **params) -> requests.Response:
    response = requests.get(f"{url}/api/{path}", params=params, headers={"x-api-key": key}, timeout=30)
    response.raise_for_status()
    return response


def upload(gi: GalaxyInstance, history_id: str, path: Path, file_type: str) -> str:
    dataset_id = gi.tools.upload_file(str(path), history_id, file_type=file_type)["outputs"][0]["id"]
    gi.datasets.wait_for_dataset(dataset_id, maxwait=300)
    return dataset_id


def submit(gi: GalaxyInstance, history_id: str, dataset_ids: list[str]) -> tuple[dict, float]:
    """Start a new-notebook session with the datasets in its folder; returns (the run, submission time)."""
    inputs = {"mode|mode": "new", "datasets": {"values": [{"src": "hda", "id": d} for d in dataset_ids]}}
    submitted_at = time.monotonic()
    run = gi.tools.run_tool(history_id, TOOL_ID, inputs)
    return run, submitted_at


def wait_for_entry_point(url: str, key: str, job_id: str, timeout: float = 180) -> tuple[dict, float]:
    """Poll Galaxy until the job's entry point is active; returns it and the time it was seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entry_points = galaxy_get(url, key, "entry_points", job_id=job_id).json()
        if entry_points and entry_points[0].get("active") and entry_points[0].get("target"):
            return entry_points[0], time.monotonic()
        job = galaxy_get(url, key, f"jobs/{job_id}").json()
        if job["state"] in TERMINAL_JOB_STATES:
            raise LaunchError(f"job {job_id} ended ({job['state']}) before its entry point became active")
        time.sleep(POLL_SECONDS)
    raise LaunchError(f"the entry point of job {job_id} was not active after {timeout:.0f}s")


def proxied_target(url: str, entry_point: dict) -> str:
    target = entry_point["target"]
    return target if target.startswith("http") else f"{url}{target}"


def wait_for_lab(target: str, timeout: float = 120) -> float:
    """GET <target>lab through the proxy until it answers 200; returns the time it did."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{target}lab", timeout=10)
            if response.status_code == 200:
                return time.monotonic()
            last = f"HTTP {response.status_code}"
        except requests.RequestException as err:
            last = str(err)
        time.sleep(POLL_SECONDS)
    raise LaunchError(f"{target}lab did not answer 200 within {timeout:.0f}s (last: {last})")


def launch(gi: GalaxyInstance, url: str, key: str, history_id: str, dataset_ids: list[str]) -> Launch:
    run, submitted_at = submit(gi, history_id, dataset_ids)
    job_id = run["jobs"][0]["id"]
    entry_point, active_at = wait_for_entry_point(url, key, job_id)
    target = proxied_target(url, entry_point)
    lab_at = wait_for_lab(target)
    return Launch(job_id, entry_point["id"], target, submitted_at, active_at - submitted_at, lab_at - submitted_at)


def stop(url: str, key: str, launch_: Launch, timeout: float = 120) -> dict:
    """Stop the session the way the user does in Galaxy (delete the entry point); wait until the job's
    outputs are final and return the job (a job left 'stopped' is returned after the timeout)."""
    response = requests.delete(f"{url}/api/entry_points/{launch_.entry_point_id}", headers={"x-api-key": key}, timeout=30)
    response.raise_for_status()
    deadline = time.monotonic() + timeout
    while True:
        job = galaxy_get(url, key, f"jobs/{launch_.job_id}", full="true").json()
        if job["state"] in FINAL_JOB_STATES:
            return job
        if time.monotonic() > deadline:
            if job["state"] in TERMINAL_JOB_STATES:
                return job
            raise LaunchError(f"job {launch_.job_id} did not end within {timeout:.0f}s of stopping it")
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True, help="a user's API key")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--input", type=Path, default=Path(__file__).resolve().parents[2] / "test-data" / "train.h5")
    parser.add_argument("--json", type=Path, help="write every run and the medians here")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    gi = GalaxyInstance(url, key=args.key)
    history_id = gi.histories.create_history(name="JupyterLab launch time")["id"]
    dataset_id = upload(gi, history_id, args.input, "h5")
    runs = []
    for number in range(1, args.runs + 1):
        result = launch(gi, url, args.key, history_id, [dataset_id])
        print(f"run {number}: entry point active after {result.entry_point_active_s:.1f}s, "
              f"JupyterLab answered through the proxy after {result.lab_answered_s:.1f}s", flush=True)
        stop(url, args.key, result)
        runs.append(result)
    summary = {
        "runs": [asdict(r) for r in runs],
        "median_entry_point_active_s": statistics.median(r.entry_point_active_s for r in runs),
        "median_lab_answered_s": statistics.median(r.lab_answered_s for r in runs),
    }
    print(f"median over {len(runs)} runs: entry point active {summary['median_entry_point_active_s']:.1f}s, "
          f"JupyterLab answering {summary['median_lab_answered_s']:.1f}s")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
