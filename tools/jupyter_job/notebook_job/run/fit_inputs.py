"""Remember the first rows each scikit-learn estimator was fitted on (or, failing that, called with).

The export checks a model on rows it really took, in the form it took them: a DataFrame with its
columns for a model fitted on one (a ColumnTransformer selects columns by name), an array for a
model fitted on an array. Guessing from variable names and widths picks the wrong data (a KMeans
"checked" on its own cluster centres). Every estimator's ``fit`` validates its input through
``sklearn.utils.validation._check_feature_names(estimator, X, reset=...)`` (``reset=True`` when
fitting), so wrapping that one function, the moment the user's code imports scikit-learn, sees
every fit without touching the user's code. Only SAMPLE_ROWS rows are kept, as a copy.
"""
from __future__ import annotations

import sys
import weakref

from notebook_job.run.import_hooks import after_import

SAMPLE_ROWS = 32
VALIDATION_MODULE = "sklearn.utils.validation"
HOOKED_FUNCTION = "_check_feature_names"

# id(estimator) -> (weak reference to it, first rows, True when they come from a fit, the data itself or None)
_SEEN: dict[int, tuple[weakref.ref, object, bool, object]] = {}
_paused = {"depth": 0}


def _first_rows(data: object):
    """A copy of the first rows of a DataFrame or numeric/str array; None for anything else (sparse, lists...)."""
    pandas = sys.modules.get("pandas")
    numpy = sys.modules.get("numpy")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return data.iloc[:SAMPLE_ROWS].copy()
    if numpy is not None and isinstance(data, numpy.ndarray) and data.ndim == 2 and len(data):
        return numpy.array(data[:SAMPLE_ROWS])
    return None


def remember(estimator: object, data: object, fitting: bool) -> None:
    """Keep the first rows of ``data`` for ``estimator``; a fit replaces what a call left, never the reverse."""
    if _paused["depth"]:
        return
    known = _SEEN.get(id(estimator))
    if known is not None and known[0]() is estimator and known[2] and not fitting:
        return
    rows = _first_rows(data)
    if rows is None:
        return
    try:
        data_ref = weakref.ref(data)
    except TypeError:
        data_ref = None
    key = id(estimator)

    def forget(dead: weakref.ref) -> None:
        """Drop the rows once the estimator is gone: a grid search fits hundreds of clones."""
        if key in _SEEN and _SEEN[key][0] is dead:
            del _SEEN[key]

    try:
        _SEEN[key] = (weakref.ref(estimator, forget), rows, fitting, data_ref)
    except TypeError:  # an estimator that refuses weak references is simply not remembered
        pass


def fitted_on(estimator: object) -> tuple[object, object] | None:
    """(the first rows ``estimator`` was fitted on, else called with; the data they came from, if it
    still exists) or None when the runner never saw it take data."""
    known = _SEEN.get(id(estimator))
    if known is None or known[0]() is not estimator:
        return None
    return known[1], known[3]() if known[3] is not None else None


class paused:
    """``with paused():`` around the runner's own calls (parity checks), so they are not remembered."""

    def __enter__(self) -> None:
        _paused["depth"] += 1

    def __exit__(self, *exc_info) -> None:
        _paused["depth"] -= 1


def _wrap(validation) -> None:
    original = getattr(validation, HOOKED_FUNCTION, None)
    if original is None or getattr(original, "_nbjob_wrapped", False):
        return

    def check_feature_names(estimator, X, *args, **kwargs):
        remember(estimator, X, bool(kwargs.get("reset", args[0] if args else True)))
        return original(estimator, X, *args, **kwargs)

    check_feature_names._nbjob_wrapped = True
    setattr(validation, HOOKED_FUNCTION, check_feature_names)


def watch_fit_inputs() -> None:
    """Start remembering fit inputs from the user's import of scikit-learn on."""
    after_import(VALIDATION_MODULE, _wrap)
