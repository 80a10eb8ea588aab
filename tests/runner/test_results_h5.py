"""Choosing result variables and writing them to HDF5; read back with h5py and compared value by value."""
from __future__ import annotations

import json
import math

import h5py
import numpy as np
import pandas as pd
import pytest

from notebook_job.deliver.results_h5 import select_results, write_results

LIMIT = 1000


@pytest.fixture
def namespace(keras):
    labels = np.array([0, 1, 2, 1])
    history = keras.callbacks.History()
    history.history = {"loss": [0.9, 0.5], "accuracy": [0.6, 0.8]}
    return {
        "epochs": 3, "rate": 0.01, "done": True, "title": "run 1", "score": np.float32(0.75),
        "weights": np.arange(6, dtype=np.float64).reshape(2, 3), "history": history,
        "table": pd.DataFrame({"epoch": [1, 2], "loss": [0.5, 0.25], "split": ["train", "val"]}),
        "big": np.zeros(LIMIT // 8 + 1), "labels": labels, "predicted": labels.copy(),
        "metrics": {"f1": 0.5, "per_class": np.array([0.25, 0.75])}, "sizes": [1, 2, 3],
        "_hidden": 1, "np": np, "helper": len, "words": ["a", "b"], "nothing": None, "long_text": "x" * 5000,
    }


def is_input_of(namespace: dict):
    return lambda value: value is namespace["labels"]


def test_automatic_rule(namespace):
    selection = select_results(namespace, [], LIMIT, is_input_of(namespace))
    assert list(selection.chosen) == ["epochs", "rate", "done", "title", "score", "weights", "history", "table",
                                      "predicted", "metrics", "sizes"]
    assert {name: kind for name, (kind, _) in selection.chosen.items()} == {
        "epochs": "scalar", "rate": "scalar", "done": "scalar", "title": "scalar", "score": "scalar",
        "weights": "array", "history": "dict", "table": "dataframe", "predicted": "array", "metrics": "dict",
        "sizes": "array"}
    assert selection.skipped == [
        {"name": "big", "reason": f"{(LIMIT // 8 + 1) * 8} bytes, over the automatic limit of {LIMIT}; "
                                  "list it under 'Save these variables' to keep it"},
        {"name": "labels", "reason": "read from an input file (data, not a result); "
                                     "list it under 'Save these variables' to keep it"}]
    assert selection.warnings == []


def test_written_file_holds_the_values(namespace, tmp_path):
    selection = select_results(namespace, [], LIMIT, is_input_of(namespace))
    saved = write_results(tmp_path / "results.h5", selection)
    assert {entry["name"]: entry["where"] for entry in saved} == {
        "epochs": "attribute /@epochs", "rate": "attribute /@rate", "done": "attribute /@done",
        "title": "attribute /@title", "score": "attribute /@score", "weights": "/weights", "history": "/history",
        "table": "/table", "predicted": "/predicted", "metrics": "/metrics", "sizes": "/sizes"}
    assert saved[5] == {"name": "weights", "kind": "array", "shape": [2, 3], "dtype": "float64",
                        "where": "/weights"}
    assert saved[6]["keys"] == ["accuracy", "loss"] and saved[7]["shape"] == [2, 3]
    with h5py.File(tmp_path / "results.h5", "r") as h5:
        assert dict(h5.attrs) == {"created_by": "run_jupyter_job", "epochs": 3, "rate": 0.01, "done": True,
                                  "title": "run 1", "score": np.float32(0.75)}
        assert sorted(h5) == ["history", "metrics", "predicted", "sizes", "table", "weights"]
        assert h5["weights"][:].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        assert h5["weights"].compression == "gzip"
        assert h5["predicted"][:].tolist() == [0, 1, 2, 1]
        assert h5["sizes"][:].tolist() == [1, 2, 3]
        assert {key: h5["history"][key][:].tolist() for key in h5["history"]} == {"loss": [0.9, 0.5],
                                                                                   "accuracy": [0.6, 0.8]}
        table = h5["table"]
        assert (table.attrs["kind"], list(table.attrs["columns"])) == ("DataFrame", ["epoch", "loss", "split"])
        assert table["epoch"][:].tolist() == [1, 2] and table["loss"][:].tolist() == [0.5, 0.25]
        assert [value.decode() for value in table["split"][:]] == ["train", "val"]
        assert h5["metrics"].attrs["f1"] == 0.5 and h5["metrics/per_class"][:].tolist() == [0.25, 0.75]


def test_requested_names_are_saved_whatever_their_size(namespace, tmp_path):
    namespace["huge"] = np.arange(300_000, dtype=np.float64)
    selection = select_results(namespace, ["huge", "labels", "missing", "helper", "title"], LIMIT,
                               is_input_of(namespace))
    assert list(selection.chosen) == ["huge", "labels", "title"]
    assert selection.skipped == []
    assert selection.warnings == ["result variable 'missing' was not defined by the code",
                                  "result variable 'helper' is a builtin_function_or_method, which cannot be stored "
                                  "in HDF5"]
    write_results(tmp_path / "results.h5", selection)
    with h5py.File(tmp_path / "results.h5", "r") as h5:
        assert np.array_equal(h5["huge"][:], namespace["huge"])
        assert h5["labels"][:].tolist() == [0, 1, 2, 1]
        assert h5.attrs["title"] == "run 1" and "epochs" not in h5.attrs


def test_nan_is_a_warning_and_still_saved(tmp_path):
    values = {"loss": math.nan, "curve": np.array([0.1, np.nan]), "frame": pd.DataFrame({"a": [1.0, None]}),
              "fine": np.array([1.0]), "nested": {"x": np.array([np.nan])}}
    selection = select_results(values, [], LIMIT, lambda value: False)
    assert selection.warnings == [f"result variable {name!r} contains NaN" for name in ("loss", "curve", "frame",
                                                                                        "nested")]
    write_results(tmp_path / "results.h5", selection)
    with h5py.File(tmp_path / "results.h5", "r") as h5:
        assert math.isnan(h5.attrs["loss"]) and np.isnan(h5["curve"][1]) and np.isnan(h5["frame/a"][1])


def test_arrays_read_from_hdf5_are_recognised_by_origin(run_python, make_h5):
    make_h5("data.h5", X=np.arange(4.0))
    out = run_python(
        "import json\n"
        "from notebook_job.run.input_reads import read_from_hdf5, watch_hdf5_reads\n"
        "watch_hdf5_reads()\n"
        "import h5py, numpy as np\n"
        "with h5py.File('inputs/data.h5', 'r') as h5:\n"
        "    sliced, whole, as_array = h5['X'][:], h5['X'][()], np.asarray(h5['X'])\n"
        "equal_copy, computed = sliced.copy(), sliced * 1\n"
        "print(json.dumps([read_from_hdf5(v) for v in (sliced, whole, as_array, equal_copy, computed, 4.0)]))\n")
    assert json.loads(out) == [True, True, True, False, False, False]


def test_a_value_hdf5_refuses_is_a_warning_and_the_rest_is_written(tmp_path):
    values = {"table": pd.DataFrame({"loss/val": [0.5, 0.4], "loss": [0.1, 0.2]}), "score": 0.5,
              "curve": np.array([1.0, 2.0])}
    selection = select_results(values, [], LIMIT, lambda value: False)
    saved = write_results(tmp_path / "results.h5", selection)
    assert [entry["name"] for entry in saved] == ["score", "curve"]
    assert selection.warnings == ["result variable 'table' was not saved: ValueError: Unable to synchronously "
                                  "create dataset (name already exists)"]
    with h5py.File(tmp_path / "results.h5", "r") as h5:
        assert (sorted(h5), h5.attrs["score"], h5["curve"][:].tolist()) == (["curve"], 0.5, [1.0, 2.0])
