"""The kernel the notebook tests run: the tool runtime's Python, as the interactive tool gives it its notebooks.

ipykernel in the runtime venv (the Python running these tests; GXJ_RUNTIME_VENV when it is set),
declared as a ``python3`` kernelspec in a temporary folder put first on JUPYTER_PATH, so that no
kernelspec installed elsewhere on the machine is picked up (Elyra's local runs use it too).
"""
from __future__ import annotations

import json
import os

import pytest
from notebook_runner import runtime_python

KERNEL_NAME = "python3"


@pytest.fixture(scope="session")
def notebook_kernel(tmp_path_factory) -> str:
    """A ``python3`` kernelspec for the runtime's Python, first on JUPYTER_PATH for the whole session."""
    jupyter_path = tmp_path_factory.mktemp("jupyter")
    spec_dir = jupyter_path / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {"argv": [runtime_python(), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (tool runtime)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(jupyter_path), saved]))
    yield KERNEL_NAME
    if saved is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = saved
