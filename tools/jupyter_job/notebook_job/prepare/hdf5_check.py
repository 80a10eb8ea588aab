"""Check that an input is a real HDF5 file whose links stay inside the job.

HDF5 external links and virtual datasets can point at any file the job can read (``/etc/passwd``,
another user's dataset); a link to a plain file name in the work directory (another input) is fine,
anything with a directory part is refused and named.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from notebook_job.errors import BadInputError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
SAME_FILE = "."


def has_hdf5_signature(path: Path) -> bool:
    """The superblock sits at byte 0 or, after a user block, at 512, 1024, 2048, ... (HDF5 spec)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        offset = 0
        while offset + len(HDF5_SIGNATURE) <= size:
            handle.seek(offset)
            if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2
    return False


def _outside_job(target_file: str) -> bool:
    if target_file == SAME_FILE:
        return False
    parts = PurePosixPath(target_file.replace("\\", "/")).parts
    return len(parts) != 1 or parts[0] in ("..", "/")


def _escaping_links(path: Path) -> list[str]:
    import h5py

    found: list[str] = []

    def visit(name: str, link: object) -> None:
        if isinstance(link, h5py.ExternalLink) and _outside_job(link.filename):
            found.append(f"external link /{name} -> {link.filename}:{link.path}")

    with h5py.File(path, "r") as h5:
        h5.visititems_links(visit)

        def visit_datasets(name: str, obj: object) -> None:
            if isinstance(obj, h5py.Dataset) and obj.is_virtual:
                for source in obj.virtual_sources():
                    if _outside_job(source.file_name):
                        found.append(f"virtual dataset /{name} -> {source.file_name}:{source.dset_name}")

        h5.visititems(visit_datasets)
    return found


def check_hdf5(path: Path, name: str) -> None:
    """Raise BadInputError naming the input (and the first offending link) if it cannot be used."""
    if not has_hdf5_signature(path):
        raise BadInputError(f"input {name!r} is not an HDF5 file (no HDF5 signature); upload it with format h5")
    try:
        escaping = _escaping_links(path)
    except OSError as error:
        raise BadInputError(f"input {name!r} cannot be read as HDF5: {error}") from None
    if escaping:
        more = f" (and {len(escaping) - 1} more)" if len(escaping) > 1 else ""
        raise BadInputError(f"input {name!r} points outside the job, refused: {escaping[0]}{more}")
