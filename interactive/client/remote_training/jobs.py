"""A handle on a run_jupyter_job job: its state, waiting with a timeout, its logs, its outputs.

A job that ends in error raises RemoteJobFailed carrying Galaxy's stderr, whose last line names the
cell and line that failed; a job can be found again from its id after the notebook was closed.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from remote_training.connection import Galaxy, connect
from remote_training.progress import TERMINAL_STATES, ConsoleReader, JobProgress

FAILED_STATES = TERMINAL_STATES - {"ok"}
TIME_LIMIT_EXIT_CODE = 3


class RemoteJobFailed(RuntimeError):
    """The Galaxy job failed; ``stderr`` holds its standard error, the message its last line."""

    def __init__(self, job_id: str, state: str, exit_code: int | None, stderr: str):
        lines = [line for line in (stderr or "").splitlines() if line.strip()]
        reason = lines[-1] if lines else f"no stderr (state {state})"
        super().__init__(f"Galaxy job {job_id} ended in state {state} (exit code {exit_code}): {reason}")
        self.job_id, self.state, self.exit_code, self.stderr = job_id, state, exit_code, stderr


class RemoteJobTimeout(TimeoutError):
    """``wait`` gave up; the job itself goes on in Galaxy."""


class RemoteJob:
    """One submitted job. Cheap to create: nothing is asked of Galaxy until a method needs it."""

    def __init__(self, galaxy: Galaxy, job_id: str, history_id: str):
        self.galaxy, self.id, self.history_id = galaxy, job_id, history_id
        self._console = ConsoleReader(galaxy, job_id)

    @classmethod
    def attach(cls, job_id: str, galaxy: Galaxy | None = None) -> RemoteJob:
        """The handle of a job submitted earlier (e.g. before the browser was closed)."""
        galaxy = galaxy or connect()
        details = galaxy.call(galaxy.gi.jobs.show_job, job_id)
        return cls(galaxy, job_id, details["history_id"])

    def details(self) -> dict:
        return self.galaxy.call(self.galaxy.gi.jobs.show_job, self.id, full_details=True)

    def status(self) -> str:
        """Galaxy's job state: new, queued, running, ok, error, ..."""
        return self.galaxy.call(self.galaxy.gi.jobs.show_job, self.id)["state"]

    @property
    def stdout(self) -> str:
        return self.details().get("tool_stdout") or self.details().get("stdout") or ""

    @property
    def stderr(self) -> str:
        details = self.details()
        return details.get("tool_stderr") or details.get("stderr") or ""

    def wait(self, timeout: float | None = None, poll_seconds: float = 5.0) -> RemoteJob:
        """Block until the job ends. Raises RemoteJobFailed (with the failing cell's line) on failure and
        RemoteJobTimeout when ``timeout`` seconds pass first; survives Galaxy restarts while waiting."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            state = self.status()
            if state in TERMINAL_STATES:
                break
            if deadline is not None and time.monotonic() >= deadline:
                raise self._timeout(state, timeout)
            time.sleep(poll_seconds if deadline is None else max(0.0, min(poll_seconds, deadline - time.monotonic())))
        if state in FAILED_STATES:
            details = self.details()
            raise RemoteJobFailed(self.id, state, details.get("exit_code"), details.get("tool_stderr")
                                  or details.get("stderr") or "")
        return self

    def progress(self) -> JobProgress:
        """Galaxy's state and the runner's per-cell lines so far (``.new_lines``: those since the last call),
        read while the job runs, not only when it ends."""
        return self._console.poll()

    def follow(self, show: Callable[[str], object] = print, timeout: float | None = None,
               poll_seconds: float = 5.0) -> RemoteJob:
        """Print each new progress line as the job runs (``show`` receives them), then end as ``wait`` does:
        RemoteJobFailed naming the failing cell and line, RemoteJobTimeout after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        state = None
        while True:
            progress = self.progress()
            if progress.state != state:
                state = progress.state
                show(f"Galaxy job {self.id}: {state}")
            for line in progress.new_lines:
                show(line)
            if progress.finished:
                return self.wait()
            if deadline is not None and time.monotonic() >= deadline:
                raise self._timeout(state, timeout)
            time.sleep(poll_seconds)

    def _timeout(self, state: str, timeout: float) -> RemoteJobTimeout:
        return RemoteJobTimeout(f"Galaxy job {self.id} is still {state} after {timeout:g} s; it goes on "
                                f"running: RemoteJob.attach({self.id!r}).wait() picks it up again")

    def cancel(self) -> None:
        """Stop the job in Galaxy (its outputs written so far are discarded by Galaxy)."""
        self.galaxy.call(self.galaxy.gi.jobs.cancel_job, self.id)

    @property
    def stopped_by_time_limit(self) -> bool:
        """True when the job reached its time limit: it is green, its outputs (checkpoints) are kept."""
        return self.details().get("exit_code") == TIME_LIMIT_EXIT_CODE

    def outputs(self) -> dict[str, str]:
        """Output name -> dataset id (results, report, and the optional ones that were asked for)."""
        return {name: value["id"] for name, value in self.details()["outputs"].items()}

    def _elements(self, name: str) -> list[dict]:
        collections = self.details().get("output_collections", {})
        if name not in collections:
            return []
        content = self.galaxy.call(self.galaxy.gi.histories.show_dataset_collection, self.history_id,
                                   collections[name]["id"])
        return content["elements"]

    def collection(self, name: str) -> dict[str, str]:
        """Element identifier -> dataset id of an output collection ('onnx_models', 'output_files')."""
        return {element["element_identifier"]: element["object"]["id"] for element in self._elements(name)}

    def output_files(self) -> dict[str, str]:
        """File name -> dataset id of the files the code wrote under outputs/.

        Galaxy keeps the extension as the dataset's type, not in the element identifier
        ('metrics.json' is element 'metrics' of type json), so it is put back here."""
        files = {}
        for element in self._elements("output_files"):
            name, extension = element["element_identifier"], element["object"].get("file_ext") or ""
            suffix = f".{extension}" if extension and extension not in ("data", "auto") else ""
            files[name if name.endswith(suffix) else name + suffix] = element["object"]["id"]
        return files

    def onnx_models(self) -> dict[str, str]:
        return self.collection("onnx_models")

    def _download(self, dataset_id: str, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.galaxy.call(self.galaxy.gi.datasets.download_dataset, dataset_id, file_path=str(target),
                         use_default_filename=False, require_ok_state=False)
        return target

    def report(self) -> dict:
        """The job's report (per-cell times, ONNX parity, warnings, versions, device)."""
        data = self.galaxy.call(self.galaxy.gi.datasets.download_dataset, self.outputs()["report"],
                                use_default_filename=False, require_ok_state=False)
        return json.loads(data)

    def download(self, destination: str | Path = ".") -> dict[str, Path]:
        """ONNX models (as onnx/NAME.onnx), results.h5, report.json, executed_notebook.ipynb (when it was asked
        for) and the files from outputs/ (under their names with the extension, e.g. outputs/metrics.json)
        into ``destination``."""
        destination = Path(destination)
        outputs = self.outputs()
        paths = {"results": self._download(outputs["results"], destination / "results.h5"),
                 "report": self._download(outputs["report"], destination / "report.json")}
        if "executed_notebook" in outputs:
            paths["notebook"] = self._download(outputs["executed_notebook"], destination / "executed_notebook.ipynb")
        for name, dataset in self.onnx_models().items():
            paths[f"onnx:{name}"] = self._download(dataset, destination / "onnx" / f"{name}.onnx")
        for name, dataset in self.output_files().items():
            paths[f"file:{name}"] = self._download(dataset, destination / "outputs" / name)
        return paths
