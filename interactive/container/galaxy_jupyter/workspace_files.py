"""File names made from history names, and writes that never leave half a file."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any


def safe_name(name: str, fallback: str = "dataset") -> str:
    """A single path component made from a Galaxy dataset or element name.

    Slashes and control characters become '_', a leading dot is dropped (no hidden files, no '..'),
    and an empty result falls back, so a history name can never place a file outside the workspace.
    """
    cleaned = re.sub(r"[/\\\x00-\x1f]", "_", name).strip()
    cleaned = cleaned.lstrip(".").strip()
    return cleaned[:200] or fallback


def with_extension(name: str, ext: str) -> str:
    """Add '.ext' to names without any suffix (Galaxy names such as 'Pasted entry')."""
    if ext and ext not in ("data", "auto") and "." not in name:
        return f"{name}.{ext}"
    return name


def unique_path(path: Path, taken: set[Path]) -> Path:
    """path, or path with _2, _3, ... before the suffix when an earlier input took the name."""
    candidate, n = path, 1
    while candidate in taken or candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.stem}_{n}{path.suffix}")
    taken.add(candidate)
    return candidate


def atomic_copy(source: Path, destination: Path) -> None:
    """Copy through a temporary file beside the destination, so a kill mid-copy never leaves half a notebook."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_json_atomic(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(value, indent=1) + "\n")
    os.replace(temporary, path)
