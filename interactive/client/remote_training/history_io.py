"""get/put between the history and the notebook's folder, as a thin layer over bioblend.

galaxy-ie-helpers (installed in the image for old notebooks) guesses Galaxy's address with netstat
and writes to /import; these work wherever the notebook runs and wait until an upload is usable.
"""
from __future__ import annotations

from pathlib import Path

from remote_training.connection import Galaxy, connect
from remote_training.histories import history_id, upload_once


def get(dataset_id: str, destination: str | Path = ".", galaxy: Galaxy | None = None) -> Path:
    """Download a history dataset into ``destination`` (a folder) under its name in the history."""
    galaxy = galaxy or connect()
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    name = galaxy.call(galaxy.gi.datasets.show_dataset, dataset_id)["name"]
    target = destination / Path(name).name
    galaxy.call(galaxy.gi.datasets.download_dataset, dataset_id, file_path=str(target), use_default_filename=False)
    return target


def put(path: str | Path, file_type: str = "auto", history: str | None = None, galaxy: Galaxy | None = None) -> str:
    """Upload ``path`` to the history (the interactive tool's own by default); returns the dataset id once
    the dataset is ready. The same content is not uploaded twice."""
    galaxy = galaxy or connect()
    return upload_once(galaxy, history_id(galaxy, history), Path(path), file_type)
