"""Every exported model is checked against its ONNX file; a model that cannot be exported is a warning.

The ONNX files are also loaded here with onnxruntime and compared with the original models, so the
report's parity numbers are not taken on trust.
"""
from __future__ import annotations

import h5py
import numpy as np
import onnx
import onnxruntime
import pytest
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from notebook_job.child import _export_all
from notebook_job.onnx_export import Comparison

SKLEARN_EXPORTED = ("logistic", "forest", "pipeline", "regressor", "kmeans", "search")


def onnx_outputs(path, rows) -> list:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: np.asarray(rows, dtype=np.float32)})


def input_dims(path) -> list:
    dims = onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim
    return [dim.dim_value if dim.HasField("dim_value") else None for dim in dims]


def export_all(namespace: dict, onnx_dir) -> tuple[dict, dict, object]:
    """(namespace, report entries by model name, onnx_dir) after the child's export pass over ``namespace``."""
    return namespace, {entry["name"]: entry for entry in _export_all(namespace, onnx_dir)}, onnx_dir


def assert_exported(entry: dict, name: str, framework: str, sample: str = "X_test") -> None:
    """Exported under its variable's name from a real sample, with no warning and within tolerance."""
    assert (entry["onnx"], entry["framework"], entry["sample"], entry["warnings"]) == (
        f"{name}.onnx", framework, sample, []), name
    assert entry["parity"]["ok"] and entry["parity"]["rows"] == 32, name


@pytest.fixture(scope="module")
def sklearn_export(tmp_path_factory, test_data):
    """13-feature models of every kind, plus an unfitted one and one no variable fits, exported in one pass."""
    with h5py.File(test_data / "features13.h5", "r") as h5:
        X, y = h5["X"][:], h5["y"][:]
    X_train, X_test, y_train = X[:135], X[135:], y[:135]
    target = X_train @ np.linspace(-1, 1, 13) + 0.5
    five_wide = RandomForestClassifier(n_estimators=3, random_state=0).fit(X_train[:, :5], y_train)
    namespace = {
        "X_train": X_train, "X_test": X_test, "y_train": y_train,
        "logistic": LogisticRegression(max_iter=500).fit(X_train, y_train),
        "unfitted": LogisticRegression(),
        "forest": RandomForestClassifier(n_estimators=10, random_state=0).fit(X_train, y_train),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X_train, y_train),
        "five_wide": five_wide,
        "regressor": LinearRegression().fit(X_train, target),
        "kmeans": KMeans(n_clusters=3, n_init=2, random_state=0).fit(X_train),
        "search": GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}, cv=2).fit(X_train, y_train),
    }
    return export_all(namespace, tmp_path_factory.mktemp("onnx_sklearn"))


def test_sklearn_models_export_with_the_real_feature_count(sklearn_export):
    namespace, entries, onnx_dir = sklearn_export
    assert sorted(path.name for path in onnx_dir.iterdir()) == sorted(f"{name}.onnx" for name in SKLEARN_EXPORTED)
    for name in SKLEARN_EXPORTED:
        entry = entries[name]
        assert_exported(entry, name, "sklearn")
        assert entry["route"] == "skl2onnx.to_onnx"
        assert input_dims(onnx_dir / entry["onnx"]) == [None, 13], name
        assert entry["parity"]["max_abs_diff"] < 1e-4, name
        assert entry["parity"]["label_agreement"] == (None if name == "regressor" else 1.0), name


def test_sklearn_onnx_files_match_the_models(sklearn_export):
    namespace, entries, onnx_dir = sklearn_export
    rows = namespace["X_test"].astype(np.float32).astype(np.float64)  # the values ONNX gets, as the models were fitted
    for name in ("logistic", "forest", "pipeline", "search"):
        model = namespace[name]
        labels, probabilities = onnx_outputs(onnx_dir / f"{name}.onnx", rows)
        assert np.array_equal(labels, model.predict(rows)), name
        assert np.abs(probabilities - model.predict_proba(rows)).max() < 1e-4, name
    (predicted,) = onnx_outputs(onnx_dir / "regressor.onnx", rows)
    assert np.abs(predicted.ravel() - namespace["regressor"].predict(rows)).max() < 1e-4
    clusters, distances = onnx_outputs(onnx_dir / "kmeans.onnx", rows)
    assert np.array_equal(clusters, namespace["kmeans"].predict(rows))
    assert distances.shape == (len(rows), 3)


