"""The notebook folder before Jupyter starts: the inputs under their names, the examples, the main notebook."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterable

from .git_clone import clone_repository
from .layout import DEFAULT_NOTEBOOK, EXAMPLES_LINK, SessionError
from .starter_notebook import kernel_language_info, new_notebook
from .workspace_files import safe_name, unique_path, with_extension, write_json_atomic


def stage_inputs(entries: Iterable[dict], workspace: Path) -> list[str]:
    """Place the datasets in the workspace under their names; return the names, relative to it.

    Datasets are symbolic links to Galaxy's files (no copy of a large HDF5 file; treat them as read
    only: in the container they are read-only mounts). Notebooks are copied, because Jupyter saves
    through a link and would change the dataset in the history. Elements of a collection go into a
    folder named after the collection (nested identifiers become nested folders).
    """
    taken: set[Path] = set()
    placed = []
    for entry in entries:
        source = Path(entry["path"])
        ext = entry.get("ext", "")
        if entry.get("collection") is not None:
            parts = [safe_name(entry["collection"], "collection")]
            identifiers = [safe_name(str(i), "element") for i in entry.get("identifiers") or ["element"]]
            parts += identifiers[:-1] + [with_extension(identifiers[-1], ext)]
        else:
            parts = [with_extension(safe_name(entry.get("name", ""), "dataset"), ext)]
        target = unique_path(workspace.joinpath(*parts), taken)
        target.parent.mkdir(parents=True, exist_ok=True)
        if ext == "ipynb" or target.suffix == ".ipynb":
            shutil.copyfile(source, target)
        else:
            target.symlink_to(source)
        placed.append(str(target.relative_to(workspace)))
    return placed


def prepare_main_notebook(plan: dict, workspace: Path, inputs: list[str], kernel_python: str = "") -> str:
    """Create or place the notebook the session opens with; return its path relative to the workspace."""
    mode = plan["mode"]
    if mode == "history":
        notebook = plan["notebook"]
        name = with_extension(safe_name(notebook.get("name") or DEFAULT_NOTEBOOK, "notebook"), "ipynb")
        if not name.endswith(".ipynb"):
            name += ".ipynb"
        target = unique_path(workspace / name, set())
        shutil.copyfile(notebook["path"], target)
        return target.name
    if mode == "git":
        repo = clone_repository(plan["repository"], plan.get("ref") or None, workspace, plan.get("allow_local", False))
        wanted = (plan.get("notebook_path") or "").strip().strip("/")
        if wanted:
            candidate = (repo / wanted).resolve()
            if repo.resolve() not in candidate.parents or not candidate.is_file():
                raise SessionError(f"{wanted!r} is not a file of the cloned repository")
            return str(candidate.relative_to(workspace.resolve()))
    target = workspace / DEFAULT_NOTEBOOK
    if not target.exists():
        examples = (workspace / EXAMPLES_LINK).is_symlink()
        language_info = kernel_language_info(kernel_python) if kernel_python else None
        write_json_atomic(target, new_notebook("JupyterLab in Galaxy", inputs, examples, language_info))
    return target.name


def link_examples(workspace: Path, examples_dir: str) -> Path | None:
    """The image's example notebooks as a read-only folder `examples/` of the workspace (a link).

    A link, so they are neither copied into every session nor returned to the history unless the
    user saves a copy into the notebook folder (the collection does not follow links).
    """
    if not examples_dir or not Path(examples_dir).is_dir():
        return None
    link = workspace / EXAMPLES_LINK
    if link.exists() or link.is_symlink():
        return None
    link.symlink_to(Path(examples_dir).resolve(), target_is_directory=True)
    return link
