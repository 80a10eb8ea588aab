"""``python -m remote_training``: notebook jobs from a terminal, and the JupyterLab scheduler's link to Galaxy.

    python -m remote_training submit train.ipynb --input train.h5=data/train.h5 --param epochs=20
    python -m remote_training follow JOB_ID          # new progress lines as they come; exit 1 on failure
    python -m remote_training jobs | cancel JOB_ID | download JOB_ID DEST

``--json`` makes every answer one JSON object per line: the JupyterLab server runs these commands with
the kernel's Python (where bioblend and this library live) and reads them. Connection details come
from GALAXY_URL, API_KEY and HISTORY_ID as everywhere in this library.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from remote_training.connection import GalaxyAuthError, connect
from remote_training.histories import history_id
from remote_training.job_list import notebook_jobs
from remote_training.jobs import RemoteJob, RemoteJobFailed
from remote_training.submit import submit


class UsageError(ValueError):
    """A bad argument: one line on stderr, exit code 2."""


def typed_value(text: str) -> object:
    """A form's text as the tool's typed parameter: 20 -> int, 0.1 -> float, true -> bool, [1, 2] -> list."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (bool, int, float, list, dict)) else text


def pairs(values: list[str], what: str) -> dict[str, str]:
    parsed = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{what} {value!r} is not NAME=VALUE")
        parsed[name.strip()] = rest
    return parsed


def emit(args: argparse.Namespace, payload: dict, text: str) -> None:
    print(json.dumps(payload) if args.json else text, flush=True)


def cmd_submit(args: argparse.Namespace) -> int:
    missing = [path for path in [args.code, *pairs(args.input, "--input").values()] if not Path(path).is_file()]
    if missing:
        raise UsageError(f"no such file: {missing[0]}")
    parameters = {name: typed_value(value) for name, value in pairs(args.param, "--param").items()}
    job = submit(args.code, inputs=pairs(args.input, "--input"), parameters=parameters, history=args.history,
                 executed_notebook=not args.no_executed_notebook, time_limit_minutes=args.time_limit_minutes)
    emit(args, {"job_id": job.id, "history_id": job.history_id}, job.id)
    return 0


def cmd_follow(args: argparse.Namespace) -> int:
    job = RemoteJob.attach(args.job_id)
    state = None
    while True:
        progress = job.progress()
        if progress.new_lines or progress.state != state:
            state = progress.state
            emit(args, {"state": state, "new_lines": progress.new_lines, "summary": progress.summary()},
                 "\n".join([f"[{state}]", *progress.new_lines]))
        if progress.finished:
            break
        time.sleep(args.poll_seconds)
    try:
        job.wait()
    except RemoteJobFailed as failure:
        emit(args, {"state": failure.state, "outcome": "failed", "message": str(failure)}, str(failure))
        return 1
    emit(args, {"state": "ok", "outcome": "ok", "message": f"Galaxy job {job.id} finished"},
         f"Galaxy job {job.id} finished")
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    galaxy = connect()
    for job in notebook_jobs(galaxy, history_id(galaxy, args.history)):
        emit(args, job, f"{job['id']}  {job['state']:<8} {job['create_time']}  {job['code_name']}")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    RemoteJob.attach(args.job_id).cancel()
    emit(args, {"job_id": args.job_id, "cancelled": True}, f"cancel requested for Galaxy job {args.job_id}")
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    paths = RemoteJob.attach(args.job_id).download(args.destination)
    emit(args, {key: str(path) for key, path in paths.items()}, "\n".join(str(path) for path in paths.values()))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m remote_training", description=__doc__.splitlines()[0])
    top.add_argument("--json", action="store_true", help="answer in JSON lines")
    commands = top.add_subparsers(dest="command", required=True)
    run = commands.add_parser("submit", help="send a notebook or script to run_jupyter_job")
    run.add_argument("code")
    run.add_argument("--input", action="append", default=[], metavar="NAME=PATH", help="an HDF5 input under the name the code opens")
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter (JSON-typed: 20, 0.1, true, [1,2])")
    run.add_argument("--history", help="history name or id (default: HISTORY_ID)")
    run.add_argument("--time-limit-minutes", type=float, default=0)
    run.add_argument("--no-executed-notebook", action="store_true")
    run.set_defaults(run=cmd_submit)
    follow = commands.add_parser("follow", help="print progress lines until the job ends")
    follow.add_argument("job_id")
    follow.add_argument("--poll-seconds", type=float, default=5.0)
    follow.set_defaults(run=cmd_follow)
    listing = commands.add_parser("jobs", help="the notebook jobs of the history, newest first")
    listing.add_argument("--history")
    listing.set_defaults(run=cmd_jobs)
    cancel = commands.add_parser("cancel", help="stop a job in Galaxy")
    cancel.add_argument("job_id")
    cancel.set_defaults(run=cmd_cancel)
    download = commands.add_parser("download", help="a job's outputs into a folder")
    download.add_argument("job_id")
    download.add_argument("destination")
    download.set_defaults(run=cmd_download)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, GalaxyAuthError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
