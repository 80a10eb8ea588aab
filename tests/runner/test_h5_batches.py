"""H5Batches: contiguous batches over h5py datasets, several in step, its reused arrays, and its Keras adapter."""
from __future__ import annotations

import weakref
from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np
import pytest

from notebook_job.h5_batches import POOL_SIZE, H5Batches


@pytest.fixture
def training_file(make_h5):
    """23 rows of X (23, 4, 3) and y (23,): 23 is no multiple of the batch sizes used below."""
    X = np.arange(23 * 4 * 3, dtype=np.float32).reshape(23, 4, 3)
    y = np.arange(23, dtype=np.int64) * 10
    path = make_h5("train.h5", X=X, y=y)
    with h5py.File(path, "r") as h5:
        yield h5, X, y


def test_batches_cover_every_row_once_in_order(training_file):
    h5, X, _ = training_file
    batches = H5Batches(h5["X"], batch_size=5)
    read = list(batches)
    assert len(batches) == len(read) == 5
    assert all(isinstance(batch, np.ndarray) for batch in read)
    np.testing.assert_array_equal(np.concatenate(read), X)


def test_last_batch_holds_the_remaining_rows(training_file):
    h5, X, _ = training_file
    batches = H5Batches(h5["X"], batch_size=5)
    assert [len(batch) for batch in batches] == [5, 5, 5, 5, 3]
    np.testing.assert_array_equal(batches[-1], X[20:])
    assert len(H5Batches(h5["X"], batch_size=23)) == 1
    assert len(H5Batches(h5["X"], batch_size=100)) == 1


def test_several_datasets_stay_in_step(training_file):
    h5, X, y = training_file
    for index, (X_batch, y_batch) in enumerate(H5Batches(h5["X"], h5["y"], batch_size=4)):
        rows = slice(index * 4, min(index * 4 + 4, 23))
        np.testing.assert_array_equal(X_batch, X[rows])
        np.testing.assert_array_equal(y_batch, y[rows])


def test_start_and_stop_restrict_the_rows(training_file):
    h5, X, y = training_file
    validation = H5Batches(h5["X"], h5["y"], batch_size=4, start=15)
    assert validation.rows == 8 and len(validation) == 2
    np.testing.assert_array_equal(np.concatenate([X_batch for X_batch, _ in validation]), X[15:])
    training = H5Batches(h5["y"], batch_size=4, stop=15)
    np.testing.assert_array_equal(np.concatenate(list(training)), y[:15])
    assert list(H5Batches(h5["y"], start=7, stop=7)) == []


def test_out_of_range_batches_raise_index_error(training_file):
    batches = H5Batches(training_file[0]["X"], batch_size=5)
    with pytest.raises(IndexError):
        batches[5]
    with pytest.raises(IndexError):
        batches[-6]


@pytest.mark.parametrize("arguments, options, message", [
    ((), {}, "at least one dataset"),
    ((np.zeros((3, 2)), np.zeros(4)), {}, r"differ in length.*\[3, 4\]"),
    ((np.zeros(3),), {"batch_size": 0}, "batch_size must be at least 1"),
    ((np.zeros(3),), {"start": 2, "stop": 1}, "rows 2:1"),
    ((np.zeros(3),), {"stop": 4}, "rows 0:4"),
    ((np.float32(1.0),), {}, "no rows to batch"),
])
def test_bad_arguments_are_named(arguments, options, message):
    with pytest.raises(ValueError, match=message):
        H5Batches(*arguments, **options)


def test_numpy_arrays_work_like_datasets():
    X = np.arange(10)
    batches = H5Batches(X, batch_size=4)
    assert [batch.tolist() for batch in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert np.shares_memory(batches[0], X)  # a view, not a copy


def test_dropped_batches_lend_their_memory_to_later_ones(training_file):
    h5, X, _ = training_file
    addresses, rows = set(), []
    for batch in H5Batches(h5["X"], batch_size=2):
        addresses.add(batch.ctypes.data)
        rows.append(batch[:, 0, 0].tolist())
    assert len(addresses) <= POOL_SIZE + 1  # the pool, and the last (partial) batch
    assert sum(rows, []) == X[:, 0, 0].tolist()


def test_a_kept_batch_or_view_is_never_overwritten(training_file):
    h5, X, _ = training_file
    batches = H5Batches(h5["X"], batch_size=2)
    kept, view = batches[0], batches[1][1:]
    for _ in batches:
        pass
    np.testing.assert_array_equal(kept, X[0:2])
    np.testing.assert_array_equal(view, X[3:4])


def test_reused_arrays_stay_with_the_pool_unless_reuse_is_off(training_file):
    h5, _, _ = training_file
    reusing, not_reusing = H5Batches(h5["X"], batch_size=2), H5Batches(h5["X"], batch_size=2, reuse_buffers=False)
    pooled, fresh = weakref.ref(reusing[0]), weakref.ref(not_reusing[0])
    assert pooled() is not None
    assert fresh() is None


def test_threads_reading_and_dropping_at_once_each_get_their_own_rows(training_file):
    h5, X, y = training_file
    batches = H5Batches(h5["X"], h5["y"], batch_size=3)

    def matches(index: int) -> bool:
        X_batch, y_batch = batches[index]
        rows = slice(index * 3, min(index * 3 + 3, 23))
        return np.array_equal(X_batch, X[rows]) and np.array_equal(y_batch, y[rows])

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(matches, list(range(len(batches))) * 20))


def test_importing_the_module_imports_neither_keras_nor_h5py(run_python):
    loaded = run_python("import sys\nimport notebook_job.h5_batches\n"
                        "print(sorted(m for m in ('keras', 'tensorflow', 'torch', 'h5py') if m in sys.modules))")
    assert loaded.strip() == "[]"


def test_keras_dataset_has_the_batches_length_and_items(training_file, keras):
    h5, X, y = training_file
    dataset = H5Batches(h5["X"], h5["y"], batch_size=5).keras_dataset()
    assert isinstance(dataset, keras.utils.PyDataset)
    assert len(dataset) == dataset.num_batches == 5
    X_batch, y_batch = dataset[4]
    np.testing.assert_array_equal(X_batch, X[20:])
    np.testing.assert_array_equal(y_batch, y[20:])
    np.testing.assert_array_equal(dataset[0][0], X[:5])


def test_keras_trains_on_the_dataset_and_sees_every_batch(training_file, keras):
    h5, _, _ = training_file
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(H5Batches(h5["X"], h5["y"], batch_size=5).keras_dataset(), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    predictions = model.predict(H5Batches(h5["X"], batch_size=5).keras_dataset(), verbose=0)
    assert predictions.shape == (23, 1)
