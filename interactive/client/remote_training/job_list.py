"""The run_jupyter_job jobs of a history, newest first: what a job list is rebuilt from after a restart."""
from __future__ import annotations

from remote_training.connection import Galaxy
from remote_training.submit import TOOL_ID


def is_notebook_job(tool_id: str) -> bool:
    """run_jupyter_job itself, or the same tool installed from a Tool Shed ('host/repos/owner/repo/run_jupyter_job/1.0')."""
    parts = tool_id.split("/")
    return tool_id == TOOL_ID or (len(parts) >= 2 and parts[-2] == TOOL_ID)


def notebook_jobs(galaxy: Galaxy, history_id: str) -> list[dict]:
    """id, state, create_time, update_time and code_name (the notebook's name in the history) of each job."""
    jobs = galaxy.call(galaxy.gi.jobs.get_jobs, history_id=history_id, order_by="create_time")
    found = []
    for job in reversed(jobs):
        if not is_notebook_job(job.get("tool_id") or ""):
            continue
        details = galaxy.call(galaxy.gi.jobs.show_job, job["id"], full_details=True)
        code = (details.get("inputs") or {}).get("code") or {}
        code_name = ""
        if code.get("id"):
            code_name = galaxy.call(galaxy.gi.datasets.show_dataset, code["id"]).get("name") or ""
        found.append({"id": job["id"], "state": job["state"], "create_time": job.get("create_time"),
                      "update_time": job.get("update_time"), "code_name": code_name})
    return found
