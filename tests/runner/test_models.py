"""Finding trained models by their type, never by their class name."""
from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from notebook_job.export.models import find_models, framework_of


class Zorblax(LogisticRegression):
    """A user's subclass whose name says nothing about what it is."""


class HandMade(ClassifierMixin, BaseEstimator):
    """An estimator written from scratch on sklearn's base classes."""

    def fit(self, X, y):
        return self


def found(namespace: dict) -> list[tuple[str, str, object]]:
    return [(model.name, model.framework, model.model) for model in find_models(namespace)]


def test_sklearn_models_are_found_by_type():
    namespace = {"odd": Zorblax(), "pipe": make_pipeline(StandardScaler(), GaussianNB()),
                 "search": GridSearchCV(GaussianNB(), {"var_smoothing": [1e-9]}), "hand": HandMade(),
                 "X": np.zeros((2, 2)), "text": "LogisticRegression", "cls": LogisticRegression}
    assert found(namespace) == [(name, "sklearn", namespace[name]) for name in ("odd", "pipe", "search", "hand")]
    assert find_models(namespace)[0].class_name == f"{__name__}.Zorblax"


def test_models_in_containers_get_names_and_each_object_is_found_once():
    first, second, third = GaussianNB(), Zorblax(), GaussianNB()
    namespace = {"best": first, "models": {"rf model": second, "again": first}, "history": [third, 1],
                 "alias": second, "_private": GaussianNB(), "nested": {"deeper": {"hidden": GaussianNB()}}}
    assert found(namespace) == [("best", "sklearn", first), ("models_rf_model", "sklearn", second),
                                ("history_0", "sklearn", third)]


def test_keras_models_are_found(keras):
    inputs = keras.Input(shape=(5,))
    functional = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    sequential = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])

    class Custom(keras.Model):
        def call(self, x):
            return x

    custom = Custom()
    namespace = {"functional": functional, "seq": sequential, "pair": (custom, GaussianNB()),
                 "layer": keras.layers.Dense(3), "keras": keras}
    assert [(name, framework) for name, framework, _ in found(namespace)] == [
        ("functional", "keras"), ("seq", "keras"), ("pair_0", "keras"), ("pair_1", "sklearn")]
    assert framework_of(namespace["layer"]) is None


def test_nothing_is_found_or_imported_without_a_framework(run_python):
    out = run_python(
        "import json, sys\n"
        "import numpy as np\n"
        "import notebook_job.child\n"
        "from notebook_job.run.environment import compute_device\n"
        "from notebook_job.export.models import find_models\n"
        "namespace = {'X': np.zeros((3, 4)), 'd': {'a': [1, 2]}, 'name': 'keras.Model'}\n"
        "print(json.dumps({'found': find_models(namespace), 'device': compute_device(),\n"
        "                  'loaded': sorted(m for m in ('tensorflow', 'keras', 'sklearn', 'torch', 'onnx',\n"
        "                                               'onnxruntime', 'h5py') if m in sys.modules)}))\n")
    assert json.loads(out) == {"found": [], "device": "CPU", "loaded": []}


def test_names_that_clean_up_alike_get_numbered_suffixes_and_warnings():
    first, second, third, fourth = GaussianNB(), Zorblax(), GaussianNB(), Zorblax()
    namespace = {"models": {"a b": first, "a_b": second, "a/b": third}, "models_a_b_2": fourth}
    models = find_models(namespace)
    assert [(model.name, model.model) for model in models] == [
        ("models_a_b", first), ("models_a_b_2", second), ("models_a_b_3", third), ("models_a_b_2_2", fourth)]
    assert [model.warnings for model in models] == [
        [],
        ["'models_a_b' is exported as 'models_a_b_2': 'models_a_b' is already the name of the model in 'models_a b'"],
        ["'models_a/b' is exported as 'models_a_b_3': 'models_a_b' is already the name of the model in 'models_a b'"],
        ["'models_a_b_2' is exported as 'models_a_b_2_2': 'models_a_b_2' is already the name of the model in "
         "'models_a_b'"]]


def test_torch_modules_are_found_but_not_loss_functions():
    torch = pytest.importorskip("torch")

    class Net(torch.nn.Module):
        def forward(self, x):
            return x

    net, linear = Net(), torch.nn.Linear(2, 1)
    namespace = {"net": net, "criterion": torch.nn.CrossEntropyLoss(), "layers": [linear, torch.nn.MSELoss()],
                 "optimizer": torch.optim.SGD(linear.parameters(), lr=0.1), "weights": torch.zeros(3)}
    assert found(namespace) == [("net", "torch", net), ("layers_0", "torch", linear)]
