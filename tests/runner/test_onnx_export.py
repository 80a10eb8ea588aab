"""Every exported model is checked against its ONNX file; a model that cannot be exported is a warning.

The ONNX files are also loaded here with onnxruntime and compared with the original models, so the
report's parity numbers are not taken on trust.
"""
from __future__ import annotations

import json
import warnings

import h5py
import numpy as np
import onnx
import onnxruntime
import pytest
from sklearn.cluster import DBSCAN, KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC

from notebook_job.export.export_loop import export_all as export_models
from notebook_job.export.models import FoundModel
from notebook_job.export.onnx_export import export_model
from notebook_job.export.parity import Comparison

SKLEARN_EXPORTED = ("logistic", "forest", "pipeline", "regressor", "kmeans", "search", "gaussian_nb",
                    "multinomial_nb", "svc_proba", "svc", "svc_binary", "linear_svc", "svr", "randomized",
                    "models_a_b", "models_a_b_2")
SKLEARN_SKIPPED = ("unfitted", "five_wide", "dbscan", "density", "no_refit")
SCORES_COMPARED = {"logistic": "predict_proba", "forest": "predict_proba", "pipeline": "predict_proba",
                   "search": "predict_proba", "gaussian_nb": "predict_proba", "multinomial_nb": "predict_proba",
                   "svc_proba": "predict_proba", "randomized": "predict_proba", "models_a_b": "predict_proba",
                   "models_a_b_2": "predict_proba", "svc": "decision_function", "linear_svc": "decision_function",
                   "kmeans": "transform", "svc_binary": "decision_function (ONNX score column 0)"}


def onnx_outputs(path, rows) -> list:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: np.asarray(rows, dtype=np.float32)})


def input_dims(path) -> list:
    dims = onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim
    return [dim.dim_value if dim.HasField("dim_value") else None for dim in dims]


def export_all(namespace: dict, onnx_dir) -> tuple[dict, dict, object]:
    """(namespace, report entries by model name, onnx_dir) after the child's export pass over ``namespace``."""
    return namespace, {entry["name"]: entry for entry in export_models(namespace, onnx_dir)}, onnx_dir


def assert_exported(entry: dict, name: str, framework: str, sample: str = "X_test", rows: int = 32) -> None:
    """Exported under its variable's name from a real sample, with no warning and within tolerance."""
    assert (entry["onnx"], entry["framework"], entry["sample"], entry["warnings"]) == (
        f"{name}.onnx", framework, sample, []), name
    assert entry["parity"]["ok"] and entry["parity"]["rows"] == rows, name


def features13(test_data) -> tuple:
    """(X_train, X_test, y_train) of features13.h5: 135 rows to fit, 45 to check."""
    with h5py.File(test_data / "features13.h5", "r") as h5:
        X, y = h5["X"][:], h5["y"][:]
    return X[:135], X[135:], y[:135]


@pytest.fixture(scope="module")
def sklearn_export(tmp_path_factory, test_data):
    """13-feature models of every kind, plus ones that cannot be exported, all in one namespace and one pass."""
    X_train, X_test, y_train = features13(test_data)
    target = X_train @ np.linspace(-1, 1, 13) + 0.5
    five_wide = RandomForestClassifier(n_estimators=3, random_state=0).fit(X_train[:, :5], y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # SVC(probability=True) is deprecated in scikit-learn 1.9
        svc_proba = SVC(probability=True, random_state=0).fit(X_train, y_train)
        randomized = RandomizedSearchCV(SVC(probability=True, random_state=0), {"C": [0.5, 1.0, 2.0]}, n_iter=2,
                                        cv=2, random_state=0).fit(X_train, y_train)
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
        "gaussian_nb": GaussianNB().fit(X_train, y_train),
        "multinomial_nb": make_pipeline(MinMaxScaler(), MultinomialNB()).fit(X_train, y_train),
        "svc_proba": svc_proba,
        "svc": SVC().fit(X_train, y_train),
        "svc_binary": SVC().fit(X_train, y_train == 1),
        "linear_svc": LinearSVC().fit(X_train, y_train),
        "svr": SVR().fit(X_train, target),
        "dbscan": DBSCAN().fit(X_train),
        "density": KernelDensity().fit(X_train),
        "randomized": randomized,
        "no_refit": GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2, refit=False).fit(X_train, y_train),
        "models": {"a b": LogisticRegression(max_iter=500).fit(X_train, y_train),
                   "a_b": GaussianNB().fit(X_train, y_train)},
    }
    return export_all(namespace, tmp_path_factory.mktemp("onnx_sklearn"))


