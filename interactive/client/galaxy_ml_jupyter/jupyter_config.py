"""jupyter-scheduler settings of the JupyterLab interactive tool (called from its jupyter_server_config.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BACKEND = "galaxy_ml_jupyter.scheduler"


def configure_notebook_jobs(c) -> bool:
    """Point jupyter-scheduler at the Galaxy backend and load the notification plugin; without
    jupyter-scheduler in the server's environment, switch the extension off and return False."""
    if importlib.util.find_spec("jupyter_scheduler") is None:
        c.ServerApp.jpserver_extensions["jupyter_scheduler"] = False
        return False
    c.SchedulerApp.scheduler_class = f"{BACKEND}.scheduler.GalaxyScheduler"
    c.SchedulerApp.environment_manager_class = f"{BACKEND}.environments.GalaxyEnvironmentManager"
    c.SchedulerApp.job_files_manager_class = f"{BACKEND}.job_files.GalaxyJobFilesManager"
    c.LabApp.extra_labextensions_path = [str(PACKAGE / "labextensions")]
    return True
