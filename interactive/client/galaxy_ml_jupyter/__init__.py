"""Server-side parts of the JupyterLab interactive tool that talk to Galaxy (the notebook-job scheduler).

They run in the JupyterLab server's environment, which has no bioblend: everything that reaches
Galaxy goes through the notebook client library (remote_training) run with the kernel's Python.
"""