def sklearn_model(namespace: dict, name: str):
    return {"models_a_b": namespace["models"]["a b"], "models_a_b_2": namespace["models"]["a_b"]}.get(
        name, namespace.get(name))


def test_sklearn_models_export_with_the_real_feature_count(sklearn_export):
    namespace, entries, onnx_dir = sklearn_export
    assert sorted(path.name for path in onnx_dir.iterdir()) == sorted(f"{name}.onnx" for name in SKLEARN_EXPORTED)
    assert sorted(entries) == sorted(SKLEARN_EXPORTED + SKLEARN_SKIPPED)
    for name in SKLEARN_EXPORTED:
        entry = entries[name]
        if name != "models_a_b_2":
            assert_exported(entry, name, "sklearn")
        assert entry["route"] == "skl2onnx.to_onnx"
        assert input_dims(onnx_dir / entry["onnx"]) == [None, 13], name
        assert entry["parity"]["max_abs_diff"] < 1e-5, name
        assert entry["parity"]["label_agreement"] == (None if name in ("regressor", "svr") else 1.0), name
        assert entry["parity"]["compared"] == ["predict"] + ([SCORES_COMPARED[name]] if name in SCORES_COMPARED else []), name
        assert entry["parity"]["notes"] == [], name
        assert ("exported" in entry) is (name in ("search", "randomized")), name


def test_sklearn_onnx_files_match_the_models(sklearn_export):
    namespace, entries, onnx_dir = sklearn_export
    rows = namespace["X_test"].astype(np.float32).astype(np.float64)  # the values ONNX gets, as the models were fitted
    for name in ("logistic", "forest", "pipeline", "search", "gaussian_nb", "multinomial_nb", "svc_proba",
                 "randomized", "models_a_b", "models_a_b_2"):
        model = sklearn_model(namespace, name)
        labels, probabilities = onnx_outputs(onnx_dir / f"{name}.onnx", rows)
        assert np.array_equal(labels, model.predict(rows)), name
        assert np.abs(probabilities - model.predict_proba(rows)).max() < 1e-5, name
    for name in ("svc", "linear_svc"):
        labels, scores = onnx_outputs(onnx_dir / f"{name}.onnx", rows)
        assert np.array_equal(labels, namespace[name].predict(rows)), name
        assert np.abs(scores - namespace[name].decision_function(rows)).max() < 1e-5, name
    labels, scores = onnx_outputs(onnx_dir / "svc_binary.onnx", rows)
    assert np.array_equal(labels.astype(bool), namespace["svc_binary"].predict(rows))
    # a binary SVC without predict_proba: skl2onnx writes (n, 2) scores, decision_function is (n,)
    assert np.abs(scores[:, 0] - namespace["svc_binary"].decision_function(rows)).max() < 1e-5
    for name in ("regressor", "svr"):
        (predicted,) = onnx_outputs(onnx_dir / f"{name}.onnx", rows)
        assert np.abs(predicted.ravel() - namespace[name].predict(rows)).max() < 1e-5, name
    clusters, distances = onnx_outputs(onnx_dir / "kmeans.onnx", rows)
    assert np.array_equal(clusters, namespace["kmeans"].predict(rows))
    assert np.abs(distances - namespace["kmeans"].transform(rows)).max() < 1e-5


