"""Find the trained models in the notebook's namespace by their type, not by their class name.

A framework is only consulted when the user's code imported it (it is in ``sys.modules``): a
notebook that never touched TensorFlow does not pay TensorFlow's 3 s import to be searched.
Models directly in a variable and one level down in a dict, list or tuple are found; the same
object bound to several names is exported once, under the first name.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

KERAS = "keras"
SKLEARN = "sklearn"
TORCH = "torch"
UNSAFE_NAME_CHARS = re.compile(r"[^\w.-]+")


@dataclass
class FoundModel:
    """A model, the variable it was found in, and its framework."""

    name: str
    model: object
    framework: str

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
    torch = sys.modules.get("torch")
    return torch is not None and hasattr(torch, "nn") and isinstance(value, torch.nn.Module)


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


def find_models(namespace: dict) -> list[FoundModel]:
    """Every model in ``namespace``, in the order the variables were defined."""
    found: list[FoundModel] = []
    seen: set[int] = set()
    for name, value in _candidates(namespace):
        if id(value) in seen:
            continue
        framework = framework_of(value)
        if framework:
            seen.add(id(value))
            found.append(FoundModel(UNSAFE_NAME_CHARS.sub("_", name), value, framework))
    return found
