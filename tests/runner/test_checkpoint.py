"""Surviving a stop: on_stop hooks, request_stop, the Keras checkpoint callback and resuming from its file."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from notebook_job import checkpoint
from notebook_job.checkpoint import (
    EPOCH_ATTRIBUTE,
    JobInterrupted,
    keras_checkpoint,
    on_stop,
    request_stop,
    resume_epoch,
    save_keras_weights,
    stop_requested,
)


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    """Each test starts inside a cell of a job that has not been asked to stop, with no hooks."""
    monkeypatch.setattr(checkpoint, "_hooks", [])
    monkeypatch.setattr(checkpoint, "_state", {"stop_requested": False, "deferring_callbacks": 0, "in_cell": True})


# --- hooks and request_stop ---------------------------------------------------------------------------

def test_hooks_run_once_in_order_then_the_cell_is_stopped():
    calls = []
    on_stop(lambda: calls.append("first"))

    @on_stop
    def second() -> None:
        calls.append("second")

    assert second.__name__ == "second" and not stop_requested()
    with pytest.raises(JobInterrupted):
        request_stop()
    assert stop_requested() and calls == ["first", "second"]
    request_stop()
    assert calls == ["first", "second"]


def test_a_failing_hook_does_not_stop_the_others(capsys):
    calls = []

    @on_stop
    def broken() -> None:
        raise OSError("disk full")

    on_stop(lambda: calls.append("after"))
    with pytest.raises(JobInterrupted):
        request_stop()
    assert calls == ["after"]
    assert capsys.readouterr().err == "[run_jupyter_job] on_stop hook 'broken' failed: disk full\n"


def test_between_cells_a_stop_is_recorded_but_not_raised():
    checkpoint._state["in_cell"] = False
    calls = []
    on_stop(lambda: calls.append("hook"))
    request_stop()
    assert stop_requested() and calls == ["hook"]


def test_running_cell_marks_user_code_and_clears_a_leftover_deferral():
    checkpoint._state.update(in_cell=False, deferring_callbacks=1)
    with checkpoint.running_cell():
        assert checkpoint._state == {"stop_requested": False, "deferring_callbacks": 0, "in_cell": True}
        with pytest.raises(JobInterrupted):
            request_stop()
    assert checkpoint._state["in_cell"] is False


def test_a_stop_that_lands_just_before_a_cell_stops_it_as_it_begins():
    checkpoint._state["in_cell"] = False
    request_stop()  # after the runner checked for a stop, before the cell's code began
    ran = []
    with pytest.raises(JobInterrupted):
        with checkpoint.running_cell():
            ran.append("cell body")
    assert ran == [] and checkpoint._state["in_cell"] is False


def test_job_interrupted_is_not_caught_by_except_exception():
    assert issubclass(JobInterrupted, BaseException) and not issubclass(JobInterrupted, Exception)


def test_no_raise_while_a_keras_checkpoint_is_training():
    checkpoint._state["deferring_callbacks"] = 1
    calls = []
    on_stop(lambda: calls.append("hook"))
    request_stop()
    assert stop_requested() and calls == ["hook"]


# --- the checkpoint file -----------------------------------------------------------------------------

def test_resume_epoch_is_zero_without_a_file(tmp_path):
    assert resume_epoch(tmp_path / "checkpoint.weights.h5") == 0


def test_resume_epoch_is_zero_for_weights_without_the_attribute(tmp_path):
    path = tmp_path / "plain.weights.h5"
    with h5py.File(path, "w") as h5:
        h5["layers/w"] = np.zeros(2)
    assert resume_epoch(path) == 0


@pytest.mark.parametrize("path", ["outputs/checkpoint.h5", "outputs/model.keras", "weights.h5.tmp"])
def test_keras_checkpoint_wants_a_weights_file(keras, path):
    with pytest.raises(ValueError) as raised:
        keras_checkpoint(path)
    assert str(raised.value) == f"keras_checkpoint saves weights: the path must end in '.weights.h5', not {path!r}"


@pytest.fixture(scope="module")
def data():
    generator = np.random.default_rng(0)
    X = generator.normal(size=(32, 4)).astype("float32")
    return X, (X[:, 0] > 0).astype("int64")


def small_model(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_save_keras_weights_stores_the_epoch_and_loads_back(keras, tmp_path, data):
    model = small_model(keras)
    path = tmp_path / "deeper" / "run.weights.h5"
    save_keras_weights(model, path, 7)
    assert resume_epoch(path) == 7
    with h5py.File(path, "r") as h5:
        assert h5.attrs[EPOCH_ATTRIBUTE] == 7 and "layers" in h5
    other = small_model(keras)
    other.load_weights(str(path))
    np.testing.assert_array_equal(other.predict(data[0], verbose=0), model.predict(data[0], verbose=0))


def stop_at(keras, epoch: int, batch: int | None):
    """A callback (listed before the checkpoint) that asks for the stop at this epoch's batch end, or its end."""
    class Stopper(keras.callbacks.Callback):
        def on_epoch_begin(self, number, logs=None):
            self.current = number

        def on_train_batch_end(self, number, logs=None):
            if (self.current, number) == (epoch, batch):
                request_stop()

        def on_epoch_end(self, number, logs=None):
            if batch is None and number == epoch:
                request_stop()
    return Stopper()


