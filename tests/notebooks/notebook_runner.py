"""Execute notebooks of interactive/notebooks/ with nbclient, as JupyterLab runs them, and read their outputs.

Each test runs a copy of the notebook's folder in a temporary directory: what the notebooks write
(data, models, outputs/) never lands in the repository. The kernel is named by the ``notebook_kernel``
fixture (conftest.py); the client library is importable as it is in the container (there it is
installed; here through PYTHONPATH).
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "interactive" / "notebooks"
CLIENT = REPO / "interactive" / "client"
CELL_TIMEOUT = 900


def runtime_python() -> str:
    venv = os.environ.get("GXJ_RUNTIME_VENV")
    return str(Path(venv) / "bin" / "python") if venv and (Path(venv) / "bin" / "python").exists() else sys.executable


def copy_folder(relative: str, destination: Path) -> Path:
    """A copy of interactive/notebooks/<relative> (a folder) under ``destination``; returns the copy."""
    target = destination / relative
    shutil.copytree(NOTEBOOKS / relative, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


def inject_parameters(notebook: nbformat.NotebookNode, parameters: dict) -> None:
    """Papermill's convention: a cell tagged ``injected-parameters`` right after the ``parameters`` cell."""
    position = next((index for index, cell in enumerate(notebook.cells)
                     if "parameters" in cell.get("metadata", {}).get("tags", [])), None)
    if position is None:
        raise AssertionError("the notebook has no cell tagged 'parameters'")
    source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(position + 1, cell)


def execute(path: Path, kernel: str, parameters: dict | None = None, env: dict | None = None,
            timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` in its own folder (as JupyterLab does); the executed notebook, with its
    outputs, is saved beside it as NAME.executed.ipynb (the source stays as it was, parameters included).

    A failing cell raises nbclient's CellExecutionError, whose message holds the cell and the traceback.
    """
    notebook = nbformat.read(path, as_version=4)
    if parameters:
        inject_parameters(notebook, parameters)
    kernel_env = dict(os.environ)
    kernel_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CLIENT), os.environ.get("PYTHONPATH")]))
    kernel_env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    kernel_env.update(env or {})
    client = NotebookClient(notebook, kernel_name=kernel, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=kernel_env)
    finally:
        nbformat.write(notebook, path.with_name(f"{path.stem}.executed.ipynb"))
    return notebook


def printed(notebook: nbformat.NotebookNode) -> str:
    """Everything the code cells printed (stdout and stderr) and the text of their results."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            elif output.get("output_type") in ("execute_result", "display_data"):
                parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def output_types(notebook: nbformat.NotebookNode) -> set[str]:
    """The MIME types of every rich output (images, widgets, HTML)."""
    return {mime for cell in notebook.cells for output in cell.get("outputs", []) for mime in output.get("data", {})}
