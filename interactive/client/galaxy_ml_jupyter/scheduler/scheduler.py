"""The jupyter-scheduler Scheduler of the Galaxy backend: jobs run as run_jupyter_job in the session's history.

Differences from jupyter-scheduler's own Scheduler:
- create_job resolves the HDF5 inputs in the workspace (h5_inputs.py) before the job is stored;
- stop = cancel in Galaxy; the follower process then records the job as stopped;
- outputs land in jobs/<job name>/ (ONNX models, results.h5, report.json, the executed notebook);
- on start, the history's notebook jobs that this server does not know (the session was restarted)
  are added to the list, and the ones still running get a follower again.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from jupyter_scheduler.exceptions import SchedulerError
from jupyter_scheduler.models import CreateJob, DescribeJob, JobFile, Status
from jupyter_scheduler.orm import Job
from jupyter_scheduler.scheduler import Scheduler
from sqlalchemy import event
from traitlets import Bool, Type

from galaxy_ml_jupyter.scheduler.client_bridge import ClientError, run_json
from galaxy_ml_jupyter.scheduler.environments import ENVIRONMENT
from galaxy_ml_jupyter.scheduler.execution import H5_INPUTS_KEY
from galaxy_ml_jupyter.scheduler.h5_inputs import H5InputError, job_h5_inputs
from galaxy_ml_jupyter.scheduler.job_records import (
    FINISHED,
    OUTPUT_DIRECTORY,
    galaxy_job_id,
    galaxy_token,
    job_folder,
    job_status,
    known_galaxy_ids,
    progress_message,
    update_job,
)

EXECUTED_NOTEBOOK = "executed_notebook.ipynb"


def _queued_when_created(_mapper, _connection, row: Job) -> None:
    """jupyter-scheduler stores a new job with its column default, STOPPED, until the job's process
    starts; the notification plugin would announce that as 'stopped'. A new row is QUEUED instead."""
    if row.status is None:
        row.status = Status.QUEUED


def _milliseconds(galaxy_time: str | None) -> int | None:
    """Galaxy's '2026-12-03T10:40:00.123456' (UTC, no zone) as jupyter-scheduler's milliseconds."""
    if not galaxy_time:
        return None
    return int(datetime.fromisoformat(galaxy_time).replace(tzinfo=timezone.utc).timestamp() * 1000)


class GalaxyScheduler(Scheduler):
    execution_manager_class = Type(
        default_value="galaxy_ml_jupyter.scheduler.execution.GalaxyExecutionManager",
        klass="jupyter_scheduler.executors.ExecutionManager", config=True)
    rebuild_from_galaxy = Bool(True, config=True, help="On start, list the history's notebook jobs this server does not know")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not event.contains(Job, "before_insert", _queued_when_created):
            event.listen(Job, "before_insert", _queued_when_created)
        self.output_directory = OUTPUT_DIRECTORY
        self.started_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
        self.rebuilt = threading.Event()
        if self.rebuild_from_galaxy and os.environ.get("GALAXY_URL") and os.environ.get("API_KEY"):
            threading.Thread(target=self._rebuild_in_background, daemon=True).start()
        else:
            self.rebuilt.set()

    # --- creating and stopping ------------------------------------------------------------------------

    def create_job(self, model: CreateJob) -> str:
        if not self.file_exists(model.input_uri):
            raise SchedulerError(f"{model.input_uri}: no such notebook in the workspace")
        notebook = Path(self.root_dir, model.input_uri)
        try:
            inputs = job_h5_inputs(notebook, model.parameters)
        except H5InputError as error:
            raise SchedulerError(str(error)) from None
        model.runtime_environment_parameters = {**(model.runtime_environment_parameters or {}),
                                                H5_INPUTS_KEY: json.dumps({name: str(path) for name, path in inputs.items()})}
        return super().create_job(model)

    def stop_job(self, job_id: str) -> None:
        job = self.get_job(job_id, job_files=False)
        galaxy_id = galaxy_job_id(job.idempotency_token)
        if job.status in FINISHED:
            return
        if galaxy_id is None:  # not in Galaxy yet: stop the submitting process as jupyter-scheduler does
            super().stop_job(job_id)
            return
        run_json(["cancel", galaxy_id])
        update_job(self.db_session, job_id, status=Status.STOPPING,
                   status_message=progress_message(galaxy_id, "cancel requested", []))

    # --- where the files go ---------------------------------------------------------------------------

    def get_local_output_path(self, model: DescribeJob, root_dir_relative: bool | None = False) -> str:
        folder = job_folder(self.root_dir, model.name)
        return os.path.relpath(folder, self.root_dir) if root_dir_relative else str(folder)

    def get_job_filenames(self, model: DescribeJob) -> dict[str, str]:
        names = {output_format: EXECUTED_NOTEBOOK for output_format in model.output_formats or [] if output_format == "ipynb"}
        names["input"] = model.input_filename
        return names

    def add_job_files(self, model: DescribeJob) -> None:
        super().add_job_files(model)
        folder = self.get_local_output_path(model, root_dir_relative=True)
        if self.file_exists(os.path.join(folder, "report.json")):
            model.job_files.append(JobFile(display_name="ONNX models, results.h5, report", file_format="files",
                                           file_path=folder))
        model.downloaded = all(job_file.file_path for job_file in model.job_files) and self.dir_exists(folder)

    # --- the list after a restart ---------------------------------------------------------------------

    def _start_follower(self, job_id: str) -> None:
        model = self.get_job(job_id, job_files=False)
        follower = self.execution_manager_class(job_id=job_id, staging_paths=self.get_staging_paths(model),
                                                root_dir=self.root_dir, db_url=self.db_url)
        process = multiprocessing.get_context("spawn").Process(target=follower.process)
        process.start()
        update_job(self.db_session, job_id, pid=process.pid)

    def rebuild(self) -> list[str]:
        """Add the history's notebook jobs this server does not know (created before it started); follow
        the unfinished ones again. Returns the ids of the rows added."""
        known = known_galaxy_ids(self.db_session)
        added = []
        for galaxy in run_json(["jobs"]):
            created = _milliseconds(galaxy["create_time"]) or self.started_ms
            if galaxy["id"] in known or created >= self.started_ms:
                continue
            notebook = galaxy["code_name"] or "notebook.ipynb"
            status = job_status(galaxy["state"])
            with self.db_session() as session:
                row = Job(name=f"{Path(notebook).stem}-{galaxy['id']}", input_filename=notebook,
                          runtime_environment_name=ENVIRONMENT, output_formats=["ipynb"], parameters={},
                          idempotency_token=galaxy_token(galaxy["id"]), status=status, create_time=created,
                          start_time=created, end_time=_milliseconds(galaxy["update_time"]) if status in FINISHED else None,
                          status_message=progress_message(galaxy["id"], galaxy["state"], []))
                session.add(row)
                session.commit()
                added.append(row.job_id)
            if status not in FINISHED:
                self._start_follower(added[-1])
        return added

    def _rebuild_in_background(self) -> None:
        try:
            added = self.rebuild()
            self.log.info("notebook jobs: %d added to the list from the Galaxy history", len(added))
        except ClientError as error:
            self.log.warning("notebook jobs: the list could not be rebuilt from Galaxy: %s", error)
        finally:
            self.rebuilt.set()
