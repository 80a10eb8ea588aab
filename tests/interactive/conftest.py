"""Fixtures of the JupyterLab interactive tool's tests: the venvs named by scripts/env.sh."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lab_paths import REPO  # noqa: E402


def venv_from_env(name: str) -> Path:
    """A venv path named by scripts/env.sh (asked from env.sh itself when the variable is unset)."""
    value = os.environ.get(name) or subprocess.run(
        ["bash", "-c", f'source scripts/env.sh && echo "${name}"'], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    path = Path(value)
    if not (path / "bin" / "python").exists():
        pytest.fail(f"{name}={path} has no bin/python: run scripts/setup_envs.sh")
    return path


@pytest.fixture(scope="session")
def jupyter_venv() -> Path:
    """The JupyterLab server venv (requirements/jupyter-server.txt)."""
    return venv_from_env("GXJ_JUPYTER_VENV")


@pytest.fixture(scope="session")
def kernel_python() -> str:
    """The kernel's Python: the runtime venv this test session runs in."""
    return sys.executable
