"""Which HDF5 files a notebook job gets: chosen on the form, or the ones the notebook opens.

jupyter-scheduler's form has no file picker, so the choice is the parameter ``h5_inputs`` (file names
or glob patterns relative to the notebook's folder, separated by commas); it is not passed on to the
notebook. Without it, every string literal in the notebook's code that names an existing .h5/.hdf5
file in that folder (``h5py.File('train.h5')``) is sent, under that name. run_jupyter_job places its
inputs in the code's working folder, so a file in a subfolder arrives under its own name only.
"""
from __future__ import annotations

import ast
import json
import os
from pathlib import Path

H5_SUFFIXES = (".h5", ".hdf5", ".he5")
FORM_PARAMETER = "h5_inputs"


class H5InputError(ValueError):
    """The form names an HDF5 input that is not in the workspace."""


def _code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells if cell.get("cell_type") == "code"]


def _string_literals(source: str) -> list[str]:
    # IPython lines (%magic, !shell) are no Python: drop them rather than give up on the cell
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return []
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def _inside(folder: Path, name: str) -> Path | None:
    """``folder/name`` when it is a file in ``folder`` or below. Checked on the path as written, not on
    its link target: the interactive tool places its input datasets as links to Galaxy's files."""
    path = Path(os.path.normpath(folder.absolute() / name))
    return path if path.is_file() and path.is_relative_to(folder.absolute()) else None


def opened_h5_files(notebook: Path) -> dict[str, Path]:
    """Name the code uses -> file, for each .h5 the notebook's code names that exists beside it."""
    folder = notebook.parent
    found = {}
    for source in _code_cells(notebook):
        for text in _string_literals(source):
            if "/" not in text and text.lower().endswith(H5_SUFFIXES) and (path := _inside(folder, text)):
                found.setdefault(text, path)
    return found


def chosen_h5_files(notebook: Path, choice: str) -> dict[str, Path]:
    """The files the form's ``h5_inputs`` names (commas; glob patterns allowed), relative to the notebook."""
    folder = notebook.parent
    found = {}
    for pattern in (part.strip() for part in choice.split(",")):
        if not pattern:
            continue
        if any(mark in pattern for mark in "*?["):
            matches = sorted(filter(None, (_inside(folder, str(path.relative_to(folder))) for path in folder.glob(pattern))))
        else:
            matches = [path for path in [_inside(folder, pattern)] if path]
        if not matches:
            raise H5InputError(f"h5_inputs: no file {pattern!r} beside {notebook.name}")
        for path in matches:
            found[path.name] = path
    return found


def job_h5_inputs(notebook: Path, parameters: dict[str, str] | None) -> dict[str, Path]:
    """The HDF5 inputs of a job on ``notebook`` given the form's parameters."""
    choice = (parameters or {}).get(FORM_PARAMETER)
    return chosen_h5_files(notebook, choice) if choice is not None else opened_h5_files(notebook)
