"""The scikit-learn route to ONNX: estimators, pipelines and searches, exported with skl2onnx.

Attempts, in order: the sample as one float tensor (what onnx_predict feeds), then, for a model
fitted on a DataFrame, one graph input per column (a ColumnTransformer that selects columns by
name, string columns). Each attempt follows the converter's own advice on opsets: when skl2onnx
says which ``target_opset`` it needs, the conversion is retried with it. Every score output the
ONNX graph has is compared with the model method it stands for.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from notebook_job.export.parity import Comparison
from notebook_job.export.route import Attempt, ExportRefused, ExportRoute, ExportSkipped, first_line
from notebook_job.export.sklearn_sample import sklearn_sample
from notebook_job.run.fit_inputs import paused

MISSING_CONVERTER_TYPE = re.compile(r"type '<class '([\w.]+)'>'")


def _public_name(qualified: str) -> str:
    """``sklearn.neighbors._kde.KernelDensity`` -> ``sklearn.neighbors.KernelDensity``."""
    parts = qualified.split(".")
    return ".".join([part for part in parts[:-1] if not part.startswith("_")] + parts[-1:])


def _sklearn_prepare(model) -> tuple[object, dict]:
    """The estimator to export: a search's refitted best estimator, else the model itself."""
    from sklearn.utils.validation import NotFittedError, check_is_fitted

    extra = {}
    kind = type(model).__name__
    if hasattr(model, "best_estimator_"):
        model = model.best_estimator_
        best = type(model)
        extra = {"exported": f"best_estimator_ of {kind}", "exported_class": f"{best.__module__}.{best.__qualname__}"}
    elif hasattr(model, "cv_results_") and hasattr(model, "refit"):
        raise ExportSkipped(f"the {kind} was fitted with refit=False, so it has no best_estimator_ to export")
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ExportSkipped("the scikit-learn model was never fitted") from None
    return model, extra


def _final_step(model):
    return model.steps[-1][1] if hasattr(model, "steps") else model


def _missing_converter(model, error: Exception) -> ExportSkipped:
    """The one-line reason for a model skl2onnx has no converter for (its message is ten lines of advice)."""
    match = MISSING_CONVERTER_TYPE.search(str(error))
    missing = _public_name(match.group(1)) if match else first_line(error)
    final = _final_step(model)
    if hasattr(final, "fit_predict") and not hasattr(final, "predict") and missing.endswith(type(final).__name__):
        return ExportRefused(f"{type(final).__name__} has no predict method: it labels only the rows it was fitted "
                             f"on (labels_), so there is no model for new rows, and skl2onnx has no converter for it")
    return ExportRefused(f"skl2onnx has no converter for {missing}")


OPSET_ADVICE = re.compile(r"target_opset\s*=\s*(\{[^{}]*\}|\d+)")
MAX_OPSET_RETRIES = 3
ONE_TENSOR = "skl2onnx.to_onnx"
PER_COLUMN = "skl2onnx.to_onnx (one input per column)"
SCORE_METHODS = ("predict_proba", "decision_function", "transform", "score_samples")


def opset_advice(message: str, current: dict) -> dict | None:
    """The opsets the converter asks for in ``message``, merged into ``current``; None without new advice."""
    match = OPSET_ADVICE.search(message)
    if match is None:
        return None
    asked = ast.literal_eval(match.group(1))
    merged = dict(current)
    merged.update(asked if isinstance(asked, dict) else {"": asked})
    return merged if merged != current else None


def _options(model) -> dict | None:
    from sklearn.base import is_classifier

    final = _final_step(model)
    return {id(final): {"zipmap": False}} if is_classifier(final) else None


def _convert(model, example, opsets: dict):
    """skl2onnx.to_onnx without the zipmap (a plain probability matrix), with ``opsets`` when given."""
    from skl2onnx import to_onnx

    target = opsets or None
    try:
        return to_onnx(model, example, options=_options(model), target_opset=target)
    except NameError as error:
        if "zipmap" not in str(error):  # LinearSVC and a few others have no zipmap option: nothing to turn off
            raise
        return to_onnx(model, example, target_opset=target)


