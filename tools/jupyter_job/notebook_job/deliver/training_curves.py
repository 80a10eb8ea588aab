"""Find the training curves a notebook left behind, for the report's charts.

Keras ``fit`` returns a ``History`` (and leaves it on ``model.history``): its ``history`` dict holds
one list per metric and epoch. PyTorch loops usually append to a list named like ``losses`` or
``val_acc``, or fill a dict of such lists. Those are read here, by type and shape, never run; each
series is thinned to at most MAX_POINTS points (every n-th, the last one kept) so a report stays small.
"""
from __future__ import annotations

import math
import sys

MAX_POINTS = 400
MAX_CHARTS = 8
CURVE_WORDS = ("loss", "acc", "auc", "mae", "mse", "f1", "precision", "recall")


def _numbers(value: object) -> list[float] | None:
    """A 1-D sequence of at least two finite-or-NaN numbers as floats, else None."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        if value.ndim != 1 or value.dtype.kind not in "fiu":
            return None
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return None
    if not all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value):
        return None
    return [float(item) for item in value]


def thin(values: list[float], limit: int = MAX_POINTS) -> list[float | None]:
    """At most ``limit`` points, evenly spaced, the last one always in; NaN and infinities become None (JSON null)."""
    step = max(1, math.ceil(len(values) / limit))
    kept = values[::step]
    if (len(values) - 1) % step:
        kept.append(values[-1])
    return [value if math.isfinite(value) else None for value in kept]


def _series(mapping: dict) -> dict[str, list[float | None]]:
    found = {}
    for key, value in mapping.items():
        numbers = _numbers(value)
        if numbers is not None:
            found[str(key)] = thin(numbers)
    return found


def _history_dict(value: object) -> dict | None:
    """The ``history`` dict of a Keras History, or of the History a Keras model keeps; None otherwise."""
    keras = sys.modules.get("keras")
    if keras is None:
        return None
    history_type = getattr(getattr(keras, "callbacks", None), "History", None)
    model_type = getattr(keras, "Model", None)
    if model_type is not None and isinstance(value, model_type):
        value = getattr(value, "history", None)
    if history_type is not None and isinstance(value, history_type) and isinstance(value.history, dict):
        return value.history
    return None


def find_curves(namespace: dict) -> list[dict]:
    """[{"name": variable, "series": {metric: [values per epoch]}}], Keras histories first: a History held
    in a variable (``history = model.fit(...)``) under that name, before the same one reached through its model."""
    charts, loose, seen = [], {}, set()
    items = [(name, value) for name, value in list(namespace.items()) if not name.startswith("_")]
    keras = sys.modules.get("keras")
    model_type = getattr(keras, "Model", None) if keras else None
    items.sort(key=lambda item: model_type is not None and isinstance(item[1], model_type))
    for name, value in items:
        history = _history_dict(value)
        if history is not None and id(history) not in seen:
            seen.add(id(history))
            series = _series(history)
            if series:
                charts.append({"name": name, "series": series})
        elif isinstance(value, dict) and any(word in str(key).lower() for key in value for word in CURVE_WORDS):
            series = {key: values for key, values in _series(value).items()
                      if any(word in key.lower() for word in CURVE_WORDS)}
            if series:
                charts.append({"name": name, "series": series})
        elif any(word in name.lower() for word in CURVE_WORDS):
            numbers = _numbers(value)
            if numbers is not None:
                loose[name] = thin(numbers)
    if loose:
        charts.append({"name": "lists in the notebook", "series": loose})
    return charts[:MAX_CHARTS]
