"""`prepare`: everything before Jupyter starts, and the session.env start-jupyterlab sources."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from .jupyter_setup import free_port, session_env, write_kernelspec, write_lab_page_config
from .layout import CONTAINER_PORT, ENV_FILE, NOTEBOOKS_DIR, OUTPUTS_DIR, SESSION_DIR_NAME, SESSION_FILE
from .plan import load_plan
from .workspace_files import write_json_atomic
from .workspace_setup import link_examples, prepare_main_notebook, stage_inputs


def prepare(plan_path: Path, workspace: Path, native: bool, kernel_python: str) -> dict:
    """Everything before Jupyter starts; returns the session (also saved as session.json)."""
    plan = load_plan(plan_path)
    workspace = workspace.resolve()
    session_dir = workspace / SESSION_DIR_NAME
    (session_dir / NOTEBOOKS_DIR).mkdir(parents=True, exist_ok=True)
    (workspace / OUTPUTS_DIR).mkdir(exist_ok=True)
    inputs = stage_inputs(plan["inputs"], workspace)
    link_examples(workspace, os.environ.get("GXJ_EXAMPLES_DIR", ""))
    main_notebook = prepare_main_notebook(plan, workspace, inputs, kernel_python)
    write_kernelspec(session_dir / "data", kernel_python, os.environ.get("GXJ_KERNEL_PYTHONPATH", ""))
    write_lab_page_config(session_dir / "config")
    session = {
        "workspace": str(workspace),
        "main_notebook": main_notebook,
        "notebook_output": plan.get("notebook_output") or "",
        "run": plan["run"],
        "native": native,
        "ip": "127.0.0.1" if native else "0.0.0.0",
        "port": free_port() if native else CONTAINER_PORT,
        "inputs": inputs,
    }
    write_json_atomic(session_dir / SESSION_FILE, session)
    return session


def write_session_env(session: dict, base_url: str, generated: bool) -> Path:
    """session.env: the exports of session_env(). Galaxy's EP_PATH stays in the environment: the base
    URL is written only when it was generated here (no Galaxy), else taken from $EP_PATH when sourced."""
    env = session_env(session, base_url)
    lines = [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
    if not generated:
        lines = [line for line in lines if not line.startswith("export GXJ_BASE_URL=")]
        lines.append('export GXJ_BASE_URL="${EP_PATH%/}/"')
    path = Path(session["workspace"]) / SESSION_DIR_NAME / ENV_FILE
    path.write_text("\n".join(lines) + "\n")
    return path
