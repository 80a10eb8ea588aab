"""Notebooks the notebook-job tests submit, written by the tests themselves.

The gated notebook waits in its third code cell until a file appears (its ``release_file`` parameter),
so a test can see progress lines while the job runs, then let it finish: no race with the job's speed.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from make_test_data import notebook  # noqa: E402

RELEASE_WAIT_SECONDS = 1800
GATED_CELLS = [
    ("markdown", "Reads `train.h5`, waits until the test releases it, trains a classifier.", []),
    ("code", "release_file = ''\nmax_iter = 200", ["parameters"]),
    ("code", "import os\nimport time\nimport h5py\n"
             "with h5py.File('train.h5', 'r') as h5:\n    X, y = h5['X'][:], h5['y'][:]\nprint('rows', len(X))", []),
    ("code", f"deadline = time.monotonic() + {RELEASE_WAIT_SECONDS}\n"
             "while release_file and not os.path.exists(release_file) and time.monotonic() < deadline:\n"
             "    time.sleep(0.5)\nprint('released')", []),
    ("code", "from sklearn.linear_model import LogisticRegression\n"
             "classifier = LogisticRegression(max_iter=max_iter).fit(X, y)\n"
             "train_accuracy = float(classifier.score(X, y))\nprint('accuracy', train_accuracy)", []),
]
# progress lines of the gated notebook run with its release_file parameter: cell numbers count every
# cell, (n/5) the code cells plus the one the runner adds for the injected parameters
WAITING_LINE = "cell 4 (4/5) started"
STARTED_LINES = ["cell 2 (1/5) started", "injected parameters (2/5) started", "cell 3 (3/5) started", WAITING_LINE,
                 "cell 5 (5/5) started"]


def write_gated_notebook(folder: Path, name: str = "gated.ipynb") -> Path:
    """The gated notebook and the train.h5 it opens, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "test-data" / "train.h5", folder / "train.h5")
    path = folder / name
    path.write_text(json.dumps(notebook(GATED_CELLS), indent=1) + "\n")
    return path


def copy_test_notebook(folder: Path, name: str, *h5_files: str) -> Path:
    """A notebook of test-data/ and the HDF5 files it opens, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for h5 in h5_files:
        shutil.copyfile(REPO / "test-data" / h5, folder / h5)
    return Path(shutil.copyfile(REPO / "test-data" / name, folder / name))
