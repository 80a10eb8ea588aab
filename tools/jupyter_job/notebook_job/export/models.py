"""Find the trained models in the notebook's namespace by their type, not by their class name.

A framework is only consulted when the user's code imported it (it is in ``sys.modules``): a
notebook that never touched TensorFlow does not pay TensorFlow's 3 s import to be searched.
Models directly in a variable and one level down in a dict, list or tuple are found; the same
object bound to several names is exported once, under the first name. Two models whose names clean
up to the same file name (``{"a b": m1, "a_b": m2}``) get distinct names: the later one a numbered
suffix and a warning, so no ONNX file overwrites another.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

KERAS = "keras"
SKLEARN = "sklearn"
TORCH = "torch"
UNSAFE_NAME_CHARS = re.compile(r"[^\w.-]+")


@dataclass
class FoundModel:
    """A model, the (file-safe, unique) name it was found under, its framework, and what to warn about it."""

    name: str
    model: object
    framework: str
    warnings: list[str] = field(default_factory=list)

    @property
    def class_name(self) -> str:
        cls = type(self.model)
        return f"{cls.__module__}.{cls.__qualname__}"


def _sklearn_model(value: object) -> bool:
    base = sys.modules.get("sklearn.base")
    return base is not None and isinstance(value, base.BaseEstimator)


def _keras_model(value: object) -> bool:
    keras = sys.modules.get("keras")
    return keras is not None and hasattr(keras, "Model") and isinstance(value, keras.Model)


def _torch_model(value: object) -> bool:
    """An ``nn.Module`` that is not a loss function (``criterion = nn.CrossEntropyLoss()`` is no trained model)."""
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(torch, "nn") or not isinstance(value, torch.nn.Module):
        return False
    loss_base = getattr(getattr(torch.nn, "modules", None), "loss", None)
    return not (loss_base is not None and isinstance(value, loss_base._Loss))


DETECTORS = ((KERAS, _keras_model), (SKLEARN, _sklearn_model), (TORCH, _torch_model))


def framework_of(value: object) -> str | None:
    """'keras', 'sklearn', 'torch', or None when ``value`` is not a model of a loaded framework."""
    for framework, is_model in DETECTORS:
        if is_model(value):
            return framework
    return None


def _candidates(namespace: dict):
    for name, value in list(namespace.items()):
        if name.startswith("_") or isinstance(value, type):
            continue
        yield name, value
        if isinstance(value, dict):
            for key, item in value.items():
                yield f"{name}_{key}", item
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                yield f"{name}_{index}", item


def _unique_name(wanted: str, taken: dict[str, str]) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3``, ... : the first that no earlier model has."""
    name, number = wanted, 1
    while name in taken:
        number += 1
        name = f"{wanted}_{number}"
    return name


def find_models(namespace: dict) -> list[FoundModel]:
    """Every model in ``namespace``, in the order the variables were defined, each under a distinct file-safe name."""
    found: list[FoundModel] = []
    seen: set[int] = set()
    owners: dict[str, str] = {}  # the name a model is exported under -> where it was found
    for name, value in _candidates(namespace):
        if id(value) in seen:
            continue
        framework = framework_of(value)
        if framework:
            seen.add(id(value))
            cleaned = UNSAFE_NAME_CHARS.sub("_", name)
            unique = _unique_name(cleaned, owners)
            warnings = [] if unique == cleaned else [
                f"{name!r} is exported as {unique!r}: {cleaned!r} is already the name of the model in "
                f"{owners[cleaned]!r}"]
            owners[unique] = name
            found.append(FoundModel(unique, value, framework, warnings))
    return found
