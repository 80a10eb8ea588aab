"""Collecting notebooks for Galaxy: on every save (post_save_hook), at stop and at the end (collect)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .layout import NOTEBOOKS_DIR, OUTPUTS_DIR, SESSION_DIR_NAME, SESSION_FILE
from .workspace_files import atomic_copy


def read_session(session_dir: Path) -> dict:
    return json.loads((session_dir / SESSION_FILE).read_text())


def flat_name(relative: Path) -> str:
    """One file name for a notebook anywhere in the workspace: folders joined by '__'."""
    return "__".join(relative.parts)


def workspace_notebooks(workspace: Path) -> list[Path]:
    """Every notebook under the workspace, relative to it: no hidden folders (checkpoints, the
    session), no links (inputs), nothing under outputs/ (that folder is a collection of its own)."""
    found = []
    for folder, dirs, files in os.walk(workspace):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here == workspace and d == OUTPUTS_DIR))
        for name in sorted(files):
            path = here / name
            if name.endswith(".ipynb") and not name.startswith(".") and not path.is_symlink():
                found.append(path.relative_to(workspace))
    return found


def collect_notebook(session: dict, relative: Path) -> Path | None:
    """Copy one notebook to its Galaxy output: the main notebook to the notebook dataset, any other
    into the folder the 'other notebooks' collection is discovered from. Returns the destination."""
    workspace = Path(session["workspace"])
    source = workspace / relative
    if not source.is_file():
        return None
    if str(relative) == session["main_notebook"]:
        if not session.get("notebook_output"):
            return None
        destination = Path(session["notebook_output"])
    else:
        destination = workspace / SESSION_DIR_NAME / NOTEBOOKS_DIR / flat_name(relative)
    atomic_copy(source, destination)
    return destination


def collect(session_dir: Path) -> list[Path]:
    """Copy every notebook of the workspace to Galaxy's collection points; return the destinations.

    Notebooks deleted in the session are removed from the collection folder too, so the history
    gets what the workspace holds at the end.
    """
    session = read_session(session_dir)
    workspace = Path(session["workspace"])
    copied = []
    for relative in workspace_notebooks(workspace):
        destination = collect_notebook(session, relative)
        if destination is not None:
            copied.append(destination)
    collection_dir = session_dir / NOTEBOOKS_DIR
    for stale in collection_dir.glob("*.ipynb"):
        if stale not in copied:
            stale.unlink()
    write_galaxy_json(workspace, session)
    return copied


def notebook_summary(path: Path, name: str) -> str:
    """One line for the history: what the notebook holds (Galaxy would show Jupyter's log lines instead)."""
    try:
        cells = json.loads(path.read_text()).get("cells", [])
    except (OSError, ValueError):
        return f"{name} (not readable as a notebook)"
    code = [cell for cell in cells if cell.get("cell_type") == "code"]
    ran = sum(1 for cell in code if cell.get("execution_count"))
    return f"{name}: {len(cells)} cells, {len(code)} code, {ran} run"


def write_galaxy_json(workspace: Path, session: dict) -> None:
    """galaxy.json (Galaxy's tool-provided metadata, read from the job's working folder, which is the
    workspace): the notebook output's summary replaces the job's stdout and stderr (Jupyter's log)."""
    output = session.get("notebook_output")
    if not output or not Path(output).is_file():
        return
    summary = notebook_summary(Path(output), session["main_notebook"])
    (workspace / "galaxy.json").write_text(json.dumps({"notebook": {"stdout": summary, "stderr": ""}}) + "\n")


def post_save_hook(model: dict | None = None, os_path: str = "", contents_manager: Any = None, **_kwargs: Any) -> None:
    """FileContentsManager.post_save_hook: each saved notebook goes to Galaxy at once.

    Stopping the tool from Galaxy kills the job within about a second; what was saved by then is
    delivered, because this hook already copied it.
    """
    if not os_path.endswith(".ipynb"):
        return
    session_dir = Path(os.environ["GXJ_SESSION_DIR"])
    session = read_session(session_dir)
    workspace = Path(session["workspace"])
    try:
        relative = Path(os_path).resolve().relative_to(workspace)
    except ValueError:
        return
    hidden = any(part.startswith(".") for part in relative.parts)
    if hidden or relative.parts[0] == OUTPUTS_DIR:
        return
    collect_notebook(session, relative)
