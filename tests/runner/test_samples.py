"""Finding a real input sample for a model among the notebook's variables."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

from notebook_job.samples import SAMPLE_ROWS, find_sample, shape_fits

WIDE = shape_fits((None, 13))


def sample_name(namespace: dict, fits=WIDE) -> str | None:
    found = find_sample(namespace, fits)
    return found and found[1]


@pytest.mark.parametrize(("expected", "shape", "fits"), [
    ((None, 13), (40, 13), True),
    ((None, 13), (40, 4), False),
    ((None, 13), (40, 13, 1), False),
    ((None, None, 3), (2, 7, 3), True),
    ((None, None, 3), (2, 7, 4), False),
    ((None, 28, 28, 1), (5, 28, 28, 1), True),
    ((8, 13), (9, 13), False),
])
def test_none_dims_match_any_size(expected, shape, fits):
    assert shape_fits(expected)(shape) is fits


def test_test_is_preferred_to_val_to_train():
    rows = np.zeros((10, 13))
    namespace = {"X_train": rows, "x_val": rows + 1, "X_test": rows + 2, "features": rows + 3}
    array, name = find_sample(namespace, WIDE)
    assert name == "X_test"
    assert array.tolist() == (rows + 2).tolist()
    del namespace["X_test"]
    assert sample_name(namespace) == "x_val"
    del namespace["x_val"]
    assert sample_name(namespace) == "X_train"
    del namespace["X_train"]
    assert sample_name(namespace) == "features"


def test_same_rank_is_decided_by_name_not_by_order():
    rows = np.zeros((3, 13))
    assert sample_name({"test_b": rows, "test_a": rows}) == "test_a"


def test_only_numeric_arrays_of_the_right_shape_count():
    namespace = {"X_test": np.zeros((5, 12)), "labels_test": np.zeros(5), "words_test": np.full((5, 13), "a"),
                 "empty_test": np.zeros((0, 13)), "_X_test": np.zeros((5, 13)), "list_test": [[0.0] * 13] * 5,
                 "flags": np.ones((5, 13), dtype=bool)}
    assert sample_name(namespace) == "flags"
    del namespace["flags"]
    assert find_sample(namespace, WIDE) is None


def test_at_most_sample_rows_are_taken():
    array, _ = find_sample({"X": np.arange(100 * 13).reshape(100, 13)}, WIDE)
    assert array.shape == (SAMPLE_ROWS, 13)
    assert array[-1, -1] == SAMPLE_ROWS * 13 - 1


def test_dataframes_and_hdf5_datasets_are_samples(tmp_path):
    frame = pd.DataFrame(np.arange(50 * 13, dtype=float).reshape(50, 13))
    array, name = find_sample({"frame_test": frame}, WIDE)
    assert (name, array.shape, array[1, 0]) == ("frame_test", (SAMPLE_ROWS, 13), 13.0)
    mixed = pd.DataFrame({"a": [1.0], "b": ["x"]})
    assert find_sample({"mixed": mixed}, shape_fits((None, 2))) is None
    with h5py.File(tmp_path / "data.h5", "w") as h5:
        h5["X"] = np.ones((40, 13), dtype=np.float32)
        h5["scalar"] = 1.0
        array, name = find_sample({"ds_val": h5["X"], "one": h5["scalar"]}, WIDE)
        assert (name, type(array), array.shape, array.dtype) == ("ds_val", np.ndarray, (SAMPLE_ROWS, 13),
                                                                 np.float32)
