"""Finding a real input sample for a model among the notebook's variables."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

from notebook_job.export.samples import SAMPLE_ROWS, declared_samples, find_sample, ranked_arrays, shape_fits

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


def test_ranked_arrays_order_every_numeric_array_by_name_preference():
    rows = np.zeros((40, 3))
    namespace = {"features": rows, "X_train": rows, "y_val": np.zeros(40, dtype=np.int64), "X_test": rows,
                 "empty_test": np.zeros((0, 3)), "_hidden_test": rows, "words": np.full((2, 2), "a")}
    ranked = ranked_arrays(namespace)
    assert [name for name, _ in ranked] == ["X_test", "y_val", "X_train", "features"]
    assert [array.shape for _, array in ranked] == [(SAMPLE_ROWS, 3), (SAMPLE_ROWS,), (SAMPLE_ROWS, 3),
                                                    (SAMPLE_ROWS, 3)]


def test_torch_tensors_are_samples_without_gradients_or_half_precision():
    torch = pytest.importorskip("torch")
    weights = torch.ones((40, 13), requires_grad=True) * 2
    namespace = {"X_test": weights, "half_val": torch.ones((5, 13), dtype=torch.bfloat16),
                 "complex_train": torch.ones((5, 13), dtype=torch.complex64)}
    array, name = find_sample(namespace, WIDE)
    assert (name, type(array), array.shape, array.dtype, float(array[0, 0])) == (
        "X_test", np.ndarray, (SAMPLE_ROWS, 13), np.float32, 2.0)
    assert [(name, array.dtype) for name, array in ranked_arrays(namespace)] == [
        ("X_test", np.float32), ("half_val", np.float32)]


class Holder:
    """Stands for a model that carries the sample of its input as an attribute."""

    def __init__(self, example_input=None):
        self.example_input = example_input


def test_declared_samples_attribute_first_then_the_variables_in_order():
    namespace = {"sample_input": np.ones((3, 2)), "example_input": [np.zeros((50, 2)), np.ones((50, 4))]}
    samples, warnings = declared_samples(namespace, Holder(np.full((2, 2), 7.0)), "net")
    assert warnings == []
    assert [(where, [array.shape for array in arrays]) for where, arrays in samples] == [
        ("net.example_input", [(2, 2)]), ("example_input", [(SAMPLE_ROWS, 2), (SAMPLE_ROWS, 4)]),
        ("sample_input", [(3, 2)])]
    assert samples[0][1][0][0, 0] == 7.0


def test_declared_values_that_are_not_arrays_are_warnings():
    samples, warnings = declared_samples({"example_input": "a string", "sample_input": None}, Holder(), "net")
    assert (samples, warnings) == ([], [
        "example_input is not a numeric array, tensor or list of them; it was not used as the sample"])
    assert declared_samples({}, Holder(), "net") == ([], [])
