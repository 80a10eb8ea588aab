"""The scikit-learn route to ONNX: estimators, pipelines and searches, exported with skl2onnx."""
from __future__ import annotations

import re
from pathlib import Path

from notebook_job.export.parity import Comparison
from notebook_job.export.route import ExportRoute, ExportSkipped, first_line, try_declared
from notebook_job.export.samples import find_sample, shape_fits

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


def _sklearn_runs(model, arrays: list) -> str | None:
    width = getattr(model, "n_features_in_", None)
    if len(arrays) != 1:
        return f"the model takes one array, not {len(arrays)}"
    if not shape_fits((None, width))(tuple(arrays[0].shape)):
        return f"the model takes rows of {width} features, not rows of shape {tuple(arrays[0].shape[1:])}"
    return None


def _sklearn_sample(model, namespace: dict, name: str) -> tuple[list, str, list[str]]:
    width = getattr(model, "n_features_in_", None)
    if width is None:
        raise ExportSkipped("the scikit-learn model does not say how many features it takes (n_features_in_)")
    arrays, where, warnings = try_declared(model, namespace, name, _sklearn_runs)
    if arrays is not None:
        return arrays, where, warnings
    found = find_sample(namespace, shape_fits((None, width)))
    if found is None:
        raise ExportSkipped(f"no variable holds rows of {width} numeric features to export and check the model with")
    return [found[0]], found[1], warnings


def _missing_converter(model, error: Exception) -> ExportSkipped:
    """The one-line reason for a model skl2onnx has no converter for (its message is ten lines of advice)."""
    match = MISSING_CONVERTER_TYPE.search(str(error))
    missing = _public_name(match.group(1)) if match else first_line(error)
    final = _final_step(model)
    if hasattr(final, "fit_predict") and not hasattr(final, "predict") and missing.endswith(type(final).__name__):
        return ExportSkipped(f"{type(final).__name__} has no predict method: it labels only the rows it was fitted "
                             f"on (labels_), so there is no model for new rows, and skl2onnx has no converter for it")
    return ExportSkipped(f"skl2onnx has no converter for {missing}")


def _sklearn_export(model, samples: list, path: Path) -> str:
    import numpy as np
    from skl2onnx import to_onnx
    from skl2onnx.common.exceptions import MissingConverter, MissingShapeCalculator
    from sklearn.base import is_classifier

    final = _final_step(model)
    first_row = np.asarray(samples[0][:1], dtype=np.float32)
    options = {id(final): {"zipmap": False}} if is_classifier(final) else None
    try:
        try:
            onnx_model = to_onnx(model, first_row, options=options)
        except NameError as error:
            if "zipmap" not in str(error):  # LinearSVC and a few others have no zipmap option: nothing to turn off
                raise
            onnx_model = to_onnx(model, first_row)
    except (MissingShapeCalculator, MissingConverter) as error:
        raise _missing_converter(model, error) from None
    path.write_bytes(onnx_model.SerializeToString())
    return "skl2onnx.to_onnx"


def _compare_scores(comparison: Comparison, model, rows, onnx_outputs: list) -> None:
    """A classifier's second ONNX output against predict_proba, else decision_function, where shapes allow."""
    import numpy as np

    if len(onnx_outputs) < 2:
        return
    if hasattr(model, "predict_proba"):
        comparison.add_values(onnx_outputs[1], model.predict_proba(rows), "predict_proba")
    elif hasattr(model, "decision_function"):
        scores = model.decision_function(rows)
        if np.size(onnx_outputs[1]) == np.size(scores):
            comparison.add_values(onnx_outputs[1], scores, "decision_function")
        else:
            comparison.notes.append(f"decision_function not compared: the ONNX scores have shape "
                                    f"{tuple(np.shape(onnx_outputs[1]))}, decision_function {tuple(scores.shape)}")
    else:
        comparison.notes.append("the ONNX scores were not compared: the model has no predict_proba or "
                                "decision_function to compare them with")


def _sklearn_compare(model, samples: list, onnx_outputs: list) -> Comparison:
    import numpy as np
    from sklearn.base import is_classifier, is_regressor

    # The values the ONNX graph got (float32), in the dtype the user's code used: KMeans, for one, refuses
    # to predict on a dtype other than the one it was fitted on.
    sample = np.asarray(samples[0])
    native = sample.dtype if sample.dtype.kind == "f" else np.float64
    rows = sample.astype(np.float32).astype(native)
    comparison = Comparison()
    if hasattr(model, "predict"):
        predicted = model.predict(rows)
        if is_regressor(model):
            comparison.add_values(onnx_outputs[0], predicted, "predict")
        else:
            comparison.add_labels(onnx_outputs[0], predicted, "predict")
        if is_classifier(model):
            _compare_scores(comparison, model, rows, onnx_outputs)
        elif hasattr(model, "transform") and len(onnx_outputs) > 1:  # KMeans: cluster labels, then distances
            comparison.add_values(onnx_outputs[1], model.transform(rows), "transform")
    elif hasattr(model, "transform"):
        comparison.add_values(onnx_outputs[0], model.transform(rows), "transform")
    return comparison



ROUTE = ExportRoute(_sklearn_prepare, _sklearn_sample, _sklearn_export, _sklearn_compare)
