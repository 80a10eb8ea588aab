"""Export each found model to ONNX and check the file against the original model.

Every export is verified: onnxruntime runs the ONNX file on a real sample and its outputs are
compared with the original model's (max abs diff, label agreement). One model failing to export
is a warning in the report; the other models and the job's outputs still come out.

This module holds what every framework shares and the scikit-learn route; the Keras and PyTorch
routes live in keras_export.py and torch_export.py and are imported only for a model of theirs,
so exporting a scikit-learn model never imports TensorFlow or torch.
"""
from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from notebook_job.models import KERAS, SKLEARN, TORCH, FoundModel
from notebook_job.samples import SAMPLE_ROWS, declared_samples, find_sample, shape_fits

ABS_TOLERANCE = 1e-4
REL_TOLERANCE = 1e-3
MIN_LABEL_AGREEMENT = 0.99
ONNX_INPUT_DTYPES = {"tensor(float)": "float32", "tensor(double)": "float64", "tensor(int64)": "int64",
                     "tensor(int32)": "int32", "tensor(bool)": "bool", "tensor(uint8)": "uint8"}


class ExportSkipped(Exception):
    """A model that cannot be exported, with the reason a user can act on."""


@dataclass
class Comparison:
    """How the ONNX outputs compare with the original model's on the same rows.

    ``compared`` names what was compared (``predict``, ``predict_proba``, ``outputs``...), ``notes``
    what could not be and why, so a report never claims a check it did not make.
    """

    max_abs_diff: float = 0.0
    label_agreement: float | None = None
    within_tolerance: bool = True
    compared: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_values(self, onnx_values, expected, what: str = "values") -> None:
        import numpy as np

        onnx_values = np.asarray(onnx_values, dtype=np.float64).reshape(np.shape(expected))
        expected = np.asarray(expected, dtype=np.float64)
        diff = float(np.max(np.abs(onnx_values - expected))) if expected.size else 0.0
        self.max_abs_diff = max(self.max_abs_diff, diff)
        scale = float(np.max(np.abs(expected))) if expected.size else 0.0
        if diff > ABS_TOLERANCE + REL_TOLERANCE * scale:
            self.within_tolerance = False
        self._note_compared(what)

    def add_labels(self, onnx_labels, expected, what: str = "labels") -> None:
        import numpy as np

        onnx_labels, expected = np.asarray(onnx_labels).ravel(), np.asarray(expected).ravel()
        if expected.dtype.kind == "b" and onnx_labels.dtype.kind in "iu":
            onnx_labels = onnx_labels.astype(bool)  # skl2onnx writes boolean classes as 0/1
        agreement = float(np.mean(onnx_labels.astype(str) == expected.astype(str))) if expected.size else 1.0
        self.label_agreement = agreement if self.label_agreement is None else min(self.label_agreement, agreement)
        if agreement < MIN_LABEL_AGREEMENT:
            self.within_tolerance = False
        self._note_compared(what)

    def _note_compared(self, what: str) -> None:
        if what not in self.compared:
            self.compared.append(what)

    def as_dict(self, rows: int) -> dict:
        return {"rows": rows, "max_abs_diff": self.max_abs_diff, "label_agreement": self.label_agreement,
                "ok": self.within_tolerance, "compared": self.compared, "notes": self.notes}


def run_onnx(path: Path, inputs: list) -> list:
    """onnxruntime outputs for ``inputs``, each cast to the dtype the graph declares."""
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    declared = session.get_inputs()
    if len(declared) != len(inputs):
        raise ExportSkipped(f"the ONNX graph takes {len(declared)} inputs, the sample has {len(inputs)}")
    feed = {spec.name: np.asarray(value, dtype=ONNX_INPUT_DTYPES.get(spec.type, "float32"))
            for spec, value in zip(declared, inputs)}
    return session.run(None, feed)


def compare_outputs(onnx_outputs: list, expected: list) -> Comparison:
    """A network's outputs against the ONNX graph's, in order; argmax labels too for 2-D outputs of several columns."""
    comparison = Comparison()
    if len(onnx_outputs) != len(expected):
        comparison.notes.append(f"the ONNX graph has {len(onnx_outputs)} outputs, the model {len(expected)}; "
                                "compared them pairwise in order")
    for onnx_value, reference in zip(onnx_outputs, expected):
        comparison.add_values(onnx_value, reference, "outputs")
        if reference.ndim == 2 and reference.shape[1] > 1:
            comparison.add_labels(onnx_value.argmax(axis=1), reference.argmax(axis=1), "argmax")
    return comparison


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


# --- scikit-learn --------------------------------------------------------------------------------

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


SKLEARN_ROUTE = ExportRoute(_sklearn_prepare, _sklearn_sample, _sklearn_export, _sklearn_compare)


# --- dispatch ------------------------------------------------------------------------------------

def _route(framework: str) -> ExportRoute:
    """The framework's route; Keras and torch routes are imported only when one of their models is exported."""
    if framework == SKLEARN:
        return SKLEARN_ROUTE
    if framework == KERAS:
        from notebook_job.keras_export import KERAS_ROUTE

        return KERAS_ROUTE
    if framework == TORCH:
        from notebook_job.torch_export import TORCH_ROUTE

        return TORCH_ROUTE
    raise ExportSkipped(f"exporting {framework} models is not supported by this version")


def _export_checked(found: FoundModel, namespace: dict, path: Path, entry: dict) -> None:
    """Export, check the file with onnx, run it with onnxruntime and compare; fills ``entry`` as it goes."""
    import onnx

    prepare, sample_of, export, compare = _route(found.framework)
    model, extra = prepare(found.model)
    entry.update(extra)
    samples, source, sample_warnings = sample_of(model, namespace, found.name)
    entry["warnings"].extend(sample_warnings)
    entry["sample"] = source
    entry["route"] = export(model, samples, path)
    onnx.checker.check_model(str(path))
    comparison = compare(model, samples, run_onnx(path, samples))
    entry["parity"] = comparison.as_dict(min(len(samples[0]), SAMPLE_ROWS))
    entry["onnx"] = path.name
    if not comparison.within_tolerance:
        entry["warnings"].append("the ONNX outputs differ from the original model beyond the tolerance")


def export_model(found: FoundModel, namespace: dict, onnx_dir: Path) -> dict:
    """Export ``found`` to ``onnx_dir/<name>.onnx``; the report entry says how, and how well it matches."""
    entry = {"name": found.name, "framework": found.framework, "class": found.class_name, "onnx": None,
             "warnings": list(found.warnings)}
    started = time.perf_counter()
    path = onnx_dir / f"{found.name}.onnx"
    try:
        with warnings.catch_warnings():
            # The exporters' own deprecation chatter (torch's TorchScript exporter, scikit-learn's SVC
            # probability attributes) is about our calls, not the user's code: keep it off the job's stderr.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            _export_checked(found, namespace, path, entry)
    except ExportSkipped as skipped:
        entry["warnings"].append(f"not exported: {skipped}")
    except Exception as error:  # noqa: BLE001 - one model's failure must not lose the job's other outputs
        entry["warnings"].append(f"not exported: {type(error).__name__}: {error}")
    if entry["onnx"] is None and path.exists():
        path.unlink()
    entry["seconds"] = round(time.perf_counter() - started, 3)
    return entry
