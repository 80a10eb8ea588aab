"""onnx_predict.py on models of every shape it reads roles from, and on the bad inputs it refuses.

Models are built here with onnx.helper (a linear classifier, a sigmoid, a mask model, two inputs) or
skl2onnx (label + probabilities, a regressor), so each output role is exercised without training.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[2]
TEST_DATA = REPO / "test-data"
sys.path.insert(0, str(REPO / "tools" / "onnx_predict"))
import onnx_predict  # noqa: E402 - the tool's script, found through the line above


def save_graph(path: Path, nodes, inputs, outputs, initializers=()) -> Path:
    graph = helper.make_graph(nodes, "test", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytest")
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())
    return path


def float_input(name: str, shape: list) -> object:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def run(tmp_path: Path, model: Path, data: Path, *extra: str) -> tuple[int, dict, Path]:
    predictions, metrics = tmp_path / "predictions.h5", tmp_path / "metrics.json"
    code = onnx_predict.main(["--model", str(model), "--data", str(data), "--predictions", str(predictions),
                              "--metrics", str(metrics), *extra])
    return code, (json.loads(metrics.read_text()) if code == 0 else {}), predictions


def write_h5(path: Path, **arrays) -> Path:
    with h5py.File(path, "w") as h5:
        for name, array in arrays.items():
            h5[name] = array
    return path


def test_class_scores_give_argmax_classes_accuracy_and_confusion(tmp_path):
    code, metrics, predictions = run(tmp_path, TEST_DATA / "centroid_classifier.onnx", TEST_DATA / "test.h5",
                                     "--labels", "y")
    assert code == 0
    assert metrics["task"] == "classification" and metrics["output_roles"] == {"scores": "probabilities"}
    assert metrics["n_samples"] == 60 and metrics["accuracy"] == pytest.approx(59 / 60)
    assert np.sum(metrics["confusion_matrix"]) == 60
    with h5py.File(predictions) as h5, h5py.File(TEST_DATA / "test.h5") as truth:
        assert np.mean(h5["predicted_class"][:] == truth["y"][:]) == pytest.approx(59 / 60)
        assert h5["scores"].shape == (60, 3) and h5["outputs/probabilities"].shape == (60, 3)
        assert h5.attrs["accuracy"] == pytest.approx(59 / 60) and h5.attrs["model"] == "centroid_classifier.onnx"


def test_batches_give_the_same_rows_as_one_call(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, _, whole = run(tmp_path / "a", TEST_DATA / "centroid_classifier.onnx", TEST_DATA / "test.h5")
    _, metrics, batched = run(tmp_path / "b", TEST_DATA / "centroid_classifier.onnx", TEST_DATA / "test.h5",
                              "--batch-size", "7")
    assert "accuracy" not in metrics  # no labels given, nothing scored
    with h5py.File(whole) as a, h5py.File(batched) as b:
        np.testing.assert_array_equal(a["predicted_class"][:], b["predicted_class"][:])
        np.testing.assert_allclose(a["scores"][:], b["scores"][:], rtol=1e-6)


def test_sklearn_label_output_wins_over_argmax_and_regressor_gets_r2(tmp_path):
    from skl2onnx import to_onnx
    from sklearn.linear_model import LinearRegression, LogisticRegression

    with h5py.File(TEST_DATA / "train.h5") as h5:
        X, y = h5["X"][:], h5["y"][:]
    classifier = tmp_path / "classifier.onnx"
    classifier.write_bytes(to_onnx(LogisticRegression(max_iter=300).fit(X, y), X[:1],
                                   options={"zipmap": False}).SerializeToString())
    code, metrics, _ = run(tmp_path, classifier, TEST_DATA / "test.h5", "--labels", "y", "--model-name", "logreg")
    assert code == 0 and metrics["model"] == "logreg" and metrics["model_producer"].startswith("skl2onnx")
    assert metrics["output_roles"] == {"label": "label", "scores": "probabilities"}
    assert metrics["accuracy"] > 0.8

    target = X @ np.arange(16, dtype=np.float32)
    data = write_h5(tmp_path / "regression.h5", X=X, target=target)
    regressor = tmp_path / "regressor.onnx"
    regressor.write_bytes(to_onnx(LinearRegression().fit(X, target), X[:1]).SerializeToString())
    code, metrics, predictions = run(tmp_path, regressor, data, "--labels", "target")
    assert code == 0 and metrics["task"] == "regression"
    assert metrics["r2"] == pytest.approx(1.0, abs=1e-4) and metrics["mae"] < 1e-2
    with h5py.File(predictions) as h5:
        assert h5["prediction"].shape == (240,)


def test_single_sigmoid_against_binary_labels_is_a_binary_classifier(tmp_path):
    model = save_graph(tmp_path / "sigmoid.onnx", [helper.make_node("Sigmoid", ["x"], ["p"])],
                       [float_input("x", ["N", 1])], [float_input("p", ["N", 1])])
    data = write_h5(tmp_path / "binary.h5", x=np.array([[-3.0], [2.0], [0.5], [-0.2]], dtype=np.float32),
                    y=np.array([0, 1, 0, 0]))
    code, metrics, predictions = run(tmp_path, model, data, "--features", "x", "--labels", "y")
    assert code == 0 and metrics["task"] == "classification" and metrics["accuracy"] == 0.75
    with h5py.File(predictions) as h5:
        assert h5["predicted_class"][:].tolist() == [0, 1, 1, 0]


def test_mask_output_scored_as_binary_mask(tmp_path):
    model = save_graph(tmp_path / "mask.onnx", [helper.make_node("Sigmoid", ["images"], ["mask"])],
                       [float_input("images", ["N", 2, 2])], [float_input("mask", ["N", 2, 2])])
    images = np.array([[[5, -5], [5, -5]], [[-5, -5], [5, 5]]], dtype=np.float32)
    masks = np.array([[[1, 0], [1, 1]], [[0, 0], [1, 1]]], dtype=np.uint8)
    data = write_h5(tmp_path / "masks.h5", **{"test/images": images, "test/masks": masks})
    code, metrics, predictions = run(tmp_path, model, data, "--features", "test/images", "--labels", "test/masks")
    assert code == 0 and metrics["task"] == "other"
    assert metrics["precision"] == 1.0 and metrics["recall"] == pytest.approx(4 / 5)
    assert metrics["dice"] == pytest.approx(8 / 9) and metrics["accuracy"] == pytest.approx(7 / 8)
    with h5py.File(predictions) as h5:
        assert h5["outputs/mask"].shape == (2, 2, 2)


@pytest.mark.parametrize("data, extra, message", [
    ("features13.h5", [], "the model expects 16 features per sample (input ['N', 16]), the features are (180, 13)"),
    ("test.h5", ["--features", "Z"], "no dataset 'Z' (features) in the HDF5 input; it has: X, y"),
    ("external_link.h5", ["--features", "secret"],
     "the features dataset 'secret' is an external link to /etc/passwd: refused"),
    ("external_link.h5", ["--features", "Z"], "no dataset 'Z' (features) in the HDF5 input; it has: X"),
    ("test.h5", ["--labels", "X"], "the labels 'X' have shape (60, 16); a classification model needs one label per sample"),
])
def test_bad_inputs_end_with_one_line_and_exit_2(tmp_path, capsys, data, extra, message):
    code, _, _ = run(tmp_path, TEST_DATA / "centroid_classifier.onnx", TEST_DATA / data, *extra)
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"error: {message}"]


def test_not_onnx_labels_of_wrong_length_and_two_inputs_are_refused(tmp_path, capsys):
    assert run(tmp_path, TEST_DATA / "test.h5", TEST_DATA / "test.h5")[0] == 2
    assert "not an ONNX model onnxruntime can load" in capsys.readouterr().err

    data = write_h5(tmp_path / "short.h5", X=np.zeros((5, 16), np.float32), y=np.zeros(4, np.int64))
    assert run(tmp_path, TEST_DATA / "centroid_classifier.onnx", data, "--labels", "y")[0] == 2
    assert "the labels 'y' have shape (4,), the features (5, 16): one label (or mask) per sample is needed" in \
        capsys.readouterr().err

    two = save_graph(tmp_path / "two.onnx", [helper.make_node("Add", ["a", "b"], ["c"])],
                     [float_input("a", ["N", 16]), float_input("b", ["N", 16])], [float_input("c", ["N", 16])])
    assert run(tmp_path, two, TEST_DATA / "test.h5")[0] == 2
    assert "the model has 2 inputs (a ['N', 16], b ['N', 16]); only single-input models are supported" in \
        capsys.readouterr().err


def test_integer_input_model_gets_cast_features(tmp_path):
    weights = numpy_helper.from_array(np.ones((16, 1), dtype=np.int64), name="w")
    model = tmp_path / "int.onnx"
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["s"])], "int",
                              [helper.make_tensor_value_info("x", TensorProto.INT64, ["N", 16])],
                              [helper.make_tensor_value_info("s", TensorProto.INT64, ["N", 1])], initializer=[weights])
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx_model.ir_version = 8
    model.write_bytes(onnx_model.SerializeToString())
    data = write_h5(tmp_path / "ints.h5", X=np.full((3, 16), 2.0, dtype=np.float32))
    code, metrics, predictions = run(tmp_path, model, data)
    assert code == 0 and metrics["outputs"]["s"] == {"dtype": "int64", "shape": [3, 1]}
    with h5py.File(predictions) as h5:
        assert h5["outputs/s"][:].ravel().tolist() == [32, 32, 32]
