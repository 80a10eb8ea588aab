"""Typed parameters from the Galaxy form (or a JSON file), checked before any code runs.

The form sends each parameter as name, type and value; Galaxy has already checked integers and
floats, so what is left is turning 'json' values into lists or dicts and refusing names that
could not be Python variables.
"""
from __future__ import annotations

import json
import keyword
import math

from notebook_job.errors import BadInputError

BOOLEAN_TEXT = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
RESERVED = {"_nbjob", "display"}


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() not in BOOLEAN_TEXT:
        raise ValueError(f"{value!r} is not one of {', '.join(BOOLEAN_TEXT)}")
    return BOOLEAN_TEXT[str(value).lower()]


CONVERTERS = {
    "int": int,
    "float": float,
    "text": str,
    "boolean": _boolean,
    "json": lambda value: json.loads(value) if isinstance(value, str) else value,
}


def check_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise BadInputError(f"parameter name {name!r} is not a valid Python identifier")
    if name in RESERVED or name.startswith("__"):
        raise BadInputError(f"parameter name {name!r} is reserved by the runner")


def python_literal(value: object) -> str:
    """Source text that evaluates to ``value``; non-finite floats need a call, not a bare name, also
    inside the lists and dicts a JSON value holds (``json.loads`` accepts NaN and Infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if type(value) is list:
        return "[" + ", ".join(map(python_literal, value)) + "]"
    if type(value) is dict:
        return "{" + ", ".join(f"{python_literal(key)}: {python_literal(item)}" for key, item in value.items()) + "}"
    return repr(value)


def typed_parameters(entries: list[dict]) -> dict:
    """``[{"name", "type", "value"}, ...]`` -> ``{name: value}`` with each value of its type."""
    values: dict = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise BadInputError(f"a parameter must be an object with name, type and value, not {entry!r}")
        name, kind, raw = entry.get("name", ""), entry.get("type", "text"), entry.get("value")
        check_name(name)
        if name in values:
            raise BadInputError(f"parameter {name!r} is given twice")
        if kind not in CONVERTERS:
            raise BadInputError(f"parameter {name!r} has the unknown type {kind!r}")
        try:
            values[name] = CONVERTERS[kind](raw)
        except (ValueError, TypeError) as error:
            raise BadInputError(f"parameter {name!r} is not a valid {kind}: {error}") from None
    return values
