"""Runs one notebook job as run_jupyter_job: submit (or re-attach), follow its progress, fetch its outputs.

jupyter-scheduler starts ``process()`` in a process of its own for each job. Here that process only
talks to Galaxy, so it may die with the JupyterLab server without harm: the job goes on in Galaxy,
and the scheduler re-attaches a new follower when it starts again (scheduler.py).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from jupyter_scheduler.executors import ExecutionManager
from jupyter_scheduler.models import JobFeature, Status
from jupyter_scheduler.utils import get_utc_timestamp

from galaxy_ml_jupyter.scheduler.client_bridge import run_json, stream_json
from galaxy_ml_jupyter.scheduler.h5_inputs import FORM_PARAMETER
from galaxy_ml_jupyter.scheduler.job_records import (
    FINISHED,
    STOPPED_STATES,
    galaxy_job_id,
    galaxy_token,
    job_folder,
    job_status,
    progress_message,
    update_job,
)

H5_INPUTS_KEY = "h5_inputs"  # runtime_environment_parameters entry: JSON {name the code opens: path}
POLL_SECONDS = 5


class NotebookJobFailed(RuntimeError):
    """The Galaxy job failed; the message names the cell and line (jupyter-scheduler shows it)."""


def submit_arguments(notebook: Path, inputs: dict[str, str], parameters: dict[str, str], executed: bool) -> list[str]:
    """``remote_training submit`` arguments: the H5 inputs under their names, the form's parameters
    (typed by the client as the tool types them; the input choice itself is not a parameter)."""
    args = ["submit", str(notebook)]
    for name, path in inputs.items():
        args += ["--input", f"{name}={path}"]
    for name, value in parameters.items():
        if name != FORM_PARAMETER:
            args += ["--param", f"{name}={value}"]
    return args if executed else [*args, "--no-executed-notebook"]


class GalaxyExecutionManager(ExecutionManager):
    stopped = False

    def _update(self, **values) -> None:
        update_job(self.db_session, self.job_id, **values)

    def _submit(self) -> str:
        job = self.model
        inputs = json.loads((job.runtime_environment_parameters or {}).get(H5_INPUTS_KEY) or "{}")
        args = submit_arguments(Path(self.staging_paths["input"]), inputs, job.parameters or {},
                                "ipynb" in (job.output_formats or []))
        galaxy_id = run_json(args)[0]["job_id"]
        self._update(idempotency_token=galaxy_token(galaxy_id), status=Status.QUEUED,
                     status_message=progress_message(galaxy_id, "submitted", []))
        return galaxy_id

    def _follow(self, galaxy_id: str) -> dict:
        """Follow the job to its end, writing Galaxy's state and the last progress lines into the row."""
        lines: list[str] = []
        for event in stream_json(["follow", galaxy_id, "--poll-seconds", str(POLL_SECONDS)]):
            if "outcome" in event:
                return event
            lines += event["new_lines"]
            status = job_status(event["state"])
            if status in FINISHED:  # the row ends only once the outputs are in the workspace (on_complete)
                status = Status.IN_PROGRESS
            self._update(status=status, status_message=progress_message(galaxy_id, event["state"], lines))
        raise NotebookJobFailed(f"Galaxy job {galaxy_id}: following it stopped without an outcome")

    def _download(self, galaxy_id: str) -> None:
        job = self.model
        folder = job_folder(self.root_dir, job.name)
        self._update(status_message=f"Galaxy job {galaxy_id}: ok | downloading the outputs to {folder.name}/")
        run_json(["download", galaxy_id, str(folder)])
        notebook = Path(self.staging_paths["input"])
        if notebook.is_file():
            shutil.copyfile(notebook, folder / job.input_filename)

    def before_start(self) -> None:
        self._update(start_time=self.model.start_time or get_utc_timestamp(), status=Status.QUEUED)

    def execute(self) -> None:
        galaxy_id = galaxy_job_id(self.model.idempotency_token) or self._submit()
        outcome = self._follow(galaxy_id)
        if outcome["state"] in STOPPED_STATES:
            self.stopped = True
            return
        if outcome["outcome"] != "ok":
            raise NotebookJobFailed(outcome["message"])
        self._download(galaxy_id)

    def on_complete(self) -> None:
        status = Status.STOPPED if self.stopped else Status.COMPLETED
        self._update(status=status, end_time=get_utc_timestamp(),
                     status_message="stopped in Galaxy" if self.stopped else None)

    def on_failure(self, error: Exception) -> None:
        self._update(status=Status.FAILED, end_time=get_utc_timestamp(), status_message=str(error)[:1000])

    # jupyter-scheduler calls these two on the class with the class as first argument
    # (``cls.supported_features(cls)``), as its own DefaultExecutionManager defines them
    def supported_features(cls) -> dict[JobFeature, bool]:
        features = dict.fromkeys(JobFeature, False)
        features.update({JobFeature.job_name: True, JobFeature.parameters: True, JobFeature.output_formats: True,
                         JobFeature.stop_job: True, JobFeature.delete_job: True})
        return features

    def validate(cls, input_path: str) -> bool:
        """Any notebook: Galaxy's runtime environment runs it, whatever kernel it names."""
        return input_path.endswith(".ipynb")
