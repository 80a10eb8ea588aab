"""galaxy_jupyter.workspace_setup: inputs under their names and the main notebook of each mode."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from galaxy_jupyter.layout import SessionError
from galaxy_jupyter.workspace_setup import prepare_main_notebook, stage_inputs
from session_testdata import notebook_json


def test_inputs_are_placed_under_their_names(workspace: Path, galaxy_files: dict[str, Path]) -> None:
    entries = [
        {"name": "train.h5", "ext": "h5", "path": str(galaxy_files["h5"])},
        {"name": "train.h5", "ext": "h5", "path": str(galaxy_files["h5"])},  # the same name twice
        {"name": "analysis.ipynb", "ext": "ipynb", "path": str(galaxy_files["nb"])},
        {"name": "Pasted entry", "ext": "txt", "path": str(galaxy_files["txt"])},
        {"name": "../escape", "ext": "txt", "path": str(galaxy_files["txt"])},
        {"collection": "scans", "identifiers": ["patient1", "forward"], "ext": "h5", "path": str(galaxy_files["h5"])},
        {"collection": "scans", "identifiers": ["patient1", "reverse"], "ext": "h5", "path": str(galaxy_files["h5"])},
        {"collection": "flat", "identifiers": ["a.h5"], "ext": "h5", "path": str(galaxy_files["h5"])},
    ]
    placed = stage_inputs(entries, workspace)
    assert placed == [
        "train.h5",
        "train_2.h5",
        "analysis.ipynb",
        "Pasted entry.txt",
        "_escape.txt",
        "scans/patient1/forward.h5",
        "scans/patient1/reverse.h5",
        "flat/a.h5",
    ]
    # data are links to Galaxy's files; a notebook is a copy (Jupyter would save through a link)
    assert (workspace / "train.h5").is_symlink()
    assert (workspace / "train.h5").resolve() == galaxy_files["h5"]
    assert not (workspace / "analysis.ipynb").is_symlink()
    (workspace / "analysis.ipynb").write_text("edited")
    assert galaxy_files["nb"].read_text() == notebook_json()
    for name in placed:
        assert (workspace / name).resolve().is_relative_to(galaxy_files["h5"].parent) or (workspace / name).is_file()
        assert Path(os.path.normpath(workspace / name)).is_relative_to(workspace)


def test_new_mode_writes_a_notebook_that_lists_the_inputs(workspace: Path) -> None:
    name = prepare_main_notebook({"mode": "new"}, workspace, ["train.h5", "scans/a.h5"])
    assert name == "galaxy_notebook.ipynb"
    notebook = json.loads((workspace / name).read_text())
    assert notebook["nbformat"] == 4
    assert "`train.h5`" in notebook["cells"][0]["source"] and "`scans/a.h5`" in notebook["cells"][0]["source"]
    assert "list_physical_devices('GPU')" in notebook["cells"][1]["source"]
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_history_mode_copies_the_notebook_under_its_name(workspace: Path, galaxy_files: dict[str, Path]) -> None:
    plan = {"mode": "history", "notebook": {"name": "My analysis", "path": str(galaxy_files["nb"])}}
    assert prepare_main_notebook(plan, workspace, []) == "My analysis.ipynb"
    plan["notebook"]["name"] = "keras_train.ipynb"
    assert prepare_main_notebook(plan, workspace, []) == "keras_train.ipynb"
    assert not (workspace / "keras_train.ipynb").is_symlink()


@pytest.fixture
def local_repository(tmp_path: Path) -> Path:
    """A git repository with a notebook in a subfolder and a second branch."""
    repo = tmp_path / "src" / "ct-segmentation"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "notebooks" / "train.ipynb").write_text(notebook_json("print('from git')"))
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "."],
        ["git", "commit", "-q", "-m", "notebook"],
        ["git", "branch", "v1"],
    ):
        subprocess.run(command, cwd=repo, check=True, env=env)
    return repo


def test_git_mode_clones_and_opens_the_named_notebook(workspace: Path, local_repository: Path) -> None:
    plan = {"mode": "git", "repository": str(local_repository), "ref": "v1", "notebook_path": "notebooks/train.ipynb", "allow_local": True}
    assert prepare_main_notebook(plan, workspace, []) == "ct-segmentation/notebooks/train.ipynb"
    assert (workspace / "ct-segmentation" / ".git").is_dir()


def test_git_mode_without_a_notebook_makes_a_new_one_beside_the_clone(workspace: Path, local_repository: Path) -> None:
    plan = {"mode": "git", "repository": str(local_repository), "allow_local": True}
    assert prepare_main_notebook(plan, workspace, []) == "galaxy_notebook.ipynb"
    assert (workspace / "ct-segmentation" / "notebooks" / "train.ipynb").is_file()


def test_git_mode_refuses_a_notebook_outside_the_clone(workspace: Path, local_repository: Path) -> None:
    plan = {"mode": "git", "repository": str(local_repository), "notebook_path": "../../../etc/passwd", "allow_local": True}
    with pytest.raises(SessionError, match="not a file of the cloned repository"):
        prepare_main_notebook(plan, workspace, [])
