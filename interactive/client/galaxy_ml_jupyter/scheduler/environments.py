"""The jupyter-scheduler "environment" of a notebook job: Galaxy's compute, where run_jupyter_job runs.

It says what the user gets: a CPU node, or a GPU node when the admin says this Galaxy routes
run_jupyter_job to a GPU destination (``GXJ_SCHEDULER_GPU=1`` in the session's environment: the tool
asks for a GPU, Galaxy's routing decides, and the job's report names the device it got). The code runs
in Galaxy's runtime environment either way. (jupyter-scheduler builds this manager without its
configuration, hence an environment variable rather than a traitlet.)
"""
from __future__ import annotations

import os

from jupyter_scheduler.environments import EnvironmentManager
from jupyter_scheduler.models import RuntimeEnvironment

ENVIRONMENT = "galaxy"
OUTPUT_FORMATS = {"ipynb": "Executed notebook"}


class GalaxyEnvironmentManager(EnvironmentManager):
    @property
    def gpu(self) -> bool:
        return os.environ.get("GXJ_SCHEDULER_GPU", "") == "1"

    def list_environments(self) -> list[RuntimeEnvironment]:
        galaxy = os.environ.get("GALAXY_URL", "Galaxy")
        device = "GPU" if self.gpu else "CPU"
        return [RuntimeEnvironment(
            name=ENVIRONMENT, label=f"Galaxy ({device})",
            description=f"run_jupyter_job on {galaxy} ({device} node); outputs come back to jobs/<job name>/",
            file_extensions=["ipynb"], output_formats=list(OUTPUT_FORMATS), compute_types=[device],
            default_compute_type=device, metadata={"galaxy_url": galaxy})]

    def manage_environments_command(self) -> str:
        return ""

    def output_formats_mapping(self) -> dict[str, str]:
        return dict(OUTPUT_FORMATS)