def test_searches_export_their_best_estimator(sklearn_export):
    namespace, entries, _ = sklearn_export
    assert (entries["search"]["class"], entries["search"]["exported"], entries["search"]["exported_class"]) == (
        "sklearn.model_selection._search.GridSearchCV", "best_estimator_ of GridSearchCV",
        "sklearn.linear_model._logistic.LogisticRegression")
    assert (entries["randomized"]["exported"], entries["randomized"]["exported_class"]) == (
        "best_estimator_ of RandomizedSearchCV", "sklearn.svm._classes.SVC")
    assert entries["no_refit"]["warnings"] == [
        "not exported: the GridSearchCV was fitted with refit=False, so it has no best_estimator_ to export"]


def test_sklearn_models_that_cannot_be_exported_are_warnings(sklearn_export):
    _, entries, onnx_dir = sklearn_export
    assert entries["unfitted"]["warnings"] == ["not exported: the scikit-learn model was never fitted"]
    assert entries["five_wide"]["warnings"] == [
        "not exported: no variable holds rows of 5 numeric features to export and check the model with"]
    assert entries["dbscan"]["warnings"] == [
        "not exported: DBSCAN has no predict method: it labels only the rows it was fitted on (labels_), so there "
        "is no model for new rows, and skl2onnx has no converter for it"]
    assert entries["density"]["warnings"] == [
        "not exported: skl2onnx has no converter for sklearn.neighbors.KernelDensity"]
    for name in SKLEARN_SKIPPED:
        assert entries[name]["onnx"] is None
        assert "parity" not in entries[name]
        assert not (onnx_dir / f"{name}.onnx").exists()
    assert list(entries)[:8] == ["logistic", "unfitted", "forest", "pipeline", "five_wide", "regressor", "kmeans",
                                 "search"]


def test_clashing_names_get_their_own_files(sklearn_export):
    namespace, entries, onnx_dir = sklearn_export
    assert entries["models_a_b"]["warnings"] == []
    assert entries["models_a_b_2"]["warnings"] == [
        "'models_a_b' is exported as 'models_a_b_2': 'models_a_b' is already the name of the model in 'models_a b'"]
    assert (entries["models_a_b"]["class"], entries["models_a_b_2"]["class"]) == (
        "sklearn.linear_model._logistic.LogisticRegression", "sklearn.naive_bayes.GaussianNB")
    assert {node.op_type for node in onnx.load(str(onnx_dir / "models_a_b.onnx")).graph.node} != {
        node.op_type for node in onnx.load(str(onnx_dir / "models_a_b_2.onnx")).graph.node}


def test_an_unsupported_framework_is_a_warning(tmp_path):
    entry = export_model(FoundModel("booster", object(), "xgboost"), {}, tmp_path)
    assert (entry["onnx"], entry["warnings"]) == (
        None, ["not exported: exporting xgboost models is not supported by this version"])
    assert list(tmp_path.iterdir()) == []


def test_exporting_sklearn_models_imports_no_other_framework(run_python, test_data):
    out = run_python(
        "import json, sys\n"
        "from pathlib import Path\n"
        "import h5py\n"
        "from sklearn.naive_bayes import GaussianNB\n"
        "from notebook_job.export.export_loop import export_all\n"
        f"with h5py.File({str(test_data / 'features13.h5')!r}, 'r') as h5:\n"
        "    X, y = h5['X'][:], h5['y'][:]\n"
        "entries = export_all({'X_test': X, 'nb': GaussianNB().fit(X, y)}, Path('onnx'))\n"
        "print(json.dumps({'onnx': [entry['onnx'] for entry in entries],\n"
        "                  'loaded': sorted(m for m in ('torch', 'tensorflow', 'keras', 'tf2onnx')\n"
        "                                   if m in sys.modules)}))\n")
    assert json.loads(out.splitlines()[-1]) == {"onnx": ["nb.onnx"], "loaded": []}


