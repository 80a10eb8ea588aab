"""The session logic of the JupyterLab interactive tool, one module per job (see galaxy_jupyter_session.py).

Standard library only (path_guard, which only the Jupyter server loads, uses the server's tornado), and
nothing heavy at import time: `collect` also runs from the SIGTERM trap, which has about one second
before Galaxy's local runner sends SIGKILL.
"""
