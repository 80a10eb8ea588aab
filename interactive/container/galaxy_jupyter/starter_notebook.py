"""The notebook a new session opens with."""

from __future__ import annotations

from .layout import KERNEL_NAME


def new_notebook(title: str, inputs: list[str], examples: bool = False) -> dict:
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
    check = (
        "import os\n"
        "import tensorflow as tf\n\n"
        "print('GPUs:', tf.config.list_physical_devices('GPU') or 'none, TensorFlow uses the CPU')\n"
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
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
