"""`publish` (native launch only): once Jupyter answers, write the file Galaxy polls to activate the entry point."""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .collect import read_session
from .layout import CONTAINER_PORT, RUNTIME_FILE
from .workspace_files import write_json_atomic


def serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(session_dir: Path, job_dir: Path, jupyter_pid: int, timeout: float) -> int:
    """Native launch: once Jupyter answers under its base URL, tell Galaxy where it listens.

    Galaxy's local runner activates the entry point when ../container_runtime.json appears (normally
    the container monitor writes it); writing it only after Jupyter answers means an active entry
    point is a working one. Returns 0, or 1 when Jupyter died or never answered.
    """
    session = read_session(session_dir)
    base_url = os.environ["GXJ_BASE_URL"]
    probe = f"http://127.0.0.1:{session['port']}{base_url}api/status"
    deadline = time.monotonic() + timeout
    while not serving(probe):
        if not pid_alive(jupyter_pid):
            print("error: JupyterLab exited before it answered", file=sys.stderr)
            return 1
        if time.monotonic() > deadline:
            print(f"error: JupyterLab did not answer within {timeout:.0f}s", file=sys.stderr)
            return 1
        time.sleep(0.1)
    runtime = {str(CONTAINER_PORT): {"host": "127.0.0.1", "port": session["port"], "protocol": "http"}}
    write_json_atomic(job_dir / RUNTIME_FILE, runtime)
    print(f"JupyterLab answers on 127.0.0.1:{session['port']}; entry point published", file=sys.stderr)
    return 0
