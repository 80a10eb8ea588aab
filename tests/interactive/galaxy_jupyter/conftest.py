"""Fixtures of the session package's tests: Galaxy's files, a job's working folder, a prepared session."""

from __future__ import annotations

from pathlib import Path

import pytest

from galaxy_jupyter.prepare import prepare
from session_testdata import notebook_json, write_plan


@pytest.fixture
def galaxy_files(tmp_path: Path) -> dict[str, Path]:
    """Files standing in for Galaxy's datasets (named like Galaxy names them: dataset_N.dat)."""
    files = tmp_path / "objects"
    files.mkdir()
    paths = {}
    for name, content in (("h5", b"\x89HDF\r\n\x1a\n"), ("nb", notebook_json().encode()), ("txt", b"hello\n")):
        paths[name] = files / f"dataset_{name}.dat"
        paths[name].write_bytes(content)
    return paths


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    job = tmp_path / "job"
    (job / "working").mkdir(parents=True)
    (job / "outputs").mkdir()
    return job / "working"


@pytest.fixture
def session_dir(tmp_path: Path, workspace: Path) -> Path:
    prepare(write_plan(tmp_path, {"mode": "new", "notebook_output": str(workspace.parent / "outputs" / "dataset_1.dat")}), workspace, True, "/k/python")
    return workspace / ".galaxy_jupyter"
