"""Runs the notebook client library (``python -m remote_training``) with the kernel's Python.

The JupyterLab server's environment has no bioblend (and must not share one with the ML stack, see
requirements/jupyter-server.txt); the kernel's environment has bioblend and remote_training. The
kernelspec the session wrote (python3) names that Python and the PYTHONPATH that offers the library
in the native launch; GALAXY_URL, API_KEY and HISTORY_ID are inherited from the server's environment.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

KERNEL_NAME = "python3"


class ClientError(RuntimeError):
    """The client library failed; the message is its last line on stderr."""


def client_environment() -> tuple[str, dict[str, str]]:
    """(python, environment) of the kernel; the server's own Python when no kernelspec says otherwise."""
    env = dict(os.environ)
    python = os.environ.get("GXJ_CLIENT_PYTHON", "")
    if not python:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        try:
            spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        except NoSuchKernel:
            spec = None
        python = spec.argv[0] if spec and spec.argv else sys.executable
        env.update((spec.env or {}) if spec else {})
    return python, env


def _command(args: list[str]) -> tuple[list[str], dict[str, str]]:
    python, env = client_environment()
    return [python, "-m", "remote_training", "--json", *args], env


def _last_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def run_json(args: list[str]) -> list[dict]:
    """Every JSON line the command printed; ClientError when it failed."""
    command, env = _command(args)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ClientError(f"remote_training {args[0]}: {_last_error(done.stderr)}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def stream_json(args: list[str]) -> Iterator[dict]:
    """The JSON lines of a long-running command as they come (``follow``); ClientError if it failed
    without saying why in its own output."""
    command, env = _command(args)
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        for line in process.stdout:
            if line.startswith("{"):
                yield json.loads(line)
        stderr = process.stderr.read()
        code = process.wait()
    if code not in (0, 1):
        raise ClientError(f"remote_training {args[0]}: {_last_error(stderr)}")
