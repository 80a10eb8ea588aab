"""A Galaxy backend for jupyter-scheduler: "Create a notebook job" runs the notebook as run_jupyter_job.

Configured in interactive/container/jupyter_server_config.py:

    c.SchedulerApp.scheduler_class = "galaxy_ml_jupyter.scheduler.scheduler.GalaxyScheduler"
    c.SchedulerApp.environment_manager_class = "galaxy_ml_jupyter.scheduler.environments.GalaxyEnvironmentManager"
    c.SchedulerApp.job_files_manager_class = "galaxy_ml_jupyter.scheduler.job_files.GalaxyJobFilesManager"
"""