def test_a_stop_during_training_saves_at_the_batch_end_and_raises(keras, tmp_path, data, capsys):
    path = tmp_path / "outputs" / "checkpoint.weights.h5"
    hooks = []
    on_stop(lambda: hooks.append(checkpoint._state["deferring_callbacks"]))
    model = small_model(keras)
    with pytest.raises(JobInterrupted):
        model.fit(*data, epochs=10, batch_size=8, verbose=0, callbacks=[stop_at(keras, 2, 1), keras_checkpoint(path)])
    assert hooks == [1] and checkpoint._state == {"stop_requested": True, "deferring_callbacks": 0, "in_cell": True}
    assert resume_epoch(path) == 2
    assert capsys.readouterr().out == (f"[run_jupyter_job] stop requested: checkpoint saved to {path} "
                                       "(resume at epoch 2)\n")
    resumed = small_model(keras)
    resumed.load_weights(str(path))
    np.testing.assert_array_equal(resumed.predict(data[0], verbose=0), model.predict(data[0], verbose=0))


def test_every_epoch_is_checkpointed_and_training_resumes(keras, tmp_path, data):
    path = tmp_path / "checkpoint.weights.h5"
    model = small_model(keras)
    model.fit(*data, epochs=3, batch_size=16, verbose=0, callbacks=[keras_checkpoint(path)])
    assert resume_epoch(path) == 3 and checkpoint._state["deferring_callbacks"] == 0
    start = resume_epoch(path)
    history = model.fit(*data, epochs=5, initial_epoch=start, batch_size=16, verbose=0,
                        callbacks=[keras_checkpoint(path)])
    assert len(history.history["loss"]) == 2 and resume_epoch(path) == 5


def test_without_every_epoch_only_the_stop_saves(keras, tmp_path, data):
    path = tmp_path / "checkpoint.weights.h5"
    small_model(keras).fit(*data, epochs=2, batch_size=16, verbose=0, callbacks=[keras_checkpoint(path, False)])
    assert not path.exists()
    with pytest.raises(JobInterrupted):
        small_model(keras).fit(*data, epochs=3, batch_size=16, verbose=0,
                               callbacks=[stop_at(keras, 1, 0), keras_checkpoint(path, every_epoch=False)])
    assert resume_epoch(path) == 1


def test_a_stop_after_the_last_batch_still_ends_the_cell(keras, tmp_path, data):
    """Requested at the last epoch's end (after its last batch): the end of training must honour it."""
    path = tmp_path / "checkpoint.weights.h5"
    with pytest.raises(JobInterrupted):
        small_model(keras).fit(*data, epochs=2, batch_size=16, verbose=0,
                               callbacks=[stop_at(keras, 1, None), keras_checkpoint(path, every_epoch=False)])
    assert resume_epoch(path) == 2 and checkpoint._state["deferring_callbacks"] == 0


def test_after_training_a_stop_raises_at_once(keras, tmp_path, data):
    small_model(keras).fit(*data, epochs=1, verbose=0, callbacks=[keras_checkpoint(tmp_path / "c.weights.h5")])
    with pytest.raises(JobInterrupted):
        request_stop()
