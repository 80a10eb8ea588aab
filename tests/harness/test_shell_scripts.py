"""The shell side of the harness: venv naming (scripts/env.sh), start.sh's port guard, stop.sh."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"


def clean_env() -> dict[str, str]:
    """The environment without GXJ_* settings, so env.sh computes everything itself."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GXJ_")}


def venv_paths(repo: Path, cache: Path) -> dict[str, str]:
    """Source env.sh of the given repo copy and return the two venv paths it computes."""
    out = subprocess.run(
        ["bash", "-c", 'source scripts/env.sh && echo "$GXJ_GALAXY_VENV" && echo "$GXJ_RUNTIME_VENV"'],
        cwd=repo,
        env={**clean_env(), "GXJ_CACHE": str(cache)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {"galaxy": out[0], "runtime": out[1]}


def test_env_hash_follows_the_pins(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "requirements", repo / "requirements")
    (repo / "scripts").mkdir()
    shutil.copy(SCRIPTS / "env.sh", repo / "scripts" / "env.sh")
    cache = tmp_path / "cache"
    before = venv_paths(repo, cache)
    assert before["galaxy"].startswith(f"{cache}/venvs/galaxy-")
    assert before["runtime"].startswith(f"{cache}/venvs/runtime-")
    assert len(Path(before["galaxy"]).name) == len("galaxy-") + 12
    assert venv_paths(repo, cache) == before  # stable

    test_txt = repo / "requirements" / "test.txt"
    test_txt.write_text(test_txt.read_text().replace("pytest==", "pytest==0.0.0+changed"))
    after = venv_paths(repo, cache)
    assert after["galaxy"] == before["galaxy"]
    assert after["runtime"] != before["runtime"]


def run_script(name: str, state_dir: Path, port: int) -> subprocess.CompletedProcess:
    env = {**clean_env(), "GXJ_STATE_DIR": str(state_dir), "GXJ_PORT": str(port)}
    return subprocess.run([SCRIPTS / "galaxy" / name], env=env, capture_output=True, text=True, timeout=600)


def assert_refuses_port(state_dir: Path, port: int) -> None:
    """start.sh must stop before launching anything, with one line that names the port."""
    state_dir.mkdir(exist_ok=True)
    (state_dir / "galaxy.yml").write_text("galaxy: {}\n")
    result = run_script("start.sh", state_dir, port)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port} is already in use" in lines[0]
    assert not (state_dir / "galaxy.pid").exists()
    assert not (state_dir / "galaxy.log").exists()


def test_start_refuses_an_occupied_port(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert_refuses_port(tmp_path / "state", port)
        # the listener is untouched: it still accepts a connection
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


@pytest.mark.galaxy
def test_start_leaves_a_running_galaxy_alone(tmp_path: Path, galaxy_url: str) -> None:
    port = int(galaxy_url.rsplit(":", 1)[1])
    assert_refuses_port(tmp_path / "state", port)
    with urllib.request.urlopen(f"{galaxy_url}/api/version", timeout=30) as response:
        assert b"version_major" in response.read()


def test_stop_without_a_galaxy_is_a_no_op(tmp_path: Path) -> None:
    for _ in range(2):
        result = run_script("stop.sh", tmp_path / "never-started", 1)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_start_without_config_says_what_to_do(tmp_path: Path) -> None:
    result = run_script("start.sh", tmp_path / "empty", 1)
    assert result.returncode != 0
    assert "no " in result.stderr and "galaxy.yml" in result.stderr and "write_config.py" in result.stderr
