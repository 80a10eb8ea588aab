"""Start the child interpreter and keep it within the time limit.

The user's code never runs in this process: a crash, ``os._exit`` or a hang there cannot take the
report with it. SIGTERM (Galaxy's walltime or a user's cancel) and the time limit both reach the
child as SIGTERM, which it turns into "stop the cell, keep the outputs"; if it has not finished
after the grace period it is killed.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])  # the folder that holds notebook_job/


@dataclass
class ChildExit:
    """How the child ended, as seen from outside it."""

    returncode: int
    timed_out: bool = False
    terminated: bool = False
    killed: bool = False
    seconds: float = 0.0


def child_environment(seed: int, threads: int | None) -> dict:
    """The child's environment: our package importable, a fixed hash seed, a headless plotting backend."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = str(seed)
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONUNBUFFERED"] = "1"
    if threads:
        for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env.setdefault(name, str(threads))
    return env


def run_child(plan_path: Path, env: dict, time_limit: float, grace: float) -> ChildExit:
    """Run the child to the end, the time limit, or a SIGTERM of ours, whichever comes first."""
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "notebook_job.child", str(plan_path)], env=env)
    outcome = ChildExit(returncode=0)
    timers: list[threading.Timer] = []

    def kill() -> None:
        if child.poll() is None:
            outcome.killed = True
            child.kill()

    def stop() -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            timers.append(threading.Timer(grace, kill))
            timers[-1].start()

    def time_is_up() -> None:
        outcome.timed_out = True
        stop()

    def forward(signum, frame) -> None:
        outcome.terminated = True
        stop()

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    if time_limit > 0:
        timers.append(threading.Timer(time_limit, time_is_up))
        timers[-1].start()
    try:
        child.wait()
    finally:
        for timer in timers:
            timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    outcome.returncode = child.returncode
    outcome.seconds = time.monotonic() - started
    return outcome
