#!/usr/bin/env python3
"""Write the test inputs of the prediction tool (tools/onnx_predict) and of the training workflow
(workflows/) into test-data/:

- centroid_classifier.onnx: a nearest-centroid classifier of the 16-feature, 3-class blobs in
  train.h5/test.h5, built node by node with onnx.helper from the class centres that
  scripts/make_test_data.py draws (logits x.c_k - |c_k|^2/2, then Softmax). No training and no
  converter is involved, so the bytes depend only on the onnx package's serialisation.
- train_two_models.ipynb: the workflow's training notebook: a Keras MLP and a scikit-learn logistic
  regression on train.h5, both scored on test.h5, so the ONNX collection has two elements to map over.

Usage: python scripts/make_workflow_test_data.py [OUTPUT_DIR]   (default: test-data/ of the repository)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_test_data import N_FEATURES_KERAS, REPO, notebook  # noqa: E402 - the sibling script, found through the line above

N_CLASSES = 3
OPSET = 17
IR_VERSION = 8

TWO_MODELS_NOTEBOOK = [
    ("markdown", "# Two classifiers on the same H5 inputs\n"
                 "A Keras MLP and a scikit-learn logistic regression, trained on `train.h5` and scored on "
                 "`test.h5` (datasets `X`, `y`). run_jupyter_job exports both to ONNX.", []),
    ("code", "epochs = 5", ["parameters"]),
    ("code", "import h5py\nimport keras\nimport numpy as np\nfrom sklearn.linear_model import LogisticRegression", []),
    ("code", "with h5py.File('train.h5', 'r') as h5:\n"
             "    X_train, y_train = h5['X'][:], h5['y'][:]\n"
             "with h5py.File('test.h5', 'r') as h5:\n"
             "    X_test, y_test = h5['X'][:], h5['y'][:]\n"
             "n_classes = int(y_train.max()) + 1", []),
    ("code", "keras.utils.set_random_seed(0)\n"
             "mlp = keras.Sequential([\n"
             "    keras.Input(shape=(X_train.shape[1],)),\n"
             "    keras.layers.Dense(32, activation='relu'),\n"
             "    keras.layers.Dense(n_classes, activation='softmax'),\n"
             "])\n"
             "mlp.compile(optimizer=keras.optimizers.Adam(0.01), loss='sparse_categorical_crossentropy',\n"
             "            metrics=['accuracy'])\n"
             "history = mlp.fit(X_train, y_train, epochs=epochs, batch_size=32, verbose=2)", []),
    ("code", "classifier = LogisticRegression(max_iter=500).fit(X_train, y_train)", []),
    ("code", "mlp_accuracy = float(np.mean(np.argmax(mlp.predict(X_test, verbose=0), axis=1) == y_test))\n"
             "classifier_accuracy = float(classifier.score(X_test, y_test))\n"
             "print(f'test accuracy: mlp {mlp_accuracy:.3f}, classifier {classifier_accuracy:.3f}')", []),
]


def class_centres() -> np.ndarray:
    """The centres scripts/make_test_data.py's labelled_blobs() draws the 16-feature blobs around."""
    return np.random.default_rng(7).normal(0.0, 1.0, size=(N_CLASSES, N_FEATURES_KERAS)) * 2.0


def centroid_classifier_bytes() -> bytes:
    """A nearest-centroid classifier as ONNX: input X [N, 16] float, output probabilities [N, 3]."""
    from onnx import TensorProto, helper, numpy_helper

    centres = class_centres()
    weights = numpy_helper.from_array(centres.T.astype(np.float32), name="centres_t")
    bias = numpy_helper.from_array((-0.5 * np.sum(centres ** 2, axis=1)).astype(np.float32), name="bias")
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "centres_t"], ["projection"]),
            helper.make_node("Add", ["projection", "bias"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        ],
        "centroid_classifier",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", N_FEATURES_KERAS])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", N_CLASSES])],
        initializer=[weights, bias],
    )
    model = helper.make_model(graph, producer_name="galaxy-ml-jupyter test data", producer_version="1",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    return model.SerializeToString(deterministic=True)


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "centroid_classifier.onnx").write_bytes(centroid_classifier_bytes())
    (out_dir / "train_two_models.ipynb").write_text(json.dumps(notebook(TWO_MODELS_NOTEBOOK), indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "test-data")
