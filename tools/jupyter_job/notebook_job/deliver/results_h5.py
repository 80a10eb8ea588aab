"""Choose the notebook's result variables and write them to one HDF5 file.

The rule, also in the tool's help:
- names listed on the form are saved, whatever their size (arrays, DataFrames, scalars, dicts);
- with no names listed, the automatic rule saves scalars (as attributes of the root group),
  numeric arrays and DataFrames of at most ``auto_limit`` bytes, Keras training histories and dicts
  of those; an array read straight from an input file is never saved automatically (it is the
  training data, not a result); larger variables are listed in the report with the reason.
Arrays are written chunked and gzip-compressed straight from their own buffers, without a copy.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_AUTO_LIMIT = 1024 * 1024
MAX_TEXT = 4096


@dataclass
class Selection:
    """What will be written, what was left out and why, and warnings about the values."""

    chosen: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def _numpy():
    return sys.modules.get("numpy")


def _is_scalar(value: object) -> bool:
    numpy = _numpy()
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    return numpy is not None and isinstance(value, numpy.generic)


def _as_savable(value: object):
    """(kind, value to write) for what HDF5 can hold, else None."""
    numpy = _numpy()
    pandas = sys.modules.get("pandas")
    keras = sys.modules.get("keras")
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor) and not value.is_complex():
        value = value.detach().cpu().numpy()
    if _is_scalar(value):
        return "scalar", value
    if numpy is not None and isinstance(value, numpy.ndarray) and value.dtype.kind in "fiubUS":
        return "array", value
    if pandas is not None and isinstance(value, pandas.DataFrame):
        return "dataframe", value
    if keras is not None and hasattr(keras, "callbacks") and isinstance(value, keras.callbacks.History):
        return "dict", {key: numpy.asarray(series) for key, series in value.history.items()}
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        items = {key: _as_savable(item) for key, item in value.items()}
        if all(item is not None and item[0] in ("scalar", "array") for item in items.values()):
            return "dict", {key: item[1] for key, item in items.items()}
    if numpy is not None and isinstance(value, list) and value and all(_is_scalar(item) for item in value):
        array = numpy.asarray(value)
        return ("array", array) if array.dtype.kind in "fiub" else None
    return None


def _nbytes(kind: str, value: object) -> int:
    if kind == "array":
        return int(value.nbytes)
    if kind == "dataframe":
        return int(value.memory_usage(deep=True).sum())
    if kind == "dict":
        return sum(_nbytes("array", item) if hasattr(item, "nbytes") else 8 for item in value.values())
    return 8


def _has_nan(kind: str, value: object) -> bool:
    numpy = _numpy()
    if numpy is None:
        return False
    if kind == "scalar":
        return isinstance(value, float | numpy.floating) and bool(numpy.isnan(value))
    if kind == "array":
        return value.dtype.kind == "f" and bool(numpy.isnan(value).any())
    if kind == "dataframe":
        return bool(value.select_dtypes("number").isna().to_numpy().any())
    return any(_has_nan("array" if hasattr(item, "dtype") and item.ndim else "scalar", item)
               for item in value.values())


def select_results(namespace: dict, requested: list[str], auto_limit: int,
                   is_input: Callable[[object], bool]) -> Selection:
    """Apply the rule in this module's docstring to ``namespace``."""
    selection = Selection()
    if requested:
        for name in requested:
            if name not in namespace:
                selection.warnings.append(f"result variable {name!r} was not defined by the code")
                continue
            savable = _as_savable(namespace[name])
            if savable is None:
                selection.warnings.append(f"result variable {name!r} is a {type(namespace[name]).__name__}, "
                                          "which cannot be stored in HDF5")
            else:
                selection.chosen[name] = savable
    else:
        for name, value in namespace.items():
            if name.startswith("_") or name in ("In", "Out"):
                continue
            savable = _as_savable(value)
            if savable is None:
                continue
            size = _nbytes(*savable)
            if size > auto_limit:
                selection.skipped.append({"name": name, "reason": f"{size} bytes, over the automatic limit of "
                                          f"{auto_limit}; list it under 'Save these variables' to keep it"})
                continue
            if is_input(value):
                selection.skipped.append({"name": name, "reason": "read from an input file (data, not a result); "
                                          "list it under 'Save these variables' to keep it"})
                continue
            selection.chosen[name] = savable
    for name, (kind, value) in selection.chosen.items():
        if _has_nan(kind, value):
            selection.warnings.append(f"result variable {name!r} contains NaN")
    return selection


def _write_array(group, name: str, array) -> None:
    import h5py

    if array.dtype.kind == "U":
        group.create_dataset(name, data=array.astype(object), dtype=h5py.string_dtype())
    elif array.ndim == 0 or array.size == 0:
        group.create_dataset(name, data=array)
    else:
        group.create_dataset(name, data=array, chunks=True, compression="gzip", compression_opts=4, shuffle=True)


def _write_value(group, name: str, kind: str, value) -> dict:
    if kind == "scalar":
        group.attrs[name] = value
        return {"name": name, "kind": kind, "where": f"attribute {group.name.rstrip('/')}/@{name}"}
    if kind == "array":
        _write_array(group, name, value)
        return {"name": name, "kind": kind, "shape": list(value.shape), "dtype": str(value.dtype),
                "where": f"{group.name.rstrip('/')}/{name}"}
    sub = group.create_group(name)
    if kind == "dataframe":
        sub.attrs["kind"] = "DataFrame"
        sub.attrs["columns"] = [str(column) for column in value.columns]
        for column in value.columns:
            series = value[column]
            data = series.to_numpy()
            _write_array(sub, str(column), data if data.dtype.kind in "fiub" else series.astype(str).to_numpy())
        return {"name": name, "kind": kind, "shape": list(value.shape), "where": sub.name}
    for key, item in value.items():
        _write_value(sub, key, "array" if hasattr(item, "ndim") and item.ndim else "scalar", item)
    return {"name": name, "kind": kind, "keys": sorted(value), "where": sub.name}


def write_results(path: Path, selection: Selection) -> list[dict]:
    """Write the chosen values; returns one report entry per variable written.

    A value HDF5 refuses (say a DataFrame with columns 'loss/val' and 'loss') becomes a warning in
    ``selection.warnings``; the other variables are still written.
    """
    import h5py

    saved = []
    with h5py.File(path, "w") as h5:
        h5.attrs["created_by"] = "run_jupyter_job"
        for name, (kind, value) in selection.chosen.items():
            try:
                saved.append(_write_value(h5, name, kind, value))
            except Exception as error:  # noqa: BLE001 - one unwritable value must not lose the others
                if name in h5:
                    del h5[name]
                selection.warnings.append(f"result variable {name!r} was not saved: {type(error).__name__}: {error}")
    return saved
