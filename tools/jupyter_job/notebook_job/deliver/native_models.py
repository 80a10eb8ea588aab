"""Save each model in its framework's own format and pack them into one zip archive.

Keras models go in as ``NAME.keras`` and as a TensorFlow SavedModel folder, scikit-learn models as
``NAME.joblib``, PyTorch modules as ``NAME.pt`` (the state dict). The archive is written file by
file, walking folders recursively, so a SavedModel really is inside it; a model that cannot be
saved is a warning, not a lost job.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from notebook_job.export.models import KERAS, SKLEARN, TORCH, FoundModel


def _save_keras(model, folder: Path, name: str) -> None:
    model.save(folder / f"{name}.keras")


def _export_saved_model(model, folder: Path, name: str) -> None:
    model.export(str(folder / f"{name}_savedmodel"), format="tf_saved_model", verbose=False)


def _save_sklearn(model, folder: Path, name: str) -> None:
    import joblib

    joblib.dump(model, folder / f"{name}.joblib")


def _save_torch(model, folder: Path, name: str) -> None:
    import torch

    torch.save(model.state_dict(), folder / f"{name}.pt")


# framework -> (what it writes, how); each is tried on its own, so one failure keeps the other formats
SAVERS = {KERAS: ((".keras", _save_keras), ("SavedModel", _export_saved_model)),
          SKLEARN: ((".joblib", _save_sklearn),), TORCH: ((".pt", _save_torch),)}


def zip_folder(folder: Path, archive: Path) -> list[str]:
    """Every file below ``folder``, at any depth, into ``archive``; returns the member names."""
    members = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for current, subfolders, files in os.walk(folder):
            subfolders.sort()
            for file_name in sorted(files):
                path = Path(current) / file_name
                member = path.relative_to(folder).as_posix()
                bundle.write(path, member)
                members.append(member)
    return members


def write_native_archive(found: list[FoundModel], archive: Path) -> tuple[list[str], list[str]]:
    """Save every model natively and zip them; returns (archive members, warnings)."""
    warnings = []
    with tempfile.TemporaryDirectory(prefix="native_models_") as scratch:
        folder = Path(scratch) / "archive"
        folder.mkdir()
        for item in found:
            for what, save in SAVERS[item.framework]:
                # each save writes into a folder of its own: what a failed one left half-written stays out
                attempt = Path(tempfile.mkdtemp(dir=scratch))
                try:
                    save(item.model, attempt, item.name)
                except Exception as error:  # noqa: BLE001 - one model that cannot be saved must not lose the others
                    warnings.append(f"model {item.name}: not saved natively ({what}): {type(error).__name__}: {error}")
                    continue
                for path in attempt.iterdir():
                    path.rename(folder / path.name)
        return zip_folder(folder, archive), warnings
