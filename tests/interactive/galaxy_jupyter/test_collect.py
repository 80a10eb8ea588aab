"""galaxy_jupyter.collect: every notebook to Galaxy, on save and at the end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from galaxy_jupyter.collect import collect, post_save_hook
from session_testdata import notebook_json


def test_collect_delivers_every_notebook_once(session_dir: Path, workspace: Path, galaxy_files: dict[str, Path]) -> None:
    (workspace / "galaxy_notebook.ipynb").write_text(notebook_json("main edited"))
    (workspace / "analysis.ipynb").write_text(notebook_json("analysis"))
    (workspace / "repo" / "notebooks").mkdir(parents=True)
    (workspace / "repo" / "notebooks" / "train.ipynb").write_text(notebook_json("train"))
    (workspace / ".ipynb_checkpoints").mkdir()
    (workspace / ".ipynb_checkpoints" / "analysis-checkpoint.ipynb").write_text("checkpoint")
    (workspace / "outputs" / "report.ipynb").write_text("in outputs/: a collection of its own")
    (workspace / "linked.ipynb").symlink_to(galaxy_files["nb"])
    copied = collect(session_dir)
    notebook_output = workspace.parent / "outputs" / "dataset_1.dat"
    assert notebook_output in copied
    assert "main edited" in notebook_output.read_text()
    collected = sorted(p.name for p in (session_dir / "notebooks").iterdir())
    assert collected == ["analysis.ipynb", "repo__notebooks__train.ipynb"]
    # a notebook deleted in the session leaves the collection too
    (workspace / "analysis.ipynb").unlink()
    collect(session_dir)
    assert sorted(p.name for p in (session_dir / "notebooks").iterdir()) == ["repo__notebooks__train.ipynb"]


def test_post_save_hook_copies_each_saved_notebook(session_dir: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GXJ_SESSION_DIR", str(session_dir))
    notebook_output = workspace.parent / "outputs" / "dataset_1.dat"
    main = workspace / "galaxy_notebook.ipynb"
    main.write_text(notebook_json("saved in the browser"))
    post_save_hook(model={"type": "notebook"}, os_path=str(main), contents_manager=None)
    assert "saved in the browser" in notebook_output.read_text()
    other = workspace / "sub" / "other.ipynb"
    other.parent.mkdir()
    other.write_text(notebook_json("other"))
    post_save_hook(model={"type": "notebook"}, os_path=str(other), contents_manager=None)
    assert (session_dir / "notebooks" / "sub__other.ipynb").is_file()
    # other files and hidden folders are left alone
    (workspace / "notes.txt").write_text("text")
    post_save_hook(model={"type": "file"}, os_path=str(workspace / "notes.txt"), contents_manager=None)
    (workspace / ".hidden").mkdir()
    (workspace / ".hidden" / "x.ipynb").write_text(notebook_json())
    post_save_hook(model={"type": "notebook"}, os_path=str(workspace / ".hidden" / "x.ipynb"), contents_manager=None)
    assert sorted(p.name for p in (session_dir / "notebooks").iterdir()) == ["sub__other.ipynb"]


def test_the_notebook_output_gets_a_summary_not_jupyters_log(session_dir: Path, workspace: Path) -> None:
    notebook = json.loads(notebook_json("x = 1"))
    notebook["cells"][0]["execution_count"] = 1
    notebook["cells"].append({"cell_type": "markdown", "id": "m", "metadata": {}, "source": "text"})
    (workspace / "galaxy_notebook.ipynb").write_text(json.dumps(notebook))
    collect(session_dir)
    summary = json.loads((workspace / "galaxy.json").read_text())
    assert summary == {"notebook": {"stdout": "galaxy_notebook.ipynb: 2 cells, 1 code, 1 run", "stderr": ""}}