def subclassed_keras_model(keras, width: int, example_input=None):
    """A subclassed Keras classifier (no ``inputs``) built on ``width`` features, optionally declaring a sample."""
    class Classifier(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(8, activation="relu")
            self.scores = keras.layers.Dense(3, activation="softmax")

        def call(self, x, training=False):
            return self.scores(self.hidden(x))

    model = Classifier()
    model(np.zeros((1, width), dtype=np.float32))
    if example_input is not None:
        model.example_input = example_input
    return model


@pytest.fixture(scope="module")
def keras_export(keras, tmp_path_factory, test_data):
    """Trained Sequential, functional and subclassed models on 16 features, subclassed ones with declared
    samples (one that fits, one that does not), models no variable fits, and an unbuilt one."""
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
    first, second = keras.Input(shape=(16,)), keras.Input(shape=(3,))
    two_inputs = keras.Model([first, second], keras.layers.Dense(2)(keras.layers.Concatenate()([first, second])))
    subclassed = subclassed_keras_model(keras, 16)
    subclassed.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    subclassed.fit(X_train, y_train, epochs=2, batch_size=64, verbose=0)
    namespace = {"X_train": X_train, "X_test": X_test, "y_train": y_train, "sequential": sequential,
                 "functional": functional, "seven": seven, "unbuilt": keras.Sequential([keras.layers.Dense(2)]),
                 "subclassed": subclassed,
                 "declared": subclassed_keras_model(keras, 16, example_input=X_train[:5] * 2),
                 "misdeclared": subclassed_keras_model(keras, 16, example_input=np.zeros((5, 4), dtype=np.float32)),
                 "subclassed_seven": subclassed_keras_model(keras, 7), "two_inputs": two_inputs,
                 "extra_test": np.random.default_rng(0).normal(size=(40, 3))}
    return export_all(namespace, tmp_path_factory.mktemp("onnx_keras"))


def test_keras_models_export_and_match(keras_export):
    namespace, entries, onnx_dir = keras_export
    rows = namespace["X_test"][:32]
    for name, outputs in (("sequential", 3), ("functional", 1), ("subclassed", 3)):
        entry = entries[name]
        assert_exported(entry, name, "keras")
        assert entry["route"] == "keras Model.export(format='onnx')"
        assert entry["parity"]["max_abs_diff"] < 1e-5, name
        assert entry["parity"]["compared"] == (["outputs", "argmax"] if outputs > 1 else ["outputs"]), name
        path = onnx_dir / entry["onnx"]
        assert input_dims(path) == [None, 16], name
        (predicted,) = onnx_outputs(path, rows)
        expected = np.asarray(namespace[name].predict(rows, verbose=0))
        assert predicted.shape == expected.shape == (32, outputs), name
        assert np.abs(predicted - expected).max() < 1e-5, name
    assert entries["sequential"]["parity"]["label_agreement"] == 1.0
    assert entries["subclassed"]["parity"]["label_agreement"] == 1.0
    assert entries["functional"]["parity"]["label_agreement"] is None


def test_keras_models_with_two_inputs_take_one_sample_each(keras_export):
    namespace, entries, onnx_dir = keras_export
    entry = entries["two_inputs"]
    assert (entry["onnx"], entry["sample"], entry["warnings"], entry["parity"]["rows"]) == (
        "two_inputs.onnx", "X_test, extra_test", [], 32)
    assert entry["parity"]["max_abs_diff"] < 1e-5 and entry["parity"]["label_agreement"] == 1.0
    session = onnxruntime.InferenceSession(str(onnx_dir / "two_inputs.onnx"), providers=["CPUExecutionProvider"])
    assert [spec.shape[1:] for spec in session.get_inputs()] == [[16], [3]]
    rows = [namespace["X_test"][:5], namespace["extra_test"][:5].astype(np.float32)]
    (predicted,) = session.run(None, dict(zip([spec.name for spec in session.get_inputs()], rows)))
    assert np.abs(predicted - np.asarray(namespace["two_inputs"](rows))).max() < 1e-5


def test_subclassed_keras_models_take_the_declared_sample_first(keras_export):
    namespace, entries, onnx_dir = keras_export
    declared = entries["declared"]
    assert_exported(declared, "declared", "keras", sample="declared.example_input", rows=5)
    assert declared["parity"]["max_abs_diff"] < 1e-5 and declared["parity"]["label_agreement"] == 1.0
    (predicted,) = onnx_outputs(onnx_dir / "declared.onnx", namespace["X_test"][:7])
    assert np.abs(predicted - namespace["declared"](namespace["X_test"][:7])).max() < 1e-5
    misdeclared = entries["misdeclared"]
    assert (misdeclared["onnx"], misdeclared["sample"], misdeclared["parity"]["ok"]) == (
        "misdeclared.onnx", "X_test", True)
    (warning,) = misdeclared["warnings"]
    assert warning.startswith("the declared sample misdeclared.example_input does not run through the model (")
    assert warning.endswith("); searched the other variables instead")


def test_keras_models_without_sample_or_inputs(keras_export):
    _, entries, onnx_dir = keras_export
    seven = entries["seven"]
    assert seven["warnings"] == ["no variable has the input shape (None, 7); parity checked on random numbers"]
    assert (seven["sample"], seven["onnx"], seven["parity"]["rows"]) == ("random", "seven.onnx", 4)
    assert seven["parity"]["max_abs_diff"] < 1e-5
    assert input_dims(onnx_dir / "seven.onnx")[1:] == [7]
    assert entries["unbuilt"]["warnings"] == [
        "not exported: the Keras model was never built or called, so its inputs are unknown"]
    assert entries["subclassed_seven"]["warnings"] == [
        "not exported: no variable runs through the subclassed Keras model, which does not declare its inputs; "
        "set model.example_input (or a variable example_input) to a batch of its input"]
    assert entries["unbuilt"]["onnx"] is entries["subclassed_seven"]["onnx"] is None
    assert sorted(path.name for path in onnx_dir.iterdir()) == [
        "declared.onnx", "functional.onnx", "misdeclared.onnx", "sequential.onnx", "seven.onnx", "subclassed.onnx",
        "two_inputs.onnx"]


def test_comparison_tolerances():
    comparison = Comparison()
    comparison.add_values([[1.0, 2.0]], np.array([[1.0, 2.00005]]))
    comparison.add_labels(["a", "b"], np.array(["a", "b"]))
    assert comparison.as_dict(2) == {"rows": 2, "max_abs_diff": pytest.approx(5e-5), "label_agreement": 1.0,
                                     "ok": True, "compared": ["values", "labels"], "notes": []}
    comparison.add_values([100.0], [100.2])
    assert not comparison.within_tolerance
    labels = Comparison()
    labels.add_labels([0, 1, 1, 1], [0, 1, 1, 0])
    assert labels.as_dict(4)["label_agreement"] == 0.75 and not labels.within_tolerance


def test_boolean_labels_agree_with_the_0_and_1_onnx_writes():
    comparison = Comparison()
    comparison.add_labels(np.array([1, 0, 1], dtype=np.int64), np.array([True, False, True]), "predict")
    assert (comparison.label_agreement, comparison.within_tolerance, comparison.compared) == (1.0, True, ["predict"])


def torch_modules(torch) -> dict:
    """Module classes a user might write: two outputs, batch norm and dropout, a small CNN, an embedding bag."""
    nn = torch.nn

    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.classes, self.value = nn.Linear(13, 8), nn.Linear(8, 3), nn.Linear(8, 1)

        def forward(self, x):
            hidden = torch.relu(self.body(x))
            return self.classes(hidden), self.value(hidden)

    class Normed(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(nn.Linear(13, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5),
                                        nn.Linear(8, 3))

        def forward(self, x):
            return self.layers(x)

    class Conv(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.head = nn.Conv2d(1, 4, 3), nn.Linear(4 * 6 * 6, 3)

        def forward(self, images):
            return self.head(torch.relu(self.conv(images)).flatten(1))

    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding, self.head = nn.Embedding(20, 4), nn.Linear(4, 3)

        def forward(self, tokens):
            return self.head(self.embedding(tokens).mean(dim=1))

    return {"TwoHeads": TwoHeads, "Normed": Normed, "Conv": Conv, "Bag": Bag}


@pytest.fixture(scope="module")
def torch_export(tmp_path_factory, test_data):
    """torch modules of several shapes in one namespace with numpy and tensor data; samples found by trial
    (uint8 images for the CNN, which only takes them as floats; integer tokens for the embedding)."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    X_train, X_test, y_train = features13(test_data)
    classes = torch_modules(torch)
    net = torch.nn.Sequential(torch.nn.Linear(13, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    normed = classes["Normed"]()
    optimizer = torch.optim.Adam(list(net.parameters()) + list(normed.parameters()), lr=0.01)
    criterion = torch.nn.CrossEntropyLoss()
    features, labels = torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train)
    for _ in range(30):
        optimizer.zero_grad()
        (criterion(net(features), labels) + criterion(normed(features), labels)).backward()
        optimizer.step()
    declared = torch.nn.Linear(13, 2)
    declared.example_input = torch.randn(4, 13)
    rng = np.random.default_rng(0)
    namespace = {"X_train": X_train, "X_test": X_test, "y_train": y_train, "features": features,
                 "tokens_test": rng.integers(0, 20, size=(10, 5)), "images_val": rng.integers(0, 256, size=(20, 1, 8, 8), dtype=np.uint8),
                 "criterion": criterion, "optimizer": optimizer, "net": net, "normed": normed,
                 "regression_head": torch.nn.Linear(13, 1), "two_heads": classes["TwoHeads"](),
                 "conv": classes["Conv"](), "bag": classes["Bag"](), "declared": declared,
                 "seven": torch.nn.Linear(7, 2)}
    return export_all(namespace, tmp_path_factory.mktemp("onnx_torch"))


def torch_forward(module, rows):
    import torch

    was_training = module.training
    module.eval()
    with torch.no_grad():
        tensor = torch.from_numpy(np.asarray(rows))
        output = module(tensor.float() if tensor.is_floating_point() else tensor)
    module.train(was_training)
    return [item.numpy() for item in (output if isinstance(output, tuple) else (output,))]


TORCH_SAMPLES = {"net": "X_test", "normed": "X_test", "regression_head": "X_test", "two_heads": "X_test",
                 "conv": "images_val", "bag": "tokens_test"}


def test_torch_modules_export_from_the_sample_they_run_on(torch_export):
    namespace, entries, onnx_dir = torch_export
    assert list(entries) == ["net", "normed", "regression_head", "two_heads", "conv", "bag", "declared", "seven"]
    for name, sample in TORCH_SAMPLES.items():
        entry = entries[name]
        rows = namespace[sample][:32]
        assert_exported(entry, name, "torch", sample=sample, rows=len(rows))
        assert entry["route"] == "torch.onnx.export(dynamo=False)"
        assert entry["parity"]["max_abs_diff"] < 1e-5, name
        assert entry["parity"]["label_agreement"] == (None if name == "regression_head" else 1.0), name
        assert entry["parity"]["compared"] == (["outputs"] if name == "regression_head" else ["outputs", "argmax"])
        assert input_dims(onnx_dir / entry["onnx"])[1:] == list(np.shape(rows)[1:]), name
        assert input_dims(onnx_dir / entry["onnx"])[0] is None, name  # a dynamic batch axis
    input_types = {name: onnx.load(str(onnx_dir / f"{name}.onnx")).graph.input[0].type.tensor_type.elem_type
                   for name in ("conv", "bag")}
    assert input_types == {"conv": onnx.TensorProto.FLOAT, "bag": onnx.TensorProto.INT64}


def test_torch_onnx_files_match_the_modules_on_another_batch_size(torch_export):
    namespace, _, onnx_dir = torch_export
    for name, sample in TORCH_SAMPLES.items():
        rows = namespace[sample][-5:]
        session = onnxruntime.InferenceSession(str(onnx_dir / f"{name}.onnx"), providers=["CPUExecutionProvider"])
        spec = session.get_inputs()[0]
        rows = rows.astype(np.int64 if spec.type == "tensor(int64)" else np.float32)  # uint8 images go in as floats
        predicted = session.run(None, {spec.name: rows})
        expected = torch_forward(namespace[name], rows)
        assert [array.shape for array in predicted] == [array.shape for array in expected], name
        assert max(np.abs(got - want).max() for got, want in zip(predicted, expected)) < 1e-5, name


def test_torch_modules_are_exported_in_eval_mode_and_left_as_they_were(torch_export):
    namespace, entries, _ = torch_export
    assert namespace["normed"].training is True  # trained and left in training mode by the code
    assert namespace["net"][0].weight.grad is not None  # gradients of the code's last step untouched
    assert entries["two_heads"]["parity"]["rows"] == 32


def test_torch_declared_sample_and_modules_nothing_fits(torch_export):
    namespace, entries, onnx_dir = torch_export
    assert_exported(entries["declared"], "declared", "torch", sample="declared.example_input", rows=4)
    assert input_dims(onnx_dir / "declared.onnx") == [None, 13]
    assert entries["seven"]["warnings"] == [
        "not exported: no variable runs through the torch module, which does not declare its inputs; set "
        "model.example_input (or a variable example_input) to a batch of its input"]
    assert sorted(path.name for path in onnx_dir.iterdir()) == sorted(
        f"{name}.onnx" for name in [*TORCH_SAMPLES, "declared"])


def test_a_declared_sample_variable_wins_over_the_data_and_the_attribute_over_it(tmp_path, test_data):
    torch = pytest.importorskip("torch")
    _, X_test, _ = features13(test_data)
    net = torch.nn.Linear(13, 3)
    namespace = {"X_test": X_test, "sample_input": X_test[:3], "net": net}
    (entry,) = export_models(namespace, tmp_path / "variable")
    assert (entry["sample"], entry["parity"]["rows"], entry["parity"]["ok"]) == ("sample_input", 3, True)
    net.example_input = torch.zeros((2, 13))
    namespace["example_input"] = np.zeros((5, 4))  # refused by the module: a warning, then the next declared one
    (entry,) = export_models(namespace, tmp_path / "attribute")
    assert (entry["sample"], entry["parity"]["rows"]) == ("net.example_input", 2)
    namespace["example_input"], net.example_input = np.zeros((5, 4)), None
    (entry,) = export_models(namespace, tmp_path / "refused")
    assert (entry["sample"], entry["parity"]["rows"]) == ("sample_input", 3)
    (warning,) = entry["warnings"]
    assert warning.startswith("the declared sample example_input does not run through the model (RuntimeError: ")


def test_a_torch_module_on_the_gpu_is_exported_from_there(tmp_path, test_data):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    _, X_test, _ = features13(test_data)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(13, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).cuda()
    (entry,) = export_models({"X_test": torch.tensor(X_test, device="cuda"), "net": net}, tmp_path)
    assert (entry["onnx"], entry["sample"], entry["warnings"]) == ("net.onnx", "X_test", [])
    assert entry["parity"]["ok"] and entry["parity"]["max_abs_diff"] < 1e-4


def test_sklearn_models_take_a_declared_sample_of_their_width(tmp_path, test_data):
    X_train, X_test, y_train = features13(test_data)
    namespace = {"X_test": X_test, "example_input": X_test[:6], "sample_input": X_test[:, :4],
                 "nb": GaussianNB().fit(X_train, y_train)}
    (entry,) = export_models(namespace, tmp_path / "fits")
    assert (entry["sample"], entry["parity"]["rows"], entry["warnings"]) == ("example_input", 6, [])
    namespace["example_input"] = X_test[:, :5]
    (entry,) = export_models(namespace, tmp_path / "too_narrow")
    assert (entry["sample"], entry["parity"]["rows"], entry["parity"]["ok"]) == ("X_test", 32, True)
    assert entry["warnings"] == [
        f"the declared sample {name} does not run through the model (the model takes rows of 13 features, not rows "
        f"of shape ({width},)); searched the other variables instead" for name, width in
        (("example_input", 5), ("sample_input", 4))]
