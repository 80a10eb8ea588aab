"""Read HDF5 training data in contiguous batches, for notebooks whose data does not fit in memory.

``ds[i:i + n]`` reads a run of whole chunks, which streams at the disk's own speed; ``ds[...]``
reads at a third of it and holds everything in memory, and shuffled row indices (``ds[[5, 91, 7]]``)
at a twentieth (reference/FACTS.md §4). So batches here are always contiguous slices, and several
datasets (``X`` and ``y``) are sliced at the same rows so they stay in step. Shuffling, where it
is wanted, shuffles the order of the batches, not the rows inside one: Keras' ``fit`` does exactly
that for a ``PyDataset`` (its default ``shuffle=True``).

A fresh array for every batch costs a page fault per few KiB of it once batches pass glibc's
32 MiB limit for recycled memory: on a busy 2-core machine that halved the read speed of 32 MiB
batches (docs/benchmarks.md). So the arrays of full batches come from a small pool and are
filled again, but only once nothing refers to them any more: a batch (or a view of one) that the
notebook keeps is never overwritten.

This module imports neither h5py nor Keras: the datasets are whatever the notebook opened, and the
Keras adapter is built the first time one is asked for, so a notebook that never touches Keras does
not pay TensorFlow's import.

    import h5py
    from notebook_job.h5_batches import H5Batches

    h5 = h5py.File("train.h5", "r")
    batches = H5Batches(h5["X"], h5["y"], batch_size=32)
    model.fit(batches.keras_dataset(), epochs=5)
    for X, y in batches:          # or by hand
        ...
"""
from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from functools import cache
from typing import Any

POOL_SIZE = 3  # one batch in the caller's hands, one being filled, one queued by Keras
NUMERIC_KINDS = "biufc"


class H5Batches:
    """Consecutive row batches ``rows[i:i + batch_size]`` of one or more equally long datasets.

    One dataset gives one array per batch; several give a tuple of arrays taken from the same rows
    (``(X, y)``, the shape Keras expects). Any object with ``shape`` and slicing works, so numpy
    arrays can stand in for h5py datasets (their batches are views, no copies). ``start``/``stop``
    restrict the rows (a validation tail, say); the last batch holds whatever rows remain.
    ``reuse_buffers=False`` gives every batch a new array.
    """

    def __init__(self, *datasets: Any, batch_size: int = 32, start: int = 0, stop: int | None = None,
                 reuse_buffers: bool = True):
        if not datasets:
            raise ValueError("H5Batches needs at least one dataset")
        lengths = {_length(dataset) for dataset in datasets}
        if len(lengths) != 1:
            raise ValueError(f"the datasets differ in length along the first axis: {sorted(lengths)}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        length = lengths.pop()
        stop = length if stop is None else stop
        if not 0 <= start <= stop <= length:
            raise ValueError(f"rows {start}:{stop} are not within the datasets' {length} rows")
        self.datasets = datasets
        self.batch_size = batch_size
        self.start = start
        self.stop = stop
        self._pools = [_BufferPool((batch_size, *dataset.shape[1:]), dataset.dtype)
                       if reuse_buffers and _poolable(dataset) else None for dataset in datasets]

    @property
    def rows(self) -> int:
        return self.stop - self.start

    def __len__(self) -> int:
        return -(-self.rows // self.batch_size)

    def __getitem__(self, index: int):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        first = self.start + index * self.batch_size
        last = min(first + self.batch_size, self.stop)
        arrays = tuple(self._read(dataset, pool, first, last) for dataset, pool in zip(self.datasets, self._pools))
        return arrays[0] if len(arrays) == 1 else arrays

    def __iter__(self) -> Iterator:
        for index in range(len(self)):
            yield self[index]

    def _read(self, dataset: Any, pool: _BufferPool | None, first: int, last: int):
        if pool is None or last - first != self.batch_size:
            return dataset[first:last]
        array = pool.take()
        dataset.read_direct(array, source_sel=(slice(first, last),))
        return array

    def keras_dataset(self, **options: Any):
        """These batches as a ``keras.utils.PyDataset`` for ``model.fit``/``predict``/``evaluate``.

        ``options`` go to ``PyDataset`` (``workers``, ``max_queue_size``); leave
        ``use_multiprocessing`` off, since an open HDF5 file does not survive being sent to another
        process.
        """
        return _pydataset_class()(self, **options)


def _length(dataset: Any) -> int:
    shape = getattr(dataset, "shape", None)
    if not shape:
        raise ValueError(f"a {type(dataset).__name__} has no rows to batch (it needs a shape with a first axis)")
    return shape[0]


def _poolable(dataset: Any) -> bool:
    """An h5py dataset of numbers, in an interpreter whose reference counts tell when an array is free.

    Without the GIL (free-threaded builds) or without ``sys.getrefcount`` (PyPy) no array is reused.
    """
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    dtype = getattr(dataset, "dtype", None)
    return (gil and hasattr(sys, "getrefcount") and hasattr(dataset, "read_direct")
            and getattr(dtype, "kind", "") in NUMERIC_KINDS)


class _BufferPool:
    """Up to POOL_SIZE arrays of one batch shape, each handed out again once only the pool refers to it.

    "Only the pool" is measured, not assumed: a probe object referred to the same way (a container
    and a local name) gives the reference count of a free array on this interpreter.
    """

    def __init__(self, shape: tuple, dtype: Any):
        self.shape = shape
        self.dtype = dtype
        self.arrays: list = []
        self.probes = [object()]
        self.lock = threading.Lock()  # Keras' worker threads may ask for batches at the same time

    def take(self):
        import numpy as np

        with self.lock:
            for probe in self.probes:
                free = sys.getrefcount(probe)
            for array in self.arrays:
                if sys.getrefcount(array) == free:
                    return array
            array = np.empty(self.shape, self.dtype)
            if len(self.arrays) < POOL_SIZE:
                self.arrays.append(array)
            return array


@cache
def _pydataset_class() -> type:
    """The PyDataset subclass, defined on first use so that importing this module never imports Keras."""
    if importlib.util.find_spec("keras") is None:
        raise ImportError("keras is not installed here; H5Batches can still be iterated directly")
    import keras

    class H5PyDataset(keras.utils.PyDataset):
        """A Keras view of an H5Batches: its length and batches, nothing more."""

        def __init__(self, batches: H5Batches, **options: Any):
            super().__init__(**options)
            self.batches = batches

        def __len__(self) -> int:
            return len(self.batches)

        def __getitem__(self, index: int):
            return self.batches[index]

    return H5PyDataset
