"""`run`: execute the main notebook with nbclient (the tool's run-first and run-only modes)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .collect import read_session
from .layout import KERNEL_NAME


def run_notebook(session_dir: Path, stop_on_error: bool) -> int:
    """Execute the main notebook in place with the ML kernel; 0 when every cell ran.

    The notebook is saved even when a cell fails, with the error in that cell's output, so the
    history shows where it stopped. Returns 1 after a failed cell.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    session = read_session(session_dir)
    workspace = Path(session["workspace"])
    path = workspace / session["main_notebook"]
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=None,
        kernel_name=KERNEL_NAME,
        allow_errors=not stop_on_error,
        resources={"metadata": {"path": str(path.parent)}},
    )
    status = 0
    started = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as err:
        status = 1
        print(f"error: a cell of {session['main_notebook']} failed: {str(err).strip().splitlines()[-1]}", file=sys.stderr)
    finally:
        nbformat.write(notebook, path)
    print(f"ran {session['main_notebook']} in {time.monotonic() - started:.1f}s", file=sys.stderr)
    return status
