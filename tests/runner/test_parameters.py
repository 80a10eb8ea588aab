"""Typed form parameters: each value of its type, one clear line for a bad one, literals that exec back."""
from __future__ import annotations

import math

import pytest

from notebook_job.errors import EXIT_BAD_INPUT, BadInputError
from notebook_job.prepare.notebook_code import parameters_cell
from notebook_job.prepare.parameters import check_name, python_literal, typed_parameters


def entry(name: str, kind: str, value: object) -> dict:
    return {"name": name, "type": kind, "value": value}


def executed(values: dict) -> dict:
    """The injected cell's source run in a fresh namespace: what the user's code will see."""
    namespace: dict = {}
    exec(parameters_cell(values, 1).source, namespace)  # noqa: S102 - checking the generated source
    del namespace["__builtins__"]
    return namespace


@pytest.mark.parametrize(("kind", "raw", "value"), [
    ("int", 3, 3),
    ("int", "-12", -12),
    ("float", "0.25", 0.25),
    ("float", 2, 2.0),
    ("float", "1e-3", 0.001),
    ("text", "it's \"quoted\"\nand two lines", "it's \"quoted\"\nand two lines"),
    ("text", 5, "5"),
    ("boolean", "true", True),
    ("boolean", "True", True),
    ("boolean", "false", False),
    ("boolean", "False", False),
    ("boolean", True, True),
    ("boolean", False, False),
    ("json", "[0.1, 0.2]", [0.1, 0.2]),
    ("json", '{"layers": [32, 16], "activation": "relu", "dropout": null, "bn": true}',
     {"layers": [32, 16], "activation": "relu", "dropout": None, "bn": True}),
    ("json", "7", 7),
    ("json", [1, 2], [1, 2]),
])
def test_each_type_is_converted(kind, raw, value):
    converted = typed_parameters([entry("x", kind, raw)])
    assert converted == {"x": value} and type(converted["x"]) is type(value)
    assert executed(converted) == converted


def test_the_type_defaults_to_text():
    assert typed_parameters([{"name": "label", "value": 12}]) == {"label": "12"}


def test_several_parameters_keep_their_order():
    values = typed_parameters([entry("epochs", "int", 3), entry("rates", "json", "[0.1, 0.2]"),
                               entry("name", "text", "run A")])
    assert list(values) == ["epochs", "rates", "name"]
    assert parameters_cell(values, 2).source == "epochs = 3\nrates = [0.1, 0.2]\nname = 'run A'\n"


@pytest.mark.parametrize(("entries", "message"), [
    ([entry("rates", "json", "[0.1, ")], "parameter 'rates' is not a valid json: Expecting value: line 1 column 7 "
                                         "(char 6)"),
    ([entry("rates", "json", "[0.1,\n\n")], "parameter 'rates' is not a valid json: Expecting value: line 3 column 1 "
                                            "(char 7)"),
    ([entry("epochs", "int", "3.5")], "parameter 'epochs' is not a valid int: invalid literal for int() with base 10: "
                                      "'3.5'"),
    ([entry("epochs", "int", "1\n2")], "parameter 'epochs' is not a valid int: invalid literal for int() with base "
                                       "10: '1\\n2'"),
    ([entry("epochs", "int", None)], "parameter 'epochs' is not a valid int: int() argument must be a string, a "
                                     "bytes-like object or a real number, not 'NoneType'"),
    ([entry("rate", "float", "fast")], "parameter 'rate' is not a valid float: could not convert string to float: "
                                       "'fast'"),
    ([entry("x", "colour", "red")], "parameter 'x' has the unknown type 'colour'"),
    ([entry("x", "int", 1), entry("y", "int", 2), entry("x", "text", "again")], "parameter 'x' is given twice"),
    ([entry("class", "int", 1)], "parameter name 'class' is not a valid Python identifier"),
    ([entry("None", "int", 1)], "parameter name 'None' is not a valid Python identifier"),
    ([entry("learning rate", "float", 1)], "parameter name 'learning rate' is not a valid Python identifier"),
    ([entry("2nd", "int", 1)], "parameter name '2nd' is not a valid Python identifier"),
    ([{"type": "int", "value": 1}], "parameter name '' is not a valid Python identifier"),
])
def test_bad_parameters_are_one_line(entries, message):
    with pytest.raises(BadInputError) as raised:
        typed_parameters(entries)
    assert str(raised.value) == message
    assert raised.value.exit_code == EXIT_BAD_INPUT and raised.value.__cause__ is None


@pytest.mark.parametrize("name", ["epochs", "_private", "données", "match", "case"])
def test_identifiers_are_accepted(name):
    check_name(name)


@pytest.mark.parametrize(("value", "text"), [
    (float("nan"), "float('nan')"),
    (float("inf"), "float('inf')"),
    (float("-inf"), "float('-inf')"),
    (0.1, "0.1"),
    ("nan", "'nan'"),
    ([1.5, float("nan")], "[1.5, float('nan')]"),
    ({"low": float("-inf"), "grid": [float("inf"), 2]}, "{'low': float('-inf'), 'grid': [float('inf'), 2]}"),
])
def test_python_literals(value, text):
    assert python_literal(value) == text


def test_non_finite_floats_exec_back_to_the_same_values():
    values = typed_parameters([entry("missing", "float", "nan"), entry("upper", "float", "inf"),
                               entry("lower", "float", "-inf"),
                               entry("grid", "json", '{"bounds": [-Infinity, Infinity], "fill": NaN}')])
    back = executed(values)
    assert math.isnan(back["missing"]) and back["upper"] == math.inf and back["lower"] == -math.inf
    assert back["grid"]["bounds"] == [-math.inf, math.inf] and math.isnan(back["grid"]["fill"])
    assert all(type(back[name]) is float for name in ("missing", "upper", "lower"))
