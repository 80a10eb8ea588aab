"""What every export route shares: the route's four steps, the refusal it raises, and sample helpers.

A route module (sklearn_export, keras_export, torch_export) builds one ``ExportRoute`` from these;
registry.py maps each framework to its route module, and onnx_export.py drives the steps. Route
modules import from here, never from the driver, so the package has no import cycle.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from notebook_job.export.samples import declared_samples


class ExportSkipped(Exception):
    """A model that cannot be exported, with the reason a user can act on."""


class ExportRefused(ExportSkipped):
    """No route can export this model (no converter for it): the remaining attempts are not tried."""


ANSI_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_MESSAGE = 300


def one_line(text: str) -> str:
    """The first non-empty line of ``text`` without terminal colour codes, at most MAX_MESSAGE characters.

    Converters and checkers write coloured, multi-line dumps (a whole graph, ten lines of advice); a
    report line and a Galaxy stderr line need the sentence that says what went wrong.
    """
    lines = [line.strip() for line in ANSI_CODES.sub("", text).splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE - 3] + "..."


def first_line(error: BaseException) -> str:
    """``TypeName: first line of the message``: enough to act on, short enough for a report."""
    return f"{type(error).__name__}: {one_line(str(error))}".rstrip(": ")


@dataclass
class Sample:
    """Rows to export and check a model with: ``value`` as the model takes it (an array, a DataFrame
    with its columns, or a list of arrays for several inputs), where it came from, and warnings."""

    value: object
    source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        first = self.value[0] if isinstance(self.value, list) else self.value
        return len(first)


class Attempt(NamedTuple):
    """One way to write the ONNX file: ``write(path)`` writes it and returns the route's name as it
    was taken (None: ``name``), say with the opsets used; ``onnx_inputs`` is what the graph is
    fed (a list in graph order, or a dict by input name); ``model_input`` what the original model is
    called with for the comparison (the same values, in the model's own types)."""

    name: str
    write: Callable[[Path], str | None]
    onnx_inputs: list | dict
    model_input: object


class ExportRoute(NamedTuple):
    """prepare(model) -> (model to export, extra report fields); sample(model, namespace, name) -> Sample;
    attempts(model, sample) -> the Attempts in order of preference; compare(model, model_input, onnx
    outputs) -> Comparison. The driver (onnx_export) validates each attempt and keeps the first that passes."""

    prepare: Callable
    sample: Callable
    attempts: Callable
    compare: Callable


def unchanged(model) -> tuple[object, dict]:
    """``prepare`` for frameworks whose model is exported as it is."""
    return model, {}


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


