#!/usr/bin/env python3
"""Write the small, reproducible inputs that the tests and the demo use into test-data/.

Nothing is downloaded: every array comes from a seeded generator, every notebook is built
cell by cell with fixed cell ids, so running this twice gives the same content.

Usage: python scripts/make_test_data.py [OUTPUT_DIR]   (default: test-data/ of the repository)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parent.parent
N_FEATURES_KERAS = 16
N_FEATURES_SKLEARN = 13


def labelled_blobs(rng: np.random.Generator, n: int, n_features: int, n_classes: int, spread: float) -> tuple:
    """Gaussian blobs around fixed class centres: separable enough for a short training to learn."""
    centres = np.random.default_rng(7).normal(0.0, 1.0, size=(n_classes, n_features)) * 2.0
    labels = rng.integers(0, n_classes, size=n)
    features = centres[labels] + rng.normal(0.0, spread, size=(n, n_features))
    return features, labels


def write_h5(path: Path, arrays: dict, links: dict | None = None) -> None:
    """One dataset per array and no timestamps (not even on the root group), so the bytes depend only on the values."""
    creation = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    creation.set_obj_track_times(False)
    file_id = h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=creation)
    with h5py.File(file_id) as h5:
        for name, array in arrays.items():
            h5.create_dataset(name, data=array, track_times=False)
        for name, link in (links or {}).items():
            h5[name] = link


def notebook(cells: list[tuple[str, str, list[str]]]) -> dict:
    """A v4.5 notebook from (cell_type, source, tags) triples, with ids derived from the position."""
    built = []
    for index, (cell_type, source, tags) in enumerate(cells, start=1):
        cell = {"cell_type": cell_type, "id": f"cell-{index}", "metadata": {"tags": tags} if tags else {},
                "source": source}
        if cell_type == "code":
            cell.update(execution_count=None, outputs=[])
        built.append(cell)
    return {
        "cells": built,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


KERAS_NOTEBOOK = [
    ("markdown", "# Train a small classifier on H5 inputs\n"
                 "Reads `train.h5` and `test.h5` (datasets `X`, `y`) and trains a Keras MLP.", []),
    ("code", "epochs = 8\nlearning_rate = 0.01", ["parameters"]),
    ("code", "%matplotlib inline\nimport h5py\nimport numpy as np\nimport keras", []),
    ("code", "with h5py.File('train.h5', 'r') as h5:\n"
             "    X_train, y_train = h5['X'][:], h5['y'][:]\n"
             "with h5py.File('test.h5', 'r') as h5:\n"
             "    X_test, y_test = h5['X'][:], h5['y'][:]\n"
             "n_classes = int(y_train.max()) + 1\n"
             "print(X_train.shape, X_test.shape, n_classes)", []),
    ("code", "keras.utils.set_random_seed(0)\n"
             "model = keras.Sequential([\n"
             "    keras.Input(shape=(X_train.shape[1],)),\n"
             "    keras.layers.Dense(32, activation='relu'),\n"
             "    keras.layers.Dense(n_classes, activation='softmax'),\n"
             "])\n"
             "model.compile(optimizer=keras.optimizers.Adam(learning_rate),\n"
             "              loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
             "history = model.fit(X_train, y_train, epochs=epochs, batch_size=32, verbose=2)", []),
    ("code", "test_loss, test_accuracy = model.evaluate(X_test, y_test, verbose=0)\n"
             "predicted_class = model.predict(X_test, verbose=0).argmax(axis=1)\n"
             "print(f'test accuracy {test_accuracy:.3f}')", []),
]

FAILING_NOTEBOOK = [
    ("markdown", "A notebook whose third cell fails on its second line.", []),
    ("code", "numerator = 1", []),
    ("code", "denominator = 0\nratio = numerator / denominator", []),
    ("code", "print('never reached')", []),
]

PIP_INSTALL_NOTEBOOK = [
    ("code", "import os\n!pip install some-package\nprint(os.getcwd())", []),
]

WARNINGS_NOTEBOOK = [
    ("markdown", "Runs to the end, but leaves the report something to warn about.", []),
    ("code", "import os\nimport numpy as np\nfrom sklearn.neighbors import KernelDensity\n"
             "rows = np.random.default_rng(0).normal(size=(20, 3))\n"
             "density = KernelDensity().fit(rows)  # no ONNX converter exists for it", []),
    ("code", "mean_loss = float('nan')\nscores = np.array([1.0, np.nan])", []),
    ("code", "os.makedirs('outputs/a', exist_ok=True)\n"
             "with open('outputs/a__b.txt', 'w') as handle:\n    handle.write('written first')\n"
             "with open('outputs/a/b.txt', 'w') as handle:\n    handle.write('same flat name')", []),
]

RESUME_NOTEBOOK = [
    ("markdown", "# Training that survives a stop\n"
                 "Checkpoints every epoch and on SIGTERM to `outputs/checkpoint.weights.h5`; given that file "
                 "as an input named `checkpoint.weights`, a later job goes on where this one stopped.\n"
                 "With `hold_after_epoch = N`, training holds once N epochs are checkpointed and says so, until "
                 "the job is stopped: a stop (time limit, SIGTERM) then lands at a known point, however fast "
                 "the machine is.", []),
    ("code", "epochs = 1000\nmore_epochs = 0\nseconds_per_batch = 0.005\nhold_after_epoch = 0", ["parameters"]),
    ("code", "import time\nimport h5py\nimport keras\n"
             "from notebook_job.checkpoint import keras_checkpoint, resume_epoch, stop_requested\n"
             "with h5py.File('train.h5', 'r') as h5:\n    X_train, y_train = h5['X'][:], h5['y'][:]", []),
    ("code", "start = resume_epoch('checkpoint.weights.h5')\n"
             "last_epoch = start + more_epochs if more_epochs else epochs\n"
             "model = keras.Sequential([keras.Input(shape=(X_train.shape[1],)),\n"
             "                          keras.layers.Dense(16, activation='relu'),\n"
             "                          keras.layers.Dense(3, activation='softmax')])\n"
             "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
             "if start:\n    model.optimizer.build(model.trainable_variables)  # so the optimizer state loads too\n"
             "    model.load_weights('checkpoint.weights.h5')\n"
             "print(f'training epochs {start} to {last_epoch}')", []),
    ("code", "class Pace(keras.callbacks.Callback):\n"
             "    def on_epoch_begin(self, epoch, logs=None):\n"
             "        self.epoch = epoch\n\n"
             "    def on_train_batch_end(self, batch, logs=None):\n"
             "        time.sleep(seconds_per_batch)\n"
             "        if hold_after_epoch and self.epoch >= hold_after_epoch and not stop_requested():\n"
             "            print(f'holding training after epoch {hold_after_epoch} until the job is stopped', "
             "flush=True)\n"
             "            while not stop_requested():\n"
             "                time.sleep(0.1)\n\n"
             "history = model.fit(X_train, y_train, epochs=last_epoch, initial_epoch=start, batch_size=16, verbose=0,\n"
             "                    callbacks=[Pace(), keras_checkpoint('outputs/checkpoint.weights.h5')])\n"
             "epochs_run = len(history.history['loss'])", []),
]

HOLD_NOTEBOOK = [
    ("markdown", "# Work that holds until the job is stopped\n"
                 "Reads its input and writes a file under `outputs/`, then waits: a time limit or SIGTERM always "
                 "lands in the last cell, however fast the machine is.", []),
    ("code", "import time\nimport h5py\nwith h5py.File('train.h5', 'r') as h5:\n    rows = int(h5['X'].shape[0])", []),
    ("markdown", "The file written before the stop comes back in the outputs collection.", []),
    ("code", "import os\nos.makedirs('outputs', exist_ok=True)\n"
             "with open('outputs/partial.txt', 'w') as out:\n    out.write(f'read {rows} rows before the stop\\n')", []),
    ("code", "print('holding until the job is stopped', flush=True)\nwhile True:\n    time.sleep(0.5)", []),
]

SKLEARN_SCRIPT = '''\
"""Train a scaled logistic regression on 13 features read from features13.h5."""
import h5py
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def load(path):
    with h5py.File(path, "r") as h5:
        return h5["X"][:], h5["y"][:]


if __name__ == "__main__":
    X, y = load("features13.h5")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    classifier.fit(X_train, y_train)
    accuracy = float(classifier.score(X_test, y_test))
    print(f"accuracy {accuracy:.3f} on {len(y_test)} held-out rows")
'''


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20231)
    X_train, y_train = labelled_blobs(rng, 240, N_FEATURES_KERAS, 3, spread=2.2)
    X_test, y_test = labelled_blobs(rng, 60, N_FEATURES_KERAS, 3, spread=2.2)
    write_h5(out_dir / "train.h5", {"X": X_train.astype(np.float32), "y": y_train.astype(np.int64)})
    write_h5(out_dir / "test.h5", {"X": X_test.astype(np.float32), "y": y_test.astype(np.int64)})
    # the training rows again under another name: the tool test that maps it to 'train.h5' on the form
    write_h5(out_dir / "blobs16.h5", {"X": X_train.astype(np.float32), "y": y_train.astype(np.int64)})
    X13, y13 = labelled_blobs(rng, 180, N_FEATURES_SKLEARN, 3, spread=1.5)
    write_h5(out_dir / "features13.h5", {"X": X13, "y": y13.astype(np.int64)})
    (out_dir / "not_hdf5.h5").write_text("this is plain text with an .h5 label\n")
    write_h5(out_dir / "external_link.h5", {"X": X_test[:4].astype(np.float32)},
             links={"secret": h5py.ExternalLink("/etc/passwd", "/")})
    (out_dir / "malformed.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "x = 1"}\n')
    (out_dir / "only_markdown.ipynb").write_text(
        json.dumps(notebook([("markdown", "Nothing to run here.", [])]), indent=1) + "\n")
    for name, cells in (("keras_train.ipynb", KERAS_NOTEBOOK), ("fails_in_cell3.ipynb", FAILING_NOTEBOOK),
                        ("pip_install.ipynb", PIP_INSTALL_NOTEBOOK), ("warnings.ipynb", WARNINGS_NOTEBOOK),
                        ("resume_training.ipynb", RESUME_NOTEBOOK), ("holds_until_stopped.ipynb", HOLD_NOTEBOOK)):
        (out_dir / name).write_text(json.dumps(notebook(cells), indent=1) + "\n")
    (out_dir / "sklearn_train.py").write_text(SKLEARN_SCRIPT)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "test-data")
