"""The "Download job files" button: fetch a finished job's outputs from Galaxy into jobs/<job name>/.

Jobs submitted from this session are downloaded when they end; this serves the ones listed again
after a restart (their files stay in the history) and a second copy after files were deleted.
"""
from __future__ import annotations

from multiprocessing import get_context

from jupyter_scheduler.job_files_manager import JobFilesManager
from jupyter_server.utils import ensure_async

from galaxy_ml_jupyter.scheduler.client_bridge import run_json
from galaxy_ml_jupyter.scheduler.job_records import galaxy_job_id


def download(galaxy_id: str, folder: str) -> None:
    run_json(["download", galaxy_id, folder])


class GalaxyJobFilesManager(JobFilesManager):
    async def copy_from_staging(self, job_id: str, redownload: bool | None = False) -> None:
        job = await ensure_async(self.scheduler.get_job(job_id, False))
        galaxy_id = galaxy_job_id(job.idempotency_token)
        if galaxy_id is None:
            return
        folder = self.scheduler.get_local_output_path(model=job)
        get_context("spawn").Process(target=download, args=(galaxy_id, folder)).start()
