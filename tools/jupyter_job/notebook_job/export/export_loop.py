"""Export every found model within the job's time, saying what happens as it goes.

Each model gets a share of the time left (the time left divided by the models still to export):
a model whose export runs past its share is stopped there (SIGALRM raises in the exporter) and the
next one gets its turn, so one huge graph cannot eat the time of all the others. While an export
runs, a progress line says which model and route it is on, and a heartbeat line every
HEARTBEAT_SECONDS says it is still working. After every change of state the caller's
``on_change`` sees all entries, each with its state (pending, exporting, exported, not exported),
so a job killed in the middle still leaves a truthful record of every model.

A stop (SIGTERM: the time limit or a cancel) does not throw away the exports: the remaining time
becomes the grace period the supervisor allows before it kills, shared among the models left.
"""
from __future__ import annotations

import signal
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from notebook_job.export.models import FoundModel, find_models
from notebook_job.export.onnx_export import export_model, new_entry
from notebook_job.run.cell_runner import PROGRESS_PREFIX

HEARTBEAT_SECONDS = 30.0
MIN_SHARE = 0.5  # seconds: less than this left for a model, and its export is not even started
RESERVE_FRACTION = 0.2  # of the grace period, kept for writing the outcome and the native archive
MAX_RESERVE = 5.0


class ExportTimeUp(BaseException):
    """Raised in the exporter when the model's share of the time has run out (BaseException: converters'
    own ``except Exception`` must not swallow it)."""


def progress(message: str) -> None:
    print(f"{PROGRESS_PREFIX} {message}", flush=True)


def reserve(grace: float) -> float:
    """Seconds kept back at the end for writing what the job has done."""
    return min(MAX_RESERVE, RESERVE_FRACTION * grace)


def time_share(remaining: float | None, models_left: int) -> float | None:
    """A model's share of the remaining seconds: an equal part for each model left; None without a limit."""
    if remaining is None:
        return None
    return max(remaining, 0.0) / max(models_left, 1)


class Budget:
    """The moment (time.monotonic) by which the exports must be done; None for no limit."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline

    @classmethod
    def for_job(cls, started: float, time_limit: float, grace: float) -> Budget:
        """The time limit plus the grace period after it, less the reserve; no deadline without a time limit."""
        return cls(started + time_limit + grace - reserve(grace) if time_limit > 0 else None)

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def tighten(self, seconds: float) -> None:
        """End no later than ``seconds`` from now."""
        end = time.monotonic() + seconds
        self.deadline = end if self.deadline is None else min(self.deadline, end)


class Heartbeat:
    """``with Heartbeat(label):`` prints 'still exporting' every ``interval`` seconds until the block ends."""

    def __init__(self, label: str, interval: float = HEARTBEAT_SECONDS, say: Callable[[str], None] = progress):
        self.label, self.interval, self.say = label, interval, say
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        started = time.monotonic()
        while not self.done.wait(self.interval):
            self.say(f"still exporting {self.label}: {time.monotonic() - started:.0f} s so far")

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.done.set()
        self.thread.join()


def _time_up(signum, frame) -> None:
    raise ExportTimeUp()


@contextmanager
def alarm(seconds: float | None):
    """SIGALRM (ExportTimeUp in the main thread) after ``seconds``; no timer for None, but the handler is
    in place, so that a stop can still set one (ExportLoop.stop_requested)."""
    previous = signal.signal(signal.SIGALRM, _time_up)
    if seconds is not None:
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ExportLoop:
    """Exports ``found`` one by one within ``budget``; ``on_change(entries, exporting)`` after each change."""

    def __init__(self, found: list[FoundModel], budget: Budget, on_change: Callable[[list[dict], str | None], None]):
        self.found, self.budget, self.on_change = found, budget, on_change
        self.entries = [new_entry(item) for item in found]
        self.current: int | None = None
        self.share_end: float | None = None

    def describe_current(self) -> dict | None:
        """The model being exported now: name and position, for a report of where a stop landed."""
        if self.current is None:
            return None
        return {"model": self.found[self.current].name, "position": f"{self.current + 1}/{len(self.found)}"}

    def stop_requested(self, grace: float) -> None:
        """A SIGTERM: the models left share the grace period; the running export's alarm moves earlier."""
        self.budget.tighten(grace - reserve(grace))
        if self.current is None:
            return
        share = time_share(self.budget.remaining(), len(self.found) - self.current)
        end = time.monotonic() + share
        if self.share_end is None or end < self.share_end:
            self.share_end = end
            signal.setitimer(signal.ITIMER_REAL, max(share, 0.001))

    def _one(self, index: int, onnx_dir: Path, scratch: Path, namespace: dict) -> None:
        item, entry = self.found[index], self.entries[index]
        label = f"{item.framework} model {item.name!r} ({index + 1}/{len(self.found)})"
        remaining = self.budget.remaining()
        share = time_share(remaining, len(self.found) - index)
        if share is not None and share < MIN_SHARE:
            entry.update(state="not exported", seconds=0.0)
            entry["warnings"].append("not exported: no time was left for its export")
            progress(f"{label}: not exported, no time left")
            return
        limit = "" if share is None else f", up to {share:.0f} s (its share of the {remaining:.0f} s left)"
        self.current, self.share_end = index, None if share is None else time.monotonic() + share
        entry["state"] = "exporting"
        self.on_change(self.entries, item.name)
        # said only once the outcome file names the model: whoever acts on this line (a stop) finds it recorded
        progress(f"exporting {label} to ONNX{limit}")
        started = time.monotonic()
        try:
            with alarm(share), Heartbeat(label):
                export_model(item, namespace, onnx_dir, scratch, progress, entry)
        except ExportTimeUp:
            if entry["state"] != "exported":
                for unverified in [onnx_dir / f"{item.name}.onnx", *scratch.glob(f"{item.name}.*.onnx")]:
                    unverified.unlink(missing_ok=True)
                allowed = (self.share_end or time.monotonic()) - started
                entry.update(state="not exported", onnx=None, seconds=round(time.monotonic() - started, 3))
                entry.pop("parity", None)
                entry.pop("route", None)
                entry["warnings"].append(f"not exported: the export took longer than its share of the job's "
                                         f"remaining time ({allowed:.0f} s)")
        finally:
            self.current = None
        if entry["state"] == "exported":
            progress(f"{label}: exported by {entry['route']} in {entry['seconds']:.1f} s "
                     f"(max abs diff {entry['parity']['max_abs_diff']:.2g})")
        else:
            progress(f"{label}: {entry['warnings'][-1] if entry['warnings'] else 'not exported'}")

    def run(self, namespace: dict, onnx_dir: Path, scratch: Path) -> list[dict]:
        onnx_dir.mkdir(parents=True, exist_ok=True)
        scratch.mkdir(parents=True, exist_ok=True)
        self.on_change(self.entries, None)
        for index in range(len(self.found)):
            self._one(index, onnx_dir, scratch, namespace)
            self.on_change(self.entries, None)
        return self.entries


def export_all(namespace: dict, onnx_dir: Path, scratch: Path | None = None, budget: Budget | None = None) -> list[dict]:
    """Find and export every model of ``namespace``; without a budget there is no time limit."""
    with tempfile.TemporaryDirectory(prefix="onnx_scratch_") as own:
        loop = ExportLoop(find_models(namespace), budget or Budget(None), lambda entries, exporting: None)
        return loop.run(namespace, onnx_dir, scratch or Path(own))
