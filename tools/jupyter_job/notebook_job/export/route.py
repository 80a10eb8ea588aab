"""What every export route shares: the route's four steps, the refusal it raises, and sample helpers.

A route module (sklearn_export, keras_export, torch_export) builds one ``ExportRoute`` from these;
registry.py maps each framework to its route module, and onnx_export.py drives the steps. Route
modules import from here, never from the driver, so the package has no import cycle.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from notebook_job.export.samples import declared_samples


class ExportSkipped(Exception):
    """A model that cannot be exported, with the reason a user can act on."""



def first_line(error: BaseException) -> str:
    """``TypeName: first line of the message``: enough to act on, short enough for a report."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")


class ExportRoute(NamedTuple):
    """prepare(model) -> (model to export, extra report fields); sample(model, namespace, name) -> (arrays,
    where they came from, warnings); export(model, arrays, path) -> route name; compare(model, arrays,
    onnx outputs) -> Comparison."""

    prepare: Callable
    sample: Callable
    export: Callable
    compare: Callable


def try_declared(model, namespace: dict, name: str, runs: Callable) -> tuple[list | None, str, list[str]]:
    """(arrays, where declared, warnings) of the first declared sample ``runs(model, arrays)`` accepts.

    ``runs`` returns None when the model takes the arrays, else why not; a declared sample the model
    refuses is a warning and the search goes on among the other variables.
    """
    samples, warnings = declared_samples(namespace, model, name)
    for where, arrays in samples:
        refused = runs(model, arrays)
        if refused is None:
            return arrays, where, warnings
        warnings.append(f"the declared sample {where} does not run through the model ({refused}); searched the "
                        "other variables instead")
    return None, "", warnings


