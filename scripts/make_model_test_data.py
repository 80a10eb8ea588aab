#!/usr/bin/env python3
"""Write the model-export test inputs into test-data/: a PyTorch script, a subclassed-Keras notebook
and a scikit-learn "zoo" script, each run by the runner's tests and the tool's Galaxy tests.

They read the H5 files scripts/make_test_data.py writes (features13.h5; train.h5 and test.h5), fix
every seed, and are written as text with fixed cell ids, so running this twice gives the same bytes.

Usage: python scripts/make_model_test_data.py [OUTPUT_DIR]   (default: test-data/ of the repository)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_test_data import REPO, notebook  # noqa: E402 - the sibling script, found through the line above

TORCH_SCRIPT = '''\
"""Train a small PyTorch MLP on the 13 features of features13.h5 (3 classes) and print its accuracy."""
import h5py
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
with h5py.File("features13.h5", "r") as h5:
    X, y = h5["X"][:], h5["y"][:]
order = np.random.default_rng(0).permutation(len(y))
train, test = order[:135], order[135:]
X_train, y_train = torch.tensor(X[train], dtype=torch.float32), torch.tensor(y[train])
X_test, y_test = torch.tensor(X[test], dtype=torch.float32), torch.tensor(y[test])

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(5):
    model.train()
    for start in range(0, len(y_train), 16):
        optimizer.zero_grad()
        loss = criterion(model(X_train[start:start + 16]), y_train[start:start + 16])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: loss {loss.item():.3f}")

model.eval()
with torch.no_grad():
    accuracy = (model(X_test).argmax(dim=1) == y_test).float().mean().item()
print(f"accuracy {accuracy:.3f} on {len(y_test)} held-out rows")
'''

KERAS_SUBCLASSED_NOTEBOOK = [
    ("markdown", "# A subclassed Keras model\n"
                 "Reads `train.h5` and `test.h5` (datasets `X`, `y`) and trains a `keras.Model` subclass, which has no "
                 "declared inputs: the job finds its input among the notebook's arrays.", []),
    ("code", "epochs = 3", ["parameters"]),
    ("code", "import h5py\nimport keras\nimport numpy as np", []),
    ("code", "with h5py.File('train.h5', 'r') as h5:\n"
             "    X_train, y_train = h5['X'][:], h5['y'][:]\n"
             "with h5py.File('test.h5', 'r') as h5:\n"
             "    X_test, y_test = h5['X'][:], h5['y'][:]\n"
             "n_classes = int(y_train.max()) + 1", []),
    ("code", "class Classifier(keras.Model):\n"
             "    def __init__(self, n_classes):\n"
             "        super().__init__()\n"
             "        self.hidden = keras.layers.Dense(32, activation='relu')\n"
             "        self.dropout = keras.layers.Dropout(0.2)\n"
             "        self.scores = keras.layers.Dense(n_classes, activation='softmax')\n"
             "\n"
             "    def call(self, x, training=False):\n"
             "        return self.scores(self.dropout(self.hidden(x), training=training))", []),
    ("code", "keras.utils.set_random_seed(0)\n"
             "classifier = Classifier(n_classes)\n"
             "classifier.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
             "history = classifier.fit(X_train, y_train, epochs=epochs, batch_size=32, verbose=2)", []),
    ("code", "test_loss, test_accuracy = classifier.evaluate(X_test, y_test, verbose=0)\n"
             "print(f'test accuracy {test_accuracy:.3f}')", []),
]

SKLEARN_ZOO_SCRIPT = '''\
"""Fit several kinds of scikit-learn model on features13.h5: a grid search over an SVC, Gaussian naive
Bayes, k-means, and a kernel density (which has no ONNX converter: the job reports it, exports the rest)."""
import h5py
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KernelDensity
from sklearn.svm import SVC

with h5py.File("features13.h5", "r") as h5:
    X, y = h5["X"][:], h5["y"][:]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

search = GridSearchCV(SVC(probability=True, random_state=0), {"C": [0.5, 2.0]}, cv=3)
search.fit(X_train, y_train)
naive_bayes = GaussianNB().fit(X_train, y_train)
clusters = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X_train)
density = KernelDensity(bandwidth=1.0).fit(X_train)

print(f"best C {search.best_params_['C']}: SVC accuracy {search.score(X_test, y_test):.3f}")
print(f"naive Bayes accuracy {naive_bayes.score(X_test, y_test):.3f}")
print(f"mean log density of the held-out rows {density.score_samples(X_test).mean():.2f}")
'''

FILES = {
    "torch_train.py": TORCH_SCRIPT,
    "keras_subclassed.ipynb": json.dumps(notebook(KERAS_SUBCLASSED_NOTEBOOK), indent=1) + "\n",
    "sklearn_zoo.py": SKLEARN_ZOO_SCRIPT,
}


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (out_dir / name).write_text(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "test-data")
