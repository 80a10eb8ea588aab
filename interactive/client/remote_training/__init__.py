"""Train on Galaxy from a notebook: send a notebook and its HDF5 data to run_jupyter_job, get ONNX back.

    from remote_training import submit
    job = submit("train.ipynb", inputs={"train.h5": "data/train.h5"}, parameters={"epochs": 20})
    job.follow()                        # prints each cell's progress line as the job runs (or job.progress())
    job.wait(timeout=3600)              # raises RemoteJobFailed with the failing cell's line
    paths = job.download("trained/")    # ONNX models, results.h5, report.json

Connection details come from the interactive tool's environment (GALAXY_URL, API_KEY, HISTORY_ID)
or from arguments; ``submit`` returns at once, so the browser can be closed and the job found
again later with ``RemoteJob.attach(job_id)``. ``python -m remote_training`` does the same from a terminal
(and for JupyterLab's "Create a job", see galaxy_ml_jupyter.scheduler).
"""
from remote_training.connection import GalaxyAuthError, connect
from remote_training.history_io import get, put
from remote_training.jobs import RemoteJob, RemoteJobFailed, RemoteJobTimeout
from remote_training.submit import submit
from remote_training.sweep import Sweep, sweep

__all__ = ["GalaxyAuthError", "RemoteJob", "RemoteJobFailed", "RemoteJobTimeout", "Sweep", "connect", "get", "put",
           "submit", "sweep"]
__version__ = "0.1.0"
