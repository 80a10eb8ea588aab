"""Find a real sample of a model's input among the notebook's variables.

The exported ONNX graph's input shape and the parity check both come from real data the code
used, so a model with 13 features gets a 13-wide input (not a hard-coded 4). Test data is preferred
to validation data, validation to training data, so the parity rows resemble what users will predict.
A sample the code declares (``model.example_input``, or a variable ``example_input`` or
``sample_input``) comes before any guess: it is the user saying what the model takes.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

SAMPLE_ROWS = 32
NAME_PREFERENCE = ("test", "val", "train")
DECLARED_ATTRIBUTE = "example_input"
DECLARED_VARIABLES = ("example_input", "sample_input")


def _torch_rows(value: object):
    """The first rows of a torch tensor as numpy (CPU, gradients dropped); None when torch was never imported."""
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(value, torch.Tensor) or value.ndim < 1 or value.is_complex():
        return None
    rows = value[:SAMPLE_ROWS].detach().cpu()
    if rows.dtype in (torch.bfloat16, torch.float16):
        rows = rows.float()
    return rows.numpy()


def _as_array(value: object):
    """A numeric numpy view of arrays, DataFrames, h5py datasets and torch tensors; None for anything else."""
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
        array = _torch_rows(value)
        if array is None:
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


def ranked_arrays(namespace: dict) -> list[tuple[str, object]]:
    """(variable name, up to SAMPLE_ROWS rows) of every numeric array, test before val before train, then by name.

    Arrays with no rows (a batch dimension of 0) and private names (``_x``) are left out.
    """
    matches = []
    for name, value in list(namespace.items()):
        if name.startswith("_"):
            continue
        array = _as_array(value)
        if array is not None:
            matches.append((_rank(name), name, array))
    matches.sort(key=lambda match: match[:2])
    return [(name, array[:SAMPLE_ROWS]) for _, name, array in matches]


def find_sample(namespace: dict, fits: Callable[[tuple], bool]) -> tuple[object, str] | None:
    """(up to SAMPLE_ROWS rows, variable name) of the best-named array whose shape ``fits``."""
    for name, array in ranked_arrays(namespace):
        if fits(tuple(array.shape)):
            return array, name
    return None


def _as_arrays(value: object) -> list | None:
    """One array per model input: a single array, or a list/tuple of them (a model with several inputs)."""
    if isinstance(value, (list, tuple)) and value:
        arrays = [_as_array(item) for item in value]
        return None if any(array is None for array in arrays) else [array[:SAMPLE_ROWS] for array in arrays]
    array = _as_array(value)
    return None if array is None else [array[:SAMPLE_ROWS]]


def declared_samples(namespace: dict, model: object, model_name: str) -> tuple[list[tuple[str, list]], list[str]]:
    """([(where it was declared, one array per input)], warnings) for the samples the code declares for ``model``.

    The model's own ``example_input`` attribute comes first, then the variables ``example_input`` and
    ``sample_input``. A declared value that is not numeric array data is a warning, not a sample.
    """
    declared = []
    attribute = getattr(model, DECLARED_ATTRIBUTE, None)
    if attribute is not None:
        declared.append((f"{model_name}.{DECLARED_ATTRIBUTE}", attribute))
    declared += [(name, namespace[name]) for name in DECLARED_VARIABLES if namespace.get(name) is not None]
    samples, warnings = [], []
    for where, value in declared:
        arrays = _as_arrays(value)
        if arrays is None:
            warnings.append(f"{where} is not a numeric array, tensor or list of them; it was not used as the sample")
        else:
            samples.append((where, arrays))
    return samples, warnings


def shape_fits(expected: tuple) -> Callable[[tuple], bool]:
    """A predicate for shapes that equal ``expected`` where it is not None (None matches any size)."""
    def fits(shape: tuple) -> bool:
        return len(shape) == len(expected) and all(want is None or want == got for want, got in zip(expected, shape))
    return fits
