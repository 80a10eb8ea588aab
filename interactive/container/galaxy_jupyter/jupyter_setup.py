"""What Jupyter needs from the session: the ML kernelspec, the lab's page config, the port, the base URL
and the environment start-jupyterlab exports."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from pathlib import Path

from .layout import KERNEL_NAME, SESSION_DIR_NAME, SessionError
from .workspace_files import write_json_atomic

# Jupyter AI and the magic wand come with Elyra: chat assistants that send notebook content to outside
# model providers. Their server halves are off in jupyter_server_config.py, their front-ends here, with
# JupyterLab's news pop-up (it asks to fetch news from the internet in every session).
DISABLED_LAB_EXTENSIONS = ("@jupyter-ai/core", "jupyterlab_magic_wand", "@jupyterlab/apputils-extension:announcements")


def write_kernelspec(data_dir: Path, kernel_python: str, extra_pythonpath: str = "") -> Path:
    """The kernelspec that runs notebooks with the ML environment's Python (not the server's).

    Named python3 so it also replaces the server environment's own default kernel. extra_pythonpath
    (GXJ_KERNEL_PYTHONPATH) lets the native launch offer the client library from the repository
    without installing it into the shared runtime venv; the container installs it instead.
    """
    spec_dir = data_dir / "kernels" / KERNEL_NAME
    # several kernels can share one GPU: TensorFlow takes memory as it needs it, not all at start;
    # TensorFlow's C++ INFO lines stay out of the notebook (warnings and errors still show)
    env = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "TF_CPP_MIN_LOG_LEVEL": "1"}
    if extra_pythonpath:
        env["PYTHONPATH"] = extra_pythonpath
    spec = {
        "argv": [kernel_python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ML)",
        "language": "python",
        "env": env,
        "metadata": {"debugger": True},
    }
    write_json_atomic(spec_dir / "kernel.json", spec)
    return spec_dir


def write_lab_page_config(config_dir: Path) -> Path:
    """JupyterLab's page_config.json in the session's config folder: the extensions kept off."""
    path = config_dir / "labconfig" / "page_config.json"
    write_json_atomic(path, {"disabledExtensions": {name: True for name in DISABLED_LAB_EXTENSIONS}})
    return path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def gpu_summary() -> str:
    """One line for the log: the GPUs nvidia-smi sees, or why TensorFlow will use the CPU."""
    nvidia_smi = shutil.which("nvidia-smi")
    if not nvidia_smi:
        return "no GPU visible (no nvidia-smi): TensorFlow runs on the CPU"
    try:
        result = subprocess.run([nvidia_smi, "-L"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"nvidia-smi failed ({err}): TensorFlow runs on the CPU"
    gpus = [line.strip() for line in result.stdout.splitlines() if line.startswith("GPU ")]
    if result.returncode != 0 or not gpus:
        return "no GPU visible to nvidia-smi: TensorFlow runs on the CPU"
    return "GPUs: " + "; ".join(gpus)


def session_env(session: dict, base_url: str) -> dict[str, str]:
    """What start-jupyterlab exports before starting Jupyter (no secrets: EP_PATH stays in the environment).

    The Jupyter folders point into the session, so no user-level or home configuration is loaded
    (a stray ~/.jupyter could otherwise loosen the security settings) and nothing is left in $HOME.
    """
    workspace = Path(session["workspace"])
    session_dir = workspace / SESSION_DIR_NAME
    env = {
        "GXJ_SESSION_DIR": str(session_dir),
        "GXJ_WORKSPACE": str(workspace),
        "GXJ_MAIN_NOTEBOOK": session["main_notebook"],
        "GXJ_RUN": session["run"],
        "GXJ_JUPYTER_IP": session["ip"],
        "GXJ_JUPYTER_PORT": str(session["port"]),
        "JUPYTER_CONFIG_DIR": str(session_dir / "config"),
        "JUPYTER_DATA_DIR": str(session_dir / "data"),
        "JUPYTER_RUNTIME_DIR": str(session_dir / "runtime"),
        "JUPYTER_PATH": str(session_dir / "data"),
        "IPYTHONDIR": str(session_dir / "ipython"),
    }
    if base_url:
        env["GXJ_BASE_URL"] = base_url
    return env


def base_url_from_environment() -> tuple[str, bool]:
    """Jupyter's base URL: Galaxy's entry-point path, or a random one when run outside Galaxy.

    Returns (base_url, generated). The path is the secret that protects the session, so a
    standalone `docker run` never falls back to '/'.
    """
    ep_path = os.environ.get("EP_PATH", "").strip().rstrip("/")
    if ep_path:
        if not ep_path.startswith("/"):
            raise SessionError(f"EP_PATH must be an absolute URL path, got {ep_path!r}")
        return ep_path + "/", False
    return f"/jupyter/{secrets.token_urlsafe(16)}/", True
