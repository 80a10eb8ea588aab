"""Find a real sample of a model's input among the notebook's variables.

The exported ONNX graph's input shape and the parity check both come from real data the code
used, so a model with 13 features gets a 13-wide input (not a hard-coded 4). Test data is preferred
to validation data, validation to training data, so the parity rows resemble what users will predict.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

SAMPLE_ROWS = 32
NAME_PREFERENCE = ("test", "val", "train")


def _as_array(value: object):
    """A numeric numpy view of arrays, DataFrames and h5py datasets; None for anything else."""
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return None
    pandas = sys.modules.get("pandas")
    h5py = sys.modules.get("h5py")
    if isinstance(value, numpy.ndarray):
        array = value
    elif pandas is not None and isinstance(value, pandas.DataFrame):
        array = value.head(SAMPLE_ROWS).to_numpy()
    elif h5py is not None and isinstance(value, h5py.Dataset) and value.ndim >= 1:
        array = value[:SAMPLE_ROWS]
    else:
        return None
    if array.dtype.kind not in "fiub" or array.ndim < 1 or array.shape[0] == 0:
        return None
    return array


def _rank(name: str) -> int:
    lowered = name.lower()
    for position, word in enumerate(NAME_PREFERENCE):
        if word in lowered:
            return position
    return len(NAME_PREFERENCE)


def find_sample(namespace: dict, fits: Callable[[tuple], bool]) -> tuple[object, str] | None:
    """(up to SAMPLE_ROWS rows, variable name) of the best-named array whose shape ``fits``."""
    matches = []
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        array = _as_array(value)
        if array is not None and fits(tuple(array.shape)):
            matches.append((_rank(name), name, array))
    if not matches:
        return None
    _, name, array = min(matches, key=lambda match: match[:2])
    return array[:SAMPLE_ROWS], name


def shape_fits(expected: tuple) -> Callable[[tuple], bool]:
    """A predicate for shapes that equal ``expected`` where it is not None (None matches any size)."""
    def fits(shape: tuple) -> bool:
        return len(shape) == len(expected) and all(want is None or want == got for want, got in zip(expected, shape))
    return fits
