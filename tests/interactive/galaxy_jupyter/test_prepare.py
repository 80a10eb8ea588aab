"""galaxy_jupyter.prepare (through the CLI's prepare): the session, no secret on disk, the examples link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from galaxy_jupyter.collect import post_save_hook, workspace_notebooks
from galaxy_jupyter.prepare import prepare
from galaxy_jupyter_session import main
from session_testdata import notebook_json, write_plan


def test_prepare_writes_no_secret(tmp_path: Path, workspace: Path, galaxy_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    api_key = "f2e1d0c9b8a7f2e1d0c9b8a7f2e1d0c9"
    ep_path = "/interactivetool/ep/x1/secret0token0path"
    monkeypatch.setenv("API_KEY", api_key)
    monkeypatch.setenv("EP_PATH", ep_path)
    plan = write_plan(tmp_path, {"mode": "new", "inputs": [{"name": "train.h5", "ext": "h5", "path": str(galaxy_files["h5"])}]})
    assert main(["prepare", "--plan", str(plan), "--workspace", str(workspace), "--native", "--kernel-python", "/k/python"]) == 0
    env_file = (workspace / ".galaxy_jupyter" / "session.env").read_text()
    assert 'export GXJ_BASE_URL="${EP_PATH%/}/"' in env_file
    for path in workspace.rglob("*"):
        if path.is_file() and not path.is_symlink():
            content = path.read_text(errors="replace")
            assert api_key not in content and "secret0token0path" not in content, path
    session = json.loads((workspace / ".galaxy_jupyter" / "session.json").read_text())
    assert session["ip"] == "127.0.0.1" and session["native"] is True
    assert (workspace / "outputs").is_dir()


def test_in_the_container_jupyter_listens_on_the_entry_point_port(tmp_path: Path, workspace: Path) -> None:
    session = prepare(write_plan(tmp_path, {"mode": "new"}), workspace, native=False, kernel_python="/k/python")
    assert (session["ip"], session["port"]) == ("0.0.0.0", 8888)


def test_examples_are_a_read_only_link_never_collected(tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = tmp_path / "opt" / "examples"
    (examples / "ct_segmentation").mkdir(parents=True)
    (examples / "home.ipynb").write_text(notebook_json("home"))
    (examples / "ct_segmentation" / "1_make_data.ipynb").write_text(notebook_json("ct"))
    monkeypatch.setenv("GXJ_EXAMPLES_DIR", str(examples))
    plan = write_plan(tmp_path, {"mode": "new", "notebook_output": str(workspace.parent / "outputs" / "nb.dat")})
    prepare(plan, workspace, True, "/k/python")
    assert (workspace / "examples").is_symlink() and (workspace / "examples").resolve() == examples
    assert "`examples/`" in json.loads((workspace / "galaxy_notebook.ipynb").read_text())["cells"][0]["source"]
    assert workspace_notebooks(workspace) == [Path("galaxy_notebook.ipynb")]
    # saving an example (where the image allows it) does not put it into the collection either
    monkeypatch.setenv("GXJ_SESSION_DIR", str(workspace / ".galaxy_jupyter"))
    post_save_hook(os_path=str(workspace / "examples" / "home.ipynb"))
    assert list((workspace / ".galaxy_jupyter" / "notebooks").iterdir()) == []


def test_without_examples_there_is_no_link(tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GXJ_EXAMPLES_DIR", raising=False)
    prepare(write_plan(tmp_path, {"mode": "new"}), workspace, True, "/k/python")
    assert not (workspace / "examples").exists()
    assert "examples" not in json.loads((workspace / "galaxy_notebook.ipynb").read_text())["cells"][0]["source"]
