"""Deliver the files the code wrote under ``outputs/`` as a flat list for a Galaxy collection.

Galaxy discovers ``NAME.EXT`` files in one folder, so nested paths are flattened
(``plots/loss.png`` → ``plots__loss.png``); names are reduced to safe characters, symbolic links
are never followed (a link to ``/etc/passwd`` is not delivered), and two files that would get the
same name are both kept, the second with a numbered suffix and a warning.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

OUTPUTS_FOLDER = "outputs"
UNSAFE = re.compile(r"[^\w.\-]+")
# file suffix -> Galaxy datatype; anything else becomes 'data' with its suffix kept in the name
GALAXY_TYPES = {
    "png": "png", "jpg": "jpg", "jpeg": "jpg", "pdf": "pdf", "svg": "svg", "tif": "tiff", "tiff": "tiff",
    "csv": "csv", "tsv": "tabular", "tabular": "tabular", "txt": "txt", "log": "txt", "json": "json",
    "h5": "h5", "hdf5": "h5", "onnx": "onnx", "zip": "zip", "ipynb": "ipynb", "yaml": "yaml", "yml": "yaml",
    "md": "markdown",
}


def galaxy_name(relative: Path) -> str:
    """'plots/loss.png' -> 'plots__loss.png'; 'model.pt' -> 'model.pt.data' (no Galaxy type for .pt)."""
    parts = [UNSAFE.sub("_", part) for part in relative.parts]
    flat = "__".join(part.strip(".") or "_" for part in parts)
    stem, dot, suffix = flat.rpartition(".")
    if dot and stem and suffix.lower() in GALAXY_TYPES:
        return f"{stem}.{GALAXY_TYPES[suffix.lower()]}"
    return f"{flat}.data"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, _, ext = name.rpartition(".")
    number = 2
    while f"{stem}_{number}.{ext}" in taken:
        number += 1
    return f"{stem}_{number}.{ext}"


def _place(source: Path, target: Path) -> None:
    """A hard link when source and target share a file system (no copy), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def deliver_output_files(workdir: Path, destination: Path) -> tuple[list[dict], list[str]]:
    """Flatten ``workdir/outputs`` into ``destination``; returns (delivered files, warnings)."""
    root = workdir / OUTPUTS_FOLDER
    delivered: list[dict] = []
    warnings: list[str] = []
    if root.is_symlink():
        return delivered, [f"{OUTPUTS_FOLDER} is a symbolic link; nothing in it is delivered (make it a folder)"]
    if not root.is_dir():
        return delivered, warnings
    taken: set[str] = set()
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for linked in [sub for sub in subfolders if (Path(folder) / sub).is_symlink()]:
            warnings.append(f"outputs/{(Path(folder) / linked).relative_to(root)} is a symbolic link; not delivered")
        for file_name in sorted(files):
            path = Path(folder) / file_name
            relative = path.relative_to(root)
            if path.is_symlink() or not path.is_file():
                warnings.append(f"outputs/{relative} is a symbolic link or not a regular file; not delivered")
                continue
            wanted = galaxy_name(relative)
            name = _unique(wanted, taken)
            if name != wanted:
                warnings.append(f"outputs/{relative} would also be named {wanted!r}; delivered as {name!r}")
            taken.add(name)
            destination.mkdir(parents=True, exist_ok=True)
            _place(path, destination / name)
            delivered.append({"file": f"outputs/{relative}", "name": name, "bytes": path.stat().st_size})
    return delivered, warnings
