"""galaxy_jupyter.starter_notebook: a new notebook that opens unmodified and without lint marks."""

from __future__ import annotations

import sys

from galaxy_jupyter.starter_notebook import kernel_language_info, new_notebook


def test_the_check_cell_is_clean_python_within_79_columns() -> None:
    notebook = new_notebook("JupyterLab in Galaxy", ["train.h5"])
    source = notebook["cells"][1]["source"]
    compile(source, "<cell>", "exec")
    assert max(len(line) for line in source.splitlines()) <= 79
    assert "list_physical_devices('GPU')" in source and "'GPUs:'" in source


def test_language_info_is_what_the_kernel_reports() -> None:
    """JupyterLab replaces language_info with the kernel's on start: equal values leave the notebook unmodified."""
    from ipykernel.ipkernel import IPythonKernel

    reported = dict(IPythonKernel.language_info)
    reported["version"] = sys.version.split()[0]
    assert kernel_language_info(sys.executable) == reported
    assert new_notebook("t", [], language_info=reported)["metadata"]["language_info"] == reported


def test_without_a_kernel_python_the_version_is_left_out() -> None:
    assert "version" not in kernel_language_info("/nonexistent/python")
    assert kernel_language_info("/nonexistent/python")["name"] == "python"
