"""Small files the session tests write (a module of its own: conftest helpers are not importable by name)."""

from __future__ import annotations

import json
from pathlib import Path


def notebook_json(marker: str = "x = 1") -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [], "source": marker}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def write_plan(tmp_path: Path, plan: dict) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path
