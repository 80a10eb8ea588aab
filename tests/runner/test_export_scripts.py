"""End to end: the model-export inputs of test-data/ (PyTorch, subclassed Keras, a scikit-learn zoo) run
through ``python -m notebook_job`` as the Galaxy tool runs them, with what the report must say about each
model. The same facts are what the tool's Galaxy tests assert.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import onnxruntime
import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL = "run_jupyter_job"


def models_by_name(job) -> dict:
    assert job.returncode == 0, job.stderr
    return {entry["name"]: entry for entry in job.report()["models"]}


def onnx_session(job, name: str) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(job.dir / "onnx_models" / f"{name}.onnx"),
                                        providers=["CPUExecutionProvider"])


def features13(test_data) -> tuple:
    with h5py.File(test_data / "features13.h5", "r") as h5:
        return h5["X"][:], h5["y"][:]


def test_the_generator_writes_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_model_test_data.py"), str(tmp_path)], check=True,
                   timeout=900)
    generated = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert sorted(generated) == ["keras_subclassed.ipynb", "sklearn_zoo.py", "torch_train.py"]
    assert [name for name, data in generated.items() if (REPO / "test-data" / name).read_bytes() != data] == []


# --- torch_train.py ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def torch_job(cli_in, tmp_path_factory, test_data):
    pytest.importorskip("torch")
    return cli_in(tmp_path_factory.mktemp("torch_job"), "--code", test_data / "torch_train.py",
                  "--input", f"features13.h5={test_data / 'features13.h5'}")


def test_torch_script_exports_its_mlp(torch_job):
    (model,) = models_by_name(torch_job).values()
    assert (model["name"], model["framework"], model["class"], model["onnx"], model["sample"], model["route"],
            model["warnings"]) == ("model", "torch", "torch.nn.modules.container.Sequential", "model.onnx",
                                   "X_test", "torch.onnx.export(dynamo=False)", [])
    assert model["parity"]["ok"] and model["parity"]["rows"] == 32
    assert model["parity"]["max_abs_diff"] < 1e-5 and model["parity"]["label_agreement"] == 1.0
    report = torch_job.report()
    assert (report["status"], report["warnings"], report["versions"]["torch"].split("+")[0]) == ("ok", [], "2.13.0")
    assert "accuracy 1.000 on 45 held-out rows" in torch_job.stdout
    assert torch_job.stdout.strip().splitlines()[-1].startswith(f"{TOOL}: finished; ONNX models: model (max abs")


def test_torch_onnx_file_classifies_the_data_as_the_script_did(torch_job, test_data):
    X, y = features13(test_data)
    session = onnx_session(torch_job, "model")
    assert [spec.shape for spec in session.get_inputs()] == [["batch", 13]]
    (scores,) = session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})
    assert scores.shape == (180, 3) and np.mean(scores.argmax(axis=1) == y) >= 0.95


# --- keras_subclassed.ipynb ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keras_subclassed_job(cli_in, tmp_path_factory, test_data):
    return cli_in(tmp_path_factory.mktemp("keras_subclassed_job"), "--code", test_data / "keras_subclassed.ipynb",
                  "--input", f"train.h5={test_data / 'train.h5'}", "--input", f"test.h5={test_data / 'test.h5'}")


@pytest.mark.slow
def test_subclassed_keras_notebook_exports_its_model(keras_subclassed_job, test_data):
    (model,) = models_by_name(keras_subclassed_job).values()
    assert (model["name"], model["framework"], model["class"], model["onnx"], model["sample"], model["route"],
            model["warnings"]) == ("classifier", "keras", "__main__.Classifier", "classifier.onnx", "X_test",
                                   "keras Model.export(format='onnx')", [])
    assert model["parity"]["ok"] and model["parity"]["rows"] == 32
    assert model["parity"]["max_abs_diff"] < 1e-5 and model["parity"]["label_agreement"] == 1.0
    assert keras_subclassed_job.report()["warnings"] == []
    with h5py.File(test_data / "test.h5", "r") as h5:
        X_test = h5["X"][:]
    session = onnx_session(keras_subclassed_job, "classifier")
    (probabilities,) = session.run(None, {session.get_inputs()[0].name: X_test})
    assert probabilities.shape == (60, 3) and np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    with h5py.File(keras_subclassed_job.dir / "results.h5", "r") as h5:
        assert h5.attrs["epochs"] == 3 and h5["history/loss"].shape == (3,)


# --- sklearn_zoo.py ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sklearn_zoo_job(cli_in, tmp_path_factory, test_data):
    return cli_in(tmp_path_factory.mktemp("sklearn_zoo_job"), "--code", test_data / "sklearn_zoo.py",
                  "--input", f"features13.h5={test_data / 'features13.h5'}")


def test_sklearn_zoo_exports_all_but_the_kernel_density(sklearn_zoo_job):
    models = models_by_name(sklearn_zoo_job)
    assert [(name, entry["class"], entry["onnx"]) for name, entry in models.items()] == [
        ("search", "sklearn.model_selection._search.GridSearchCV", "search.onnx"),
        ("naive_bayes", "sklearn.naive_bayes.GaussianNB", "naive_bayes.onnx"),
        ("clusters", "sklearn.cluster._kmeans.KMeans", "clusters.onnx"),
        ("density", "sklearn.neighbors._kde.KernelDensity", None)]
    for name, compared in (("search", "predict_proba"), ("naive_bayes", "predict_proba"), ("clusters", "transform")):
        parity = models[name]["parity"]
        assert (parity["ok"], parity["rows"], parity["label_agreement"], parity["compared"]) == (
            True, 32, 1.0, ["predict", compared]), name
        assert parity["max_abs_diff"] < 1e-5, name
        assert (models[name]["sample"], models[name]["warnings"]) == ("X_train (the rows it was fitted on)", []), name
    assert (models["search"]["exported"], models["search"]["exported_class"]) == (
        "best_estimator_ of GridSearchCV", "sklearn.svm._classes.SVC")
    report = sklearn_zoo_job.report()
    assert report["status"] == "ok"
    assert report["warnings"] == ["model density: not exported: skl2onnx has no converter for "
                                  "sklearn.neighbors.KernelDensity"]
    assert sorted(path.name for path in (sklearn_zoo_job.dir / "onnx_models").iterdir()) == [
        "clusters.onnx", "naive_bayes.onnx", "search.onnx"]


def test_sklearn_zoo_onnx_files_predict_the_script_labels(sklearn_zoo_job, test_data):
    X, y = features13(test_data)
    rows = X.astype(np.float32)
    for name in ("search", "naive_bayes"):
        session = onnx_session(sklearn_zoo_job, name)
        labels, probabilities = session.run(None, {session.get_inputs()[0].name: rows})
        assert np.mean(labels == y) >= 0.95 and probabilities.shape == (180, 3), name
    session = onnx_session(sklearn_zoo_job, "clusters")
    clusters, distances = session.run(None, {session.get_inputs()[0].name: rows})
    assert sorted(np.unique(clusters)) == [0, 1, 2] and distances.shape == (180, 3)


NORMALIZED_MODELS = '''\
import numpy as np
import keras

rng = np.random.default_rng(0)
X_train = rng.normal(5, 3, size=(200, 6)).astype("float32")
y_train = (X_train[:, 0] > 5).astype("int64")
scaling = keras.layers.Normalization()
scaling.adapt(X_train)
inputs = keras.Input((6,))
hidden = keras.layers.Dense(8, activation="relu")(scaling(inputs))
functional = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(hidden))
functional.compile("adam", "sparse_categorical_crossentropy")
functional.fit(X_train, y_train, epochs=2, verbose=0)
sequential = keras.Sequential([keras.Input((6,)), scaling, keras.layers.Dense(2, activation="softmax")])
sequential(X_train[:2])
'''


def test_adapted_normalization_layers_export_through_the_keras_converter(run_cli, tmp_path):
    """Model.export and from_function turn Normalization's mean and variance into graph inputs; the
    route loop notices the extra inputs and takes tf2onnx's Keras converter, which keeps them constant."""
    script = tmp_path / "normalized.py"
    script.write_text(NORMALIZED_MODELS)
    job = run_cli("--code", script)
    assert job.returncode == 0, job.stderr
    models = {model["name"]: model for model in job.report()["models"]}
    assert sorted(models) == ["functional", "sequential"]
    for model in models.values():
        assert (model["route"], model["onnx"], model["warnings"]) == ("tf2onnx.convert.from_keras",
                                                                      f"{model['name']}.onnx", [])
        assert model["parity"]["ok"] and model["parity"]["max_abs_diff"] < 1e-5
        assert model["parity"]["label_agreement"] == 1.0
