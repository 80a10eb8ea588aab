"""The session logic of the JupyterLab tool (interactive/container/galaxy_jupyter_session.py), without Jupyter."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import galaxy_jupyter_session as gs
from lab_paths import TOOL_XML


def notebook_json(marker: str = "x = 1") -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [], "source": marker}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


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


# --- names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("train.h5", "train.h5"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("/etc/passwd", "_etc_passwd"),
        (".hidden", "hidden"),
        ("..", "dataset"),
        ("", "dataset"),
        ("a\nb", "a_b"),
        ("name with spaces.h5", "name with spaces.h5"),
    ],
)
def test_safe_name_keeps_every_name_inside_the_workspace(name: str, expected: str) -> None:
    assert gs.safe_name(name) == expected
    assert "/" not in gs.safe_name(name)


def test_extension_only_for_names_without_one() -> None:
    assert gs.with_extension("Pasted entry", "txt") == "Pasted entry.txt"
    assert gs.with_extension("train.h5", "h5") == "train.h5"
    assert gs.with_extension("weights.hdf5", "h5") == "weights.hdf5"
    assert gs.with_extension("blob", "data") == "blob"


# --- inputs -------------------------------------------------------------------------------------------


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
    placed = gs.stage_inputs(entries, workspace)
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


# --- the plan -----------------------------------------------------------------------------------------


def write_plan(tmp_path: Path, plan: dict) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"mode": "scratch"}, "unknown mode"),
        ({"mode": "new", "run": "run_only"}, "only a notebook from the history can be run"),
        ({"mode": "history"}, "needs a notebook dataset"),
        ({"mode": "history", "notebook": {"path": "x"}, "run": "later"}, "unknown run choice"),
        ({"mode": "git"}, "needs a repository URL"),
    ],
)
def test_bad_plans_are_one_clear_error(tmp_path: Path, plan: dict, message: str) -> None:
    with pytest.raises(gs.SessionError, match=message):
        gs.load_plan(write_plan(tmp_path, plan))


def test_unreadable_plan(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{not json")
    with pytest.raises(gs.SessionError, match="cannot read the session plan"):
        gs.load_plan(tmp_path / "plan.json")


# --- main notebook ------------------------------------------------------------------------------------


def test_new_mode_writes_a_notebook_that_lists_the_inputs(workspace: Path) -> None:
    name = gs.prepare_main_notebook({"mode": "new"}, workspace, ["train.h5", "scans/a.h5"])
    assert name == "galaxy_notebook.ipynb"
    notebook = json.loads((workspace / name).read_text())
    assert notebook["nbformat"] == 4
    assert "`train.h5`" in notebook["cells"][0]["source"] and "`scans/a.h5`" in notebook["cells"][0]["source"]
    assert "list_physical_devices('GPU')" in notebook["cells"][1]["source"]
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_history_mode_copies_the_notebook_under_its_name(workspace: Path, galaxy_files: dict[str, Path]) -> None:
    plan = {"mode": "history", "notebook": {"name": "My analysis", "path": str(galaxy_files["nb"])}}
    assert gs.prepare_main_notebook(plan, workspace, []) == "My analysis.ipynb"
    plan["notebook"]["name"] = "keras_train.ipynb"
    assert gs.prepare_main_notebook(plan, workspace, []) == "keras_train.ipynb"
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
    assert gs.prepare_main_notebook(plan, workspace, []) == "ct-segmentation/notebooks/train.ipynb"
    assert (workspace / "ct-segmentation" / ".git").is_dir()


def test_git_mode_without_a_notebook_makes_a_new_one_beside_the_clone(workspace: Path, local_repository: Path) -> None:
    plan = {"mode": "git", "repository": str(local_repository), "allow_local": True}
    assert gs.prepare_main_notebook(plan, workspace, []) == "galaxy_notebook.ipynb"
    assert (workspace / "ct-segmentation" / "notebooks" / "train.ipynb").is_file()


def test_git_mode_refuses_a_notebook_outside_the_clone(workspace: Path, local_repository: Path) -> None:
    plan = {"mode": "git", "repository": str(local_repository), "notebook_path": "../../../etc/passwd", "allow_local": True}
    with pytest.raises(gs.SessionError, match="not a file of the cloned repository"):
        gs.prepare_main_notebook(plan, workspace, [])


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "--upload-pack=touch /tmp/pwned",
        "file:///etc",
        "/srv/galaxy/config",
        "https://example.org/repo.git; rm -rf /",
        "",
    ],
)
def test_git_urls_that_are_no_network_repositories_are_refused(workspace: Path, url: str) -> None:
    with pytest.raises(gs.SessionError, match="not a git URL"):
        gs.clone_repository(url, None, workspace)
    assert list(workspace.iterdir()) == []


def test_an_unreachable_repository_is_one_clear_error(workspace: Path) -> None:
    with pytest.raises(gs.SessionError, match="could not clone https://127.0.0.1:9/none.git"):
        gs.clone_repository("https://127.0.0.1:9/none.git", None, workspace)


def xml_validator(param: str) -> re.Pattern:
    element = ET.parse(TOOL_XML).getroot().find(f".//param[@name='{param}']/validator[@type='regex']")
    return re.compile(element.text)


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://github.com/anuprulez/gpu_jupyterlab_ct_image_segmentation", True),
        ("https://gitlab.example.org/group/sub/repo.git", True),
        ("git://example.org/repo.git", True),
        ("ssh://git@example.org/repo.git", True),
        ("git@github.com:user/repo.git", True),
        ("https://example.org/a b", False),
        ("ext::sh -c id", False),
        ("file:///etc", False),
        ("--upload-pack=id", False),
        ("/etc", False),
    ],
)
def test_the_form_and_the_start_up_accept_the_same_urls(url: str, accepted: bool) -> None:
    """The published tool's repository mode never ran; here the form's validator and the clone agree."""
    assert bool(xml_validator("repository").fullmatch(url)) is accepted
    assert bool(gs.GIT_URL.match(url)) is accepted


# --- kernelspec, lab config, environment ----------------------------------------------------------------


def test_kernelspec_runs_the_ml_python(tmp_path: Path) -> None:
    spec_dir = gs.write_kernelspec(tmp_path, "/opt/ml-kernel/bin/python")
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec_dir.name == "python3"
    assert spec["argv"][:3] == ["/opt/ml-kernel/bin/python", "-m", "ipykernel_launcher"]
    assert spec["env"] == {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "TF_CPP_MIN_LOG_LEVEL": "1"}


def test_ai_assistants_stay_off(tmp_path: Path) -> None:
    page_config = json.loads(gs.write_lab_page_config(tmp_path).read_text())
    assert page_config["disabledExtensions"] == {
        "@jupyter-ai/core": True,
        "jupyterlab_magic_wand": True,
        "@jupyterlab/apputils-extension:announcements": True,
    }


def test_base_url_is_galaxys_entry_point_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EP_PATH", "/interactivetool/ep/abc/0123456789abcdef")
    assert gs.base_url_from_environment() == ("/interactivetool/ep/abc/0123456789abcdef/", False)
    monkeypatch.setenv("EP_PATH", "relative/path")
    with pytest.raises(gs.SessionError, match="absolute URL path"):
        gs.base_url_from_environment()


def test_without_galaxy_the_base_url_is_random_never_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EP_PATH", raising=False)
    first, generated = gs.base_url_from_environment()
    second, _ = gs.base_url_from_environment()
    assert generated and first != second
    assert re.fullmatch(r"/jupyter/[A-Za-z0-9_-]{20,}/", first)


def test_prepare_writes_no_secret(tmp_path: Path, workspace: Path, galaxy_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    api_key = "f2e1d0c9b8a7f2e1d0c9b8a7f2e1d0c9"
    ep_path = "/interactivetool/ep/x1/secret0token0path"
    monkeypatch.setenv("API_KEY", api_key)
    monkeypatch.setenv("EP_PATH", ep_path)
    plan = write_plan(tmp_path, {"mode": "new", "inputs": [{"name": "train.h5", "ext": "h5", "path": str(galaxy_files["h5"])}]})
    assert gs.main(["prepare", "--plan", str(plan), "--workspace", str(workspace), "--native", "--kernel-python", "/k/python"]) == 0
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
    session = gs.prepare(write_plan(tmp_path, {"mode": "new"}), workspace, native=False, kernel_python="/k/python")
    assert (session["ip"], session["port"]) == ("0.0.0.0", 8888)


# --- collecting notebooks -------------------------------------------------------------------------------


@pytest.fixture
def session_dir(tmp_path: Path, workspace: Path) -> Path:
    gs.prepare(write_plan(tmp_path, {"mode": "new", "notebook_output": str(workspace.parent / "outputs" / "dataset_1.dat")}), workspace, True, "/k/python")
    return workspace / ".galaxy_jupyter"


def test_collect_delivers_every_notebook_once(session_dir: Path, workspace: Path, galaxy_files: dict[str, Path]) -> None:
    (workspace / "galaxy_notebook.ipynb").write_text(notebook_json("main edited"))
    (workspace / "analysis.ipynb").write_text(notebook_json("analysis"))
    (workspace / "repo" / "notebooks").mkdir(parents=True)
    (workspace / "repo" / "notebooks" / "train.ipynb").write_text(notebook_json("train"))
    (workspace / ".ipynb_checkpoints").mkdir()
    (workspace / ".ipynb_checkpoints" / "analysis-checkpoint.ipynb").write_text("checkpoint")
    (workspace / "outputs" / "report.ipynb").write_text("in outputs/: a collection of its own")
    (workspace / "linked.ipynb").symlink_to(galaxy_files["nb"])
    copied = gs.collect(session_dir)
    notebook_output = workspace.parent / "outputs" / "dataset_1.dat"
    assert notebook_output in copied
    assert "main edited" in notebook_output.read_text()
    collected = sorted(p.name for p in (session_dir / "notebooks").iterdir())
    assert collected == ["analysis.ipynb", "repo__notebooks__train.ipynb"]
    # a notebook deleted in the session leaves the collection too
    (workspace / "analysis.ipynb").unlink()
    gs.collect(session_dir)
    assert sorted(p.name for p in (session_dir / "notebooks").iterdir()) == ["repo__notebooks__train.ipynb"]


def test_post_save_hook_copies_each_saved_notebook(session_dir: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GXJ_SESSION_DIR", str(session_dir))
    notebook_output = workspace.parent / "outputs" / "dataset_1.dat"
    main = workspace / "galaxy_notebook.ipynb"
    main.write_text(notebook_json("saved in the browser"))
    gs.post_save_hook(model={"type": "notebook"}, os_path=str(main), contents_manager=None)
    assert "saved in the browser" in notebook_output.read_text()
    other = workspace / "sub" / "other.ipynb"
    other.parent.mkdir()
    other.write_text(notebook_json("other"))
    gs.post_save_hook(model={"type": "notebook"}, os_path=str(other), contents_manager=None)
    assert (session_dir / "notebooks" / "sub__other.ipynb").is_file()
    # other files and hidden folders are left alone
    (workspace / "notes.txt").write_text("text")
    gs.post_save_hook(model={"type": "file"}, os_path=str(workspace / "notes.txt"), contents_manager=None)
    (workspace / ".hidden").mkdir()
    (workspace / ".hidden" / "x.ipynb").write_text(notebook_json())
    gs.post_save_hook(model={"type": "notebook"}, os_path=str(workspace / ".hidden" / "x.ipynb"), contents_manager=None)
    assert sorted(p.name for p in (session_dir / "notebooks").iterdir()) == ["sub__other.ipynb"]


def test_a_copy_never_leaves_half_a_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, destination = tmp_path / "a.ipynb", tmp_path / "out" / "a.ipynb"
    source.write_text("new")
    destination.parent.mkdir()
    destination.write_text("old")

    def broken_copy(src: Path, dst: Path) -> None:
        Path(dst).write_text("ne")
        raise OSError("disk full")

    monkeypatch.setattr(gs.shutil, "copyfile", broken_copy)
    with pytest.raises(OSError):
        gs.atomic_copy(source, destination)
    assert destination.read_text() == "old"
    assert list(destination.parent.iterdir()) == [destination]


# --- the image's examples and the client library ---------------------------------------------------------


def test_examples_are_a_read_only_link_never_collected(tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = tmp_path / "opt" / "examples"
    (examples / "ct_segmentation").mkdir(parents=True)
    (examples / "home.ipynb").write_text(notebook_json("home"))
    (examples / "ct_segmentation" / "1_make_data.ipynb").write_text(notebook_json("ct"))
    monkeypatch.setenv("GXJ_EXAMPLES_DIR", str(examples))
    plan = write_plan(tmp_path, {"mode": "new", "notebook_output": str(workspace.parent / "outputs" / "nb.dat")})
    gs.prepare(plan, workspace, True, "/k/python")
    assert (workspace / "examples").is_symlink() and (workspace / "examples").resolve() == examples
    assert "`examples/`" in json.loads((workspace / "galaxy_notebook.ipynb").read_text())["cells"][0]["source"]
    assert gs.workspace_notebooks(workspace) == [Path("galaxy_notebook.ipynb")]
    # saving an example (where the image allows it) does not put it into the collection either
    monkeypatch.setenv("GXJ_SESSION_DIR", str(workspace / ".galaxy_jupyter"))
    gs.post_save_hook(os_path=str(workspace / "examples" / "home.ipynb"))
    assert list((workspace / ".galaxy_jupyter" / "notebooks").iterdir()) == []


def test_without_examples_there_is_no_link(tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GXJ_EXAMPLES_DIR", raising=False)
    gs.prepare(write_plan(tmp_path, {"mode": "new"}), workspace, True, "/k/python")
    assert not (workspace / "examples").exists()
    assert "examples" not in json.loads((workspace / "galaxy_notebook.ipynb").read_text())["cells"][0]["source"]


def test_the_native_kernel_can_import_the_client_library(tmp_path: Path) -> None:
    spec = json.loads((gs.write_kernelspec(tmp_path, "/k/python", "/repo/interactive/client") / "kernel.json").read_text())
    assert spec["env"]["PYTHONPATH"] == "/repo/interactive/client"
