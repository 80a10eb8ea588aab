"""The rows a scikit-learn model is exported and checked with, in the form the model took them.

In order: a sample the code declares (``model.example_input``, a variable ``example_input`` or
``sample_input``); the rows the model (a pipeline: its first step) was fitted on, as the runner saw
them (run/fit_inputs.py); a DataFrame variable holding the columns the model was fitted with
(``feature_names_in_``, in that order); and last an array of the model's width, test data first.
A model fitted on a DataFrame is always checked on a DataFrame with its columns, never on bare
rows, so scikit-learn has no reason to warn about feature names and column selection by name works.
"""
from __future__ import annotations

import sys

from notebook_job.export.route import ExportSkipped, Sample, try_declared
from notebook_job.export.samples import SAMPLE_ROWS, find_sample, shape_fits
from notebook_job.run.fit_inputs import fitted_on


def first_step(model):
    """The estimator that receives the model's input: a pipeline's first real step, recursively."""
    steps = getattr(model, "steps", None)
    if not steps:
        return model
    for _, step in steps:
        if step not in (None, "passthrough"):
            return first_step(step)
    return model


def _runs(model, arrays: list) -> str | None:
    width = getattr(model, "n_features_in_", None)
    if len(arrays) != 1:
        return f"the model takes one array, not {len(arrays)}"
    if not shape_fits((None, width))(tuple(arrays[0].shape)):
        return f"the model takes rows of {width} features, not rows of shape {tuple(arrays[0].shape[1:])}"
    return None


def _with_columns(model, value):
    """A declared array as a DataFrame with the model's columns, when the model was fitted on a DataFrame."""
    names = getattr(model, "feature_names_in_", None)
    pandas = sys.modules.get("pandas")
    if names is None or pandas is None or isinstance(value, pandas.DataFrame):
        return value
    return pandas.DataFrame(value, columns=list(names))


def _dataframe_with_columns(namespace: dict, names: list[str]):
    """(first rows of the DataFrame variable with every column in ``names``, in that order, its name), or None."""
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return None
    for name, value in list(namespace.items()):
        if name.startswith("_") or not isinstance(value, pandas.DataFrame) or value.empty:
            continue
        if all(column in value.columns for column in names):
            return value[names].iloc[:SAMPLE_ROWS], name
    return None


def _recorded(model, namespace: dict) -> tuple[object, str] | None:
    """(the rows the model or its first step was fitted on, where from), or None."""
    for owner in (model, first_step(model)):
        seen = fitted_on(owner)
        if seen is not None:
            rows, data = seen
            names = [name for name, value in list(namespace.items()) if value is data and not name.startswith("_")]
            return rows, f"{names[0]} (the rows it was fitted on)" if names else "the rows it was fitted on"
    return None


def sklearn_sample(model, namespace: dict, name: str) -> Sample:
    width = getattr(model, "n_features_in_", None)
    if width is None:
        raise ExportSkipped("the scikit-learn model does not say how many features it takes (n_features_in_)")
    arrays, where, warnings = try_declared(model, namespace, name, _runs)
    if arrays is not None:
        return Sample(_with_columns(model, arrays[0]), where, warnings)
    recorded = _recorded(model, namespace)
    if recorded is not None and recorded[0].shape[1] == width:
        return Sample(recorded[0], recorded[1], warnings)
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        found = _dataframe_with_columns(namespace, [str(column) for column in names])
        if found is not None:
            return Sample(found[0], found[1], warnings)
        raise ExportSkipped(f"no DataFrame variable has the columns the model was fitted with "
                            f"({', '.join(map(str, names[:5]))}{', ...' if len(names) > 5 else ''})")
    found = find_sample(namespace, shape_fits((None, width)))
    if found is None:
        raise ExportSkipped(f"no variable holds rows of {width} numeric features to export and check the model with")
    return Sample(found[0], found[1], warnings)