def test_sklearn_models_that_cannot_be_exported_are_warnings(sklearn_export):
    _, entries, onnx_dir = sklearn_export
    assert entries["unfitted"]["warnings"] == ["not exported: the scikit-learn model was never fitted"]
    assert entries["five_wide"]["warnings"] == [
        "not exported: no variable holds rows of 5 numeric features to export and check the model with"]
    for name in ("unfitted", "five_wide"):
        assert entries[name]["onnx"] is None
        assert "parity" not in entries[name]
        assert not (onnx_dir / f"{name}.onnx").exists()
    assert list(entries) == ["logistic", "unfitted", "forest", "pipeline", "five_wide", "regressor", "kmeans",
                             "search"]


@pytest.fixture(scope="module")
def keras_export(keras, tmp_path_factory, test_data):
    """A trained Sequential and a functional model on 16 features, one with no fitting sample, an unbuilt one."""
    with h5py.File(test_data / "train.h5", "r") as h5:
        X_train, y_train = h5["X"][:], h5["y"][:]
    with h5py.File(test_data / "test.h5", "r") as h5:
        X_test = h5["X"][:]
    sequential = keras.Sequential([keras.Input(shape=(16,)), keras.layers.Dense(8, activation="relu"),
                                   keras.layers.Dense(3, activation="softmax")])
    sequential.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    sequential.fit(X_train, y_train, epochs=2, batch_size=64, verbose=0)
    inputs = keras.Input(shape=(16,))
    hidden = keras.layers.Dense(4, activation="tanh")(inputs)
    functional = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Concatenate()([hidden, inputs])))
    seven = keras.Sequential([keras.Input(shape=(7,)), keras.layers.Dense(2, activation="softmax")])
    namespace = {"X_train": X_train, "X_test": X_test, "sequential": sequential, "functional": functional,
                 "seven": seven, "unbuilt": keras.Sequential([keras.layers.Dense(2)])}
    return export_all(namespace, tmp_path_factory.mktemp("onnx_keras"))


def test_keras_models_export_and_match(keras_export):
    namespace, entries, onnx_dir = keras_export
    rows = namespace["X_test"][:32]
    for name, outputs in (("sequential", 3), ("functional", 1)):
        entry = entries[name]
        assert_exported(entry, name, "keras")
        assert entry["route"] in ("keras Model.export(format='onnx')", "tf2onnx.convert.from_function")
        assert entry["parity"]["max_abs_diff"] < 1e-5, name
        path = onnx_dir / entry["onnx"]
        assert input_dims(path)[1:] == [16], name
        (predicted,) = onnx_outputs(path, rows)
        expected = np.asarray(namespace[name].predict(rows, verbose=0))
        assert predicted.shape == expected.shape == (32, outputs), name
        assert np.abs(predicted - expected).max() < 1e-5, name
    assert entries["sequential"]["parity"]["label_agreement"] == 1.0
    assert entries["functional"]["parity"]["label_agreement"] is None


def test_keras_models_without_sample_or_inputs(keras_export):
    _, entries, onnx_dir = keras_export
    seven = entries["seven"]
    assert seven["warnings"] == ["no variable has the input shape (None, 7); parity checked on random numbers"]
    assert (seven["sample"], seven["onnx"], seven["parity"]["rows"]) == ("random", "seven.onnx", 4)
    assert seven["parity"]["max_abs_diff"] < 1e-5
    assert input_dims(onnx_dir / "seven.onnx")[1:] == [7]
    assert entries["unbuilt"]["warnings"] == [
        "not exported: the Keras model was never built or called, so its inputs are unknown"]
    assert entries["unbuilt"]["onnx"] is None
    assert sorted(path.name for path in onnx_dir.iterdir()) == ["functional.onnx", "sequential.onnx", "seven.onnx"]


def test_comparison_tolerances():
    comparison = Comparison()
    comparison.add_values([[1.0, 2.0]], np.array([[1.0, 2.00005]]))
    comparison.add_labels(["a", "b"], np.array(["a", "b"]))
    assert comparison.as_dict(2) == {"rows": 2, "max_abs_diff": pytest.approx(5e-5), "label_agreement": 1.0,
                                     "ok": True}
    comparison.add_values([100.0], [100.2])
    assert not comparison.within_tolerance
    labels = Comparison()
    labels.add_labels([0, 1, 1, 1], [0, 1, 1, 0])
    assert labels.as_dict(4)["label_agreement"] == 0.75 and not labels.within_tolerance
