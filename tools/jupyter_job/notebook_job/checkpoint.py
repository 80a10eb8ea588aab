"""Checkpoints for jobs that may be stopped: the hooks a notebook uses to survive SIGTERM.

When Galaxy's walltime or the job's time limit is reached, the runner sends SIGTERM and waits a
grace period (``--grace``) before killing. A notebook gets its chance to save in two ways:

- ``on_stop(callback)``: a plain hook, called once when the stop is requested;
- ``keras_checkpoint(path)``: a Keras callback that saves the weights (``.weights.h5``, an HDF5
  file a later job can take as input) after every epoch and when the stop is requested, then ends
  training; ``resume_epoch(path)`` tells the next job from which epoch to go on.

Save checkpoints under ``outputs/`` so that they come back in the job's outputs collection::

    from notebook_job.checkpoint import keras_checkpoint, resume_epoch
    start = resume_epoch("checkpoint.weights.h5")          # 0 when there is no checkpoint input
    if start:
        model.load_weights("checkpoint.weights.h5")
    model.fit(X, y, epochs=20, initial_epoch=start, callbacks=[keras_checkpoint("outputs/checkpoint.weights.h5")])
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

EPOCH_ATTRIBUTE = "epoch"


class JobInterrupted(BaseException):
    """Raised in the main thread when the job is asked to stop: the running cell ends, outputs are kept."""


_hooks: list[Callable[[], None]] = []
_state = {"stop_requested": False, "deferring_callbacks": 0, "in_cell": False}


def on_stop(callback: Callable[[], None]) -> Callable[[], None]:
    """Register ``callback`` to run once when the job is asked to stop (usable as a decorator)."""
    _hooks.append(callback)
    return callback


def stop_requested() -> bool:
    """True once SIGTERM (time limit, walltime, cancel) has reached the job."""
    return _state["stop_requested"]


def request_stop() -> None:
    """What the runner does on SIGTERM: run the hooks, then stop the cell now, or let an active
    Keras checkpoint callback stop training at the end of the current batch."""
    if _state["stop_requested"]:
        return
    _state["stop_requested"] = True
    for callback in list(_hooks):
        try:
            callback()
        except Exception as error:  # noqa: BLE001 - a failing hook must not prevent the others or the outputs
            print(f"[run_jupyter_job] on_stop hook {getattr(callback, '__name__', callback)!r} failed: {error}",
                  file=sys.stderr, flush=True)
    if _state["in_cell"] and not _state["deferring_callbacks"]:
        raise JobInterrupted()


@contextmanager
def running_cell() -> Iterator[None]:
    """Marks user code as running: only then does a stop raise, so a SIGTERM that lands between
    cells (or while outputs are written) cannot break the runner itself. A Keras fit cannot span
    cells, so a deferral left over by a fit that raised is cleared here."""
    _state["deferring_callbacks"] = 0
    _state["in_cell"] = True
    try:
        if _state["stop_requested"]:
            # the stop landed after the runner's last check but before the cell began: honour it now, not
            # after whatever the cell would have run until the grace period ends
            raise JobInterrupted()
        yield
    finally:
        _state["in_cell"] = False


def save_keras_weights(model, path: str | Path, epoch: int) -> None:
    """Weights as HDF5 with the next epoch to run stored as an attribute of the file."""
    import h5py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(str(path))
    with h5py.File(path, "a") as h5:
        h5.attrs[EPOCH_ATTRIBUTE] = int(epoch)


def resume_epoch(path: str | Path) -> int:
    """The epoch to resume from (Keras ``initial_epoch``): 0 when ``path`` does not exist."""
    path = Path(path)
    if not path.exists():
        return 0
    import h5py

    with h5py.File(path, "r") as h5:
        return int(h5.attrs.get(EPOCH_ATTRIBUTE, 0))


def keras_checkpoint(path: str | Path, every_epoch: bool = True):
    """A Keras callback that checkpoints to ``path`` (must end in '.weights.h5') and honours stops."""
    import keras

    if not str(path).endswith(".weights.h5"):
        raise ValueError(f"keras_checkpoint saves weights: the path must end in '.weights.h5', not {path!r}")

    class StopCheckpoint(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epoch: int | None = None  # the epoch to resume from; None until an epoch has begun

        def on_train_begin(self, logs=None) -> None:
            _state["deferring_callbacks"] += 1
            self.epoch = None

        def on_train_end(self, logs=None) -> None:
            _state["deferring_callbacks"] -= 1
            if _state["stop_requested"]:
                # the stop came after the last batch (final validation, a last epoch-end callback): no batch
                # end is left to honour it, and the cell would go on until the grace period kills the job
                self._save_and_stop()

        def on_epoch_begin(self, epoch, logs=None) -> None:
            self.epoch = epoch

        def on_epoch_end(self, epoch, logs=None) -> None:
            self.epoch = epoch + 1
            if every_epoch:
                save_keras_weights(self.model, path, epoch + 1)

        def on_train_batch_end(self, batch, logs=None) -> None:
            if _state["stop_requested"]:
                _state["deferring_callbacks"] -= 1
                self._save_and_stop()

        def _save_and_stop(self) -> None:
            if self.epoch is not None:
                save_keras_weights(self.model, path, self.epoch)
                print(f"[run_jupyter_job] stop requested: checkpoint saved to {path} (resume at epoch "
                      f"{self.epoch})", flush=True)
            raise JobInterrupted()

    return StopCheckpoint()
