"""Fixtures of the routing tests: the TPV rules (dry runs in the Galaxy venv) and the routed Galaxy.

Tests marked ``routing`` need the routed local Galaxy (TPV + a Pulsar server standing in for a GPU
node) that scripts/run_tests.sh starts after the plain test Galaxy, and export as
GXJ_ROUTING_GALAXY_URL, GXJ_ROUTING_API_KEY, GXJ_ROUTING_ADMIN_KEY and GXJ_ROUTING_STATE_DIR. Without
them they are skipped with the reason (run_tests.sh deselects them in its first pytest run).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from needed_galaxies import NEEDS_A_GALAXY

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def galaxy_python() -> Path:
    """The Galaxy venv's python (TPV lives there), or a skip when the venv is not built."""
    venv = os.environ.get("GXJ_GALAXY_VENV")
    python = Path(venv) / "bin" / "python" if venv else None
    if python is None or not python.exists():
        pytest.skip("needs the Galaxy venv with TPV: GXJ_GALAXY_VENV unset or not built (scripts/setup_envs.sh)")
    return python


@pytest.fixture(scope="session")
def tpv_route(galaxy_python: Path):
    """route(tool_xmls, {scenario: [tpv files]}) -> {scenario: {tool_id: destination or error}}, as TPV maps them."""

    def route(tool_xmls: list[Path], scenarios: dict[str, list[Path]]) -> dict:
        command = [str(galaxy_python), str(Path(__file__).with_name("tpv_dry_run.py"))]
        for name, files in scenarios.items():
            command += ["--scenario", f"{name}={','.join(str(f) for f in files)}"]
        done = subprocess.run(command + [str(p) for p in tool_xmls], capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    return route


@pytest.fixture(scope="session")
def routed_galaxy() -> dict:
    return {name: os.environ[name] for name in NEEDS_A_GALAXY["routing"][0]}


@pytest.fixture(scope="session")
def report_dir() -> Path:
    folder = REPO / "test-reports"
    folder.mkdir(exist_ok=True)
    return folder
