"""Compatibility with notebooks written for the published container: ``run_script_job(...)``.

Same signature as before, but a failed job raises instead of being reported as a success, the wait
has a limit, the named history is reused, and the job's outputs are returned (and downloaded).
"""
from __future__ import annotations

from remote_training import connect, submit

DEFAULT_TIMEOUT_SECONDS = 24 * 3600


def run_script_job(script_path, data_dict=None, server=None, key=None, new_history_name="remote training",
                   tool_name="run_jupyter_job", timeout=DEFAULT_TIMEOUT_SECONDS, download_to=None):
    """Run ``script_path`` on Galaxy with ``data_dict`` ({name the code opens: local H5 path}).

    Returns {output name: dataset id, 'onnx_models': {name: id}, 'job_id': id}; with ``download_to``
    also downloads the ONNX models, results and report there.
    """
    if tool_name != "run_jupyter_job":
        raise ValueError(f"only run_jupyter_job is supported, not {tool_name!r}")
    galaxy = connect(server, key)
    job = submit(script_path, inputs=dict(data_dict or {}), history=new_history_name, galaxy=galaxy)
    job.wait(timeout=timeout)
    outputs = dict(job.outputs(), onnx_models=job.onnx_models(), job_id=job.id)
    if download_to:
        job.download(download_to)
    return outputs
