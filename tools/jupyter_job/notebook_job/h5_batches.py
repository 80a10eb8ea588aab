"""Read HDF5 training data in contiguous batches, for notebooks whose data does not fit in memory.

``ds[i:i + n]`` reads a run of whole chunks, which streams at the disk's own speed; ``ds[...]``
reads at a third of it and holds everything in memory, and shuffled row indices (``ds[[5, 91, 7]]``)
at a twentieth (reference/FACTS.md §4). So batches here are always contiguous slices, and several
datasets (``X`` and ``y``) are sliced at the same rows so they stay in step. Shuffling, where it
is wanted, shuffles the order of the batches, not the rows inside one: Keras' ``fit`` does exactly
that for a ``PyDataset`` (its default ``shuffle=True``).

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
from collections.abc import Iterator
from functools import cache
from typing import Any


class H5Batches:
    """Consecutive row batches ``rows[i:i + batch_size]`` of one or more equally long datasets.

    One dataset gives one array per batch; several give a tuple of arrays taken from the same rows
    (``(X, y)``, the shape Keras expects). Any object with ``shape`` and slicing works, so numpy
    arrays can stand in for h5py datasets. ``start``/``stop`` restrict the rows (a validation
    tail, say); the last batch holds whatever rows remain.
    """

    def __init__(self, *datasets: Any, batch_size: int = 32, start: int = 0, stop: int | None = None):
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
        arrays = tuple(dataset[first:last] for dataset in self.datasets)
        return arrays[0] if len(arrays) == 1 else arrays

    def __iter__(self) -> Iterator:
        for index in range(len(self)):
            yield self[index]

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
