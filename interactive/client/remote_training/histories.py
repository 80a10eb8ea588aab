"""Find the history to work in, and upload a local file only if that history does not hold it yet.

Uploads are recognised by content: the sha256 of the file is stored in the dataset's annotation, so
re-running a notebook does not fill the history with copies of the same 2 GB training set.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from remote_training.connection import Galaxy

CHECKSUM_PREFIX = "sha256:"
HASH_BLOCK = 8 * 1024 * 1024
UPLOAD_WAIT_SECONDS = 3600


def history_id(galaxy: Galaxy, history: str | None) -> str:
    """An id for ``history``: an existing id, the newest history of that name (created if none), or the
    interactive tool's own history (HISTORY_ID) when nothing is given."""
    if history is None:
        if os.environ.get("HISTORY_ID"):
            return os.environ["HISTORY_ID"]
        history = "remote training"
    found = galaxy.call(galaxy.gi.histories.get_histories, name=history, deleted=False)
    if found:
        return found[0]["id"]
    try:
        return galaxy.call(galaxy.gi.histories.show_history, history)["id"]
    except Exception:  # noqa: BLE001 - not an id either: make the named history
        return galaxy.call(galaxy.gi.histories.create_history, name=history)["id"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _existing_upload(galaxy: Galaxy, history: str, name: str, checksum: str) -> str | None:
    candidates = galaxy.call(galaxy.gi.datasets.get_datasets, history_id=history, name=name, deleted=False,
                             state="ok")
    for candidate in candidates:
        details = galaxy.call(galaxy.gi.datasets.show_dataset, candidate["id"])
        if details.get("annotation") == CHECKSUM_PREFIX + checksum:
            return candidate["id"]
    return None


def upload_once(galaxy: Galaxy, history: str, path: Path, file_type: str) -> str:
    """The id of a dataset with ``path``'s content in ``history``, uploading it only when needed."""
    checksum = sha256_of(path)
    existing = _existing_upload(galaxy, history, path.name, checksum)
    if existing:
        return existing
    upload = galaxy.call(galaxy.gi.tools.upload_file, str(path), history, file_type=file_type, file_name=path.name)
    dataset = upload["outputs"][0]["id"]
    galaxy.call(galaxy.gi.datasets.wait_for_dataset, dataset, maxwait=UPLOAD_WAIT_SECONDS)
    galaxy.call(galaxy.gi.histories.update_dataset, history, dataset, annotation=CHECKSUM_PREFIX + checksum)
    return dataset
