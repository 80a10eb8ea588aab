"""Names of the session's files and folders, and the one error a user can cause."""

from __future__ import annotations

SESSION_DIR_NAME = ".galaxy_jupyter"
SESSION_FILE = "session.json"
ENV_FILE = "session.env"
NOTEBOOKS_DIR = "notebooks"
OUTPUTS_DIR = "outputs"
DEFAULT_NOTEBOOK = "galaxy_notebook.ipynb"
EXAMPLES_LINK = "examples"
KERNEL_NAME = "python3"
CONTAINER_PORT = 8888
RUNTIME_FILE = "container_runtime.json"


class SessionError(Exception):
    """A problem the user can fix (bad plan, unreachable repository, ...): one line, exit status 2."""
