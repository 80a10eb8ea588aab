"""The notebook a new session opens with."""

from __future__ import annotations

import subprocess

from .layout import KERNEL_NAME


def kernel_language_info(kernel_python: str) -> dict:
    """language_info as the ML kernel (ipykernel) reports it. JupyterLab writes the kernel's values into
    the notebook when the kernel starts, so a notebook that already holds them opens unmodified."""
    info = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
    }
    try:
        result = subprocess.run([kernel_python, "-c", "import platform; print(platform.python_version())"],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return info
    if result.returncode == 0 and result.stdout.strip():
        info["version"] = result.stdout.strip()
    return info


def new_notebook(title: str, inputs: list[str], examples: bool = False, language_info: dict | None = None) -> dict:
    """The notebook a new session opens with: what is where, and how to send results back."""
    listing = "\n".join(f"- `{name}`" for name in inputs) or "- (no datasets were given)"
    intro = (
        f"# {title}\n\n"
        "Datasets you chose are in this folder under their history names:\n\n"
        f"{listing}\n\n"
        "Save results to `outputs/`: when you stop the tool, every notebook and every file directly in "
        "`outputs/` is sent back to your Galaxy history."
    )
    if examples:
        intro += (
            "\n\nExample notebooks are in `examples/` (read only: use *File › Save Notebook As…* to keep "
            "a copy in this folder)."
        )
    # lines within pycodestyle's 79 columns: the lab's Python language server marks longer ones
    check = (
        "import os\n\n"
        "import tensorflow as tf\n\n"
        "gpus = tf.config.list_physical_devices('GPU')\n"
        "print('GPUs:', gpus or 'none, TensorFlow uses the CPU')\n"
        "print(sorted(name for name in os.listdir('.') if not name.startswith('.')))"
    )
    return {
        "cells": [
            {"cell_type": "markdown", "id": "galaxy-intro", "metadata": {}, "source": intro},
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "galaxy-check",
                "metadata": {},
                "outputs": [],
                "source": check,
            },
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ML)", "language": "python", "name": KERNEL_NAME},
            "language_info": language_info or {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