def _writer(model, example, base_name: str):
    """``write(path) -> route name`` for one input layout, retried with the opsets the converter asks for."""
    from skl2onnx import get_latest_tested_opset_version
    from skl2onnx.common.exceptions import MissingConverter, MissingShapeCalculator

    def write(path: Path) -> str:
        opsets: dict = {}
        for _ in range(MAX_OPSET_RETRIES + 1):
            try:
                onnx_model = _convert(model, example, opsets)
                break
            except (MissingShapeCalculator, MissingConverter) as error:
                raise _missing_converter(model, error) from None
            except RuntimeError as error:
                advised = opset_advice(str(error), opsets)
                if advised is None:
                    raise ExportSkipped(first_line(error)) from None
                # a domain pinned alone leaves the main one unset ("op_version must be specified"):
                # give it the newest opset this skl2onnx was tested with, its own default
                advised.setdefault("", get_latest_tested_opset_version())
                opsets = dict(sorted(advised.items()))
        else:
            raise ExportSkipped(f"skl2onnx still asked for other opsets after {MAX_OPSET_RETRIES} retries")
        path.write_bytes(onnx_model.SerializeToString())
        return f"{base_name} (target_opset={opsets})" if opsets else base_name

    return write


def _float_rows(value):
    """(float32 rows for the graph, the same values in the model's own types) of an array or numeric DataFrame."""
    import numpy as np

    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame):
        graph = value.to_numpy(dtype=np.float32)
        rounded = value.copy()
        for column in rounded.columns:
            if rounded[column].dtype.kind == "f":
                rounded[column] = rounded[column].astype(np.float32).astype(rounded[column].dtype)
        return graph, rounded
    array = np.asarray(value)
    native = array.dtype if array.dtype.kind == "f" else np.float64
    # KMeans, for one, refuses to predict on a dtype other than the one it was fitted on
    return array.astype(np.float32), array.astype(np.float32).astype(native)


def _sklearn_attempts(model, sample) -> list[Attempt]:
    value = sample.value
    pandas = sys.modules.get("pandas")
    is_frame = pandas is not None and isinstance(value, pandas.DataFrame)
    attempts = []
    if not is_frame or all(value[column].dtype.kind in "fiub" for column in value.columns):
        graph, model_input = _float_rows(value)
        attempts.append(Attempt(ONE_TENSOR, _writer(model, graph[:1], ONE_TENSOR), [graph], model_input))
    if is_frame:
        columns = {str(column): value[column].to_numpy() for column in value.columns}
        attempts.append(Attempt(PER_COLUMN, _writer(model, value.iloc[:1], PER_COLUMN), columns, value))
    return attempts


def _binary_column(onnx_scores, expected):
    """(n, 2) ONNX scores against a (n,) method: the column that matches (converters differ on which), else None."""
    import numpy as np

    onnx_scores = np.asarray(onnx_scores, dtype=np.float64)
    if onnx_scores.ndim != 2 or onnx_scores.shape[1] != 2 or np.ndim(expected) != 1:
        return None
    return min((1, 0), key=lambda column: float(np.max(np.abs(onnx_scores[:, column] - expected))))


def _compare_scores(comparison: Comparison, model, rows, onnx_scores) -> None:
    """The ONNX score output against the first method of the model it matches in shape."""
    import numpy as np

    tried = []
    for method in SCORE_METHODS:
        if not hasattr(model, method):
            continue
        expected = np.asarray(getattr(model, method)(rows), dtype=np.float64)
        if np.size(onnx_scores) == expected.size:
            comparison.add_values(onnx_scores, expected, method)
            return
        column = _binary_column(onnx_scores, expected)
        if column is not None:
            comparison.add_values(np.asarray(onnx_scores)[:, column], expected, f"{method} (ONNX score column {column})")
            return
        tried.append(f"{method} {tuple(expected.shape)}")
    comparison.notes.append(f"the ONNX scores {tuple(np.shape(onnx_scores))} were not compared: "
                            + (f"no method has their shape ({', '.join(tried)})" if tried else
                               "the model has no predict_proba, decision_function, transform or score_samples"))


def _sklearn_compare(model, rows, onnx_outputs: list) -> Comparison:
    from sklearn.base import is_regressor

    comparison = Comparison()
    with paused():
        if hasattr(model, "predict"):
            predicted = model.predict(rows)
            if is_regressor(model):
                comparison.add_values(onnx_outputs[0], predicted, "predict")
            else:
                comparison.add_labels(onnx_outputs[0], predicted, "predict")
            if len(onnx_outputs) > 1:
                _compare_scores(comparison, model, rows, onnx_outputs[1])
        elif hasattr(model, "transform"):
            comparison.add_values(onnx_outputs[0], model.transform(rows), "transform")
    return comparison


ROUTE = ExportRoute(_sklearn_prepare, sklearn_sample, _sklearn_attempts, _sklearn_compare)
