"""A JupyterLab server with the interactive tool's own Jupyter config, outside Galaxy, for the backend tests.

The same config file, server venv and kernelspec as a session (the kernel's Python is the runtime
venv with the client library on its path); GALAXY_URL, API_KEY and HISTORY_ID as Galaxy injects them.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "interactive" / "container"))
from galaxy_jupyter.jupyter_setup import write_kernelspec  # noqa: E402

CONFIG = REPO / "interactive" / "container" / "jupyter_server_config.py"
START_BOUND_SECONDS = 300


@dataclass
class LabServer:
    process: subprocess.Popen
    url: str
    workspace: Path
    log: Path
    http: requests.Session = field(default_factory=requests.Session)

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call as the browser makes it: with the _xsrf cookie the lab page sets, echoed in a header."""
        if "_xsrf" not in self.http.cookies:
            self.http.get(f"{self.url}lab", timeout=60)
            self.http.headers["X-XSRFToken"] = self.http.cookies.get("_xsrf", "")
        return self.http.request(method, f"{self.url}{path}", timeout=60, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_lab(jupyter_venv: Path, state: Path, port: int, galaxy_env: dict[str, str]) -> LabServer:
    """Start JupyterLab on ``port`` with its workspace and Jupyter folders under ``state``."""
    workspace, data = state / "workspace", state / "jupyter" / "data"
    workspace.mkdir(parents=True, exist_ok=True)
    write_kernelspec(data, sys.executable, str(REPO / "interactive" / "client"))
    env = {**os.environ, **galaxy_env, "GXJ_BASE_URL": "/", "GXJ_JUPYTER_PORT": str(port), "GXJ_WORKSPACE": str(workspace),
           "JUPYTER_DATA_DIR": str(data), "JUPYTER_PATH": str(data), "JUPYTER_CONFIG_DIR": str(state / "jupyter" / "config"),
           "JUPYTER_RUNTIME_DIR": str(state / "jupyter" / "runtime"), "IPYTHONDIR": str(state / "jupyter" / "ipython")}
    log = state / "jupyter.log"
    with log.open("ab") as out:
        process = subprocess.Popen([str(jupyter_venv / "bin" / "python"), "-m", "jupyterlab", f"--config={CONFIG}"],
                                   cwd=workspace, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = LabServer(process, f"http://127.0.0.1:{port}/", workspace, log)
    deadline = time.monotonic() + START_BOUND_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({process.returncode}); see {log}")
        try:
            if server.api("GET", "scheduler/runtime_environments").status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(1)
    server.stop()
    raise RuntimeError(f"JupyterLab did not answer within {START_BOUND_SECONDS} s; see {log}")
