"""jupyter-scheduler's job rows as our backend uses them: the Galaxy job id, the state, the job's folder.

The Galaxy job id is kept as the row's idempotency token ('galaxy:<id>'): one row per Galaxy job,
which is what lets the job list be rebuilt from Galaxy without listing a job twice.
"""
from __future__ import annotations

import re
from pathlib import Path

from jupyter_scheduler.models import Status
from jupyter_scheduler.orm import Job

TOKEN_PREFIX = "galaxy:"
OUTPUT_DIRECTORY = "jobs"
PROGRESS_LINES_SHOWN = 3
MESSAGE_LIMIT = 1000
STATUS_OF_STATE = {
    "new": Status.QUEUED, "queued": Status.QUEUED, "upload": Status.QUEUED, "waiting": Status.QUEUED,
    "running": Status.IN_PROGRESS, "ok": Status.COMPLETED, "error": Status.FAILED, "failed": Status.FAILED,
    "skipped": Status.FAILED, "deleting": Status.STOPPING, "deleted": Status.STOPPED,
    "deleted_new": Status.STOPPED, "stopped": Status.STOPPED,
}
FINISHED = {Status.COMPLETED, Status.FAILED, Status.STOPPED}
STOPPED_STATES = {"deleting", "deleted", "deleted_new", "stopped"}


def galaxy_token(galaxy_job_id: str) -> str:
    return TOKEN_PREFIX + galaxy_job_id


def galaxy_job_id(token: str | None) -> str | None:
    return token[len(TOKEN_PREFIX):] if token and token.startswith(TOKEN_PREFIX) else None


def job_status(galaxy_state: str) -> Status:
    return STATUS_OF_STATE.get(galaxy_state, Status.IN_PROGRESS)


def progress_message(galaxy_id: str, state: str, lines: list[str]) -> str:
    """'Galaxy job f2db41e1: running | cell 2 (2/5) ok in 0.52 s | cell 3 (3/5) started'."""
    message = " | ".join([f"Galaxy job {galaxy_id}: {state}", *lines[-PROGRESS_LINES_SHOWN:]])
    return message[:MESSAGE_LIMIT]


def folder_name(job_name: str) -> str:
    """The job's name as a folder name: letters, digits, '.', '_', '-' and spaces; never empty or hidden."""
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "_", job_name).strip(" .")
    return cleaned or "job"


def job_folder(root_dir: str, job_name: str) -> Path:
    """jobs/<job name>/ in the workspace: where a job's outputs are downloaded."""
    return Path(root_dir) / OUTPUT_DIRECTORY / folder_name(job_name)


def update_job(session_factory, job_id: str, **values) -> None:
    with session_factory() as session:
        session.query(Job).filter(Job.job_id == job_id).update(values)
        session.commit()


def known_galaxy_ids(session_factory) -> set[str]:
    with session_factory() as session:
        tokens = session.query(Job.idempotency_token).filter(Job.idempotency_token.like(TOKEN_PREFIX + "%")).all()
    return {galaxy_job_id(token) for (token,) in tokens}
