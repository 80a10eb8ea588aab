"""Remember which arrays the user's code read straight from an HDF5 file.

Such arrays are the training data, not results, so the automatic results rule never saves them.
Recognising them by where they came from (not by equal values) keeps a perfect prediction, which
equals the labels it was scored against, from being mistaken for a copy of the input.
"""
from __future__ import annotations

import weakref

from notebook_job.run.import_hooks import after_import

_READ: dict[int, weakref.ref] = {}


def _remember(value: object) -> object:
    try:
        _READ[id(value)] = weakref.ref(value)
    except TypeError:
        pass
    return value


def _watch(h5py) -> None:
    dataset = h5py.Dataset
    original_getitem, original_array = dataset.__getitem__, dataset.__array__

    def getitem(self, *args, **kwargs):
        return _remember(original_getitem(self, *args, **kwargs))

    def as_array(self, *args, **kwargs):
        return _remember(original_array(self, *args, **kwargs))

    dataset.__getitem__, dataset.__array__ = getitem, as_array


def watch_hdf5_reads() -> None:
    """Start remembering arrays returned by ``h5py.Dataset`` reads, from the user's import of h5py on."""
    after_import("h5py", _watch)


def read_from_hdf5(value: object) -> bool:
    """True if ``value`` is an array that an h5py read returned."""
    ref = _READ.get(id(value))
    return ref is not None and ref() is value
