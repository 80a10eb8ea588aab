"""Export each found model to ONNX and check the file against the original model.

Every export is verified: onnxruntime runs the ONNX file on a real sample and its outputs are
compared with the original model's (max abs diff, label agreement). One model failing to export
is a warning in the report; the other models and the job's outputs still come out.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from notebook_job.models import KERAS, SKLEARN, FoundModel
from notebook_job.samples import SAMPLE_ROWS, find_sample, shape_fits

ABS_TOLERANCE = 1e-4
REL_TOLERANCE = 1e-3
MIN_LABEL_AGREEMENT = 0.99


class ExportSkipped(Exception):
    """A model that cannot be exported, with the reason a user can act on."""


@dataclass
class Comparison:
    """How the ONNX outputs compare with the original model's on the same rows."""

    max_abs_diff: float = 0.0
    label_agreement: float | None = None
    within_tolerance: bool = True
    details: list[str] = field(default_factory=list)

    def add_values(self, onnx_values, expected) -> None:
        import numpy as np

        onnx_values = np.asarray(onnx_values, dtype=np.float64).reshape(np.shape(expected))
        expected = np.asarray(expected, dtype=np.float64)
        diff = float(np.max(np.abs(onnx_values - expected))) if expected.size else 0.0
        self.max_abs_diff = max(self.max_abs_diff, diff)
        scale = float(np.max(np.abs(expected))) if expected.size else 0.0
        if diff > ABS_TOLERANCE + REL_TOLERANCE * scale:
            self.within_tolerance = False

    def add_labels(self, onnx_labels, expected) -> None:
        import numpy as np

        onnx_labels, expected = np.asarray(onnx_labels).ravel(), np.asarray(expected).ravel()
        agreement = float(np.mean(onnx_labels.astype(str) == expected.astype(str))) if expected.size else 1.0
        self.label_agreement = agreement if self.label_agreement is None else min(self.label_agreement, agreement)
        if agreement < MIN_LABEL_AGREEMENT:
            self.within_tolerance = False

    def as_dict(self, rows: int) -> dict:
        return {"rows": rows, "max_abs_diff": self.max_abs_diff, "label_agreement": self.label_agreement,
                "ok": self.within_tolerance}


def run_onnx(path: Path, inputs: list) -> list:
    """onnxruntime outputs for ``inputs``, each cast to the dtype the graph declares."""
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    declared = session.get_inputs()
    if len(declared) != len(inputs):
        raise ExportSkipped(f"the ONNX graph takes {len(declared)} inputs, the sample has {len(inputs)}")
    dtypes = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
              "tensor(int32)": np.int32}
    feed = {spec.name: np.asarray(value, dtype=dtypes.get(spec.type, np.float32))
            for spec, value in zip(declared, inputs)}
    return session.run(None, feed)


# --- Keras ---------------------------------------------------------------------------------------

def _keras_sample(model, namespace: dict) -> tuple[list, str, list[str]]:
    import numpy as np

    if not getattr(model, "built", False) or not getattr(model, "inputs", None):
        raise ExportSkipped("the Keras model was never built or called, so its inputs are unknown")
    samples, sources, warnings = [], [], []
    for spec in model.inputs:
        shape = tuple(spec.shape)
        found = find_sample(namespace, shape_fits(shape))
        if found is None:
            concrete = tuple(4 if size is None else size for size in shape)
            samples.append(np.random.default_rng(0).normal(size=concrete).astype(np.float32))
            sources.append("random")
            warnings.append(f"no variable has the input shape {shape}; parity checked on random numbers")
        else:
            samples.append(found[0])
            sources.append(found[1])
    rows = min(len(sample) for sample in samples)
    return [sample[:rows] for sample in samples], ", ".join(sources), warnings


def _keras_export(model, samples: list, path: Path) -> str:
    try:
        model.export(str(path), format="onnx", verbose=False)
        return "keras Model.export(format='onnx')"
    except Exception as first_error:  # noqa: BLE001 - fall back to the second route, report both if it fails
        import tensorflow as tf
        import tf2onnx

        signature = [tf.TensorSpec((None,) + tuple(sample.shape[1:]), tf.float32, name=f"input_{index}")
                     for index, sample in enumerate(samples)]

        def forward(*tensors):
            return model(list(tensors) if len(tensors) > 1 else tensors[0], training=False)

        try:
            tf2onnx.convert.from_function(tf.function(forward), input_signature=signature, output_path=str(path))
        except Exception as second_error:  # noqa: BLE001
            raise ExportSkipped(f"Model.export failed ({first_error}); tf2onnx failed ({second_error})") from None
        return "tf2onnx.convert.from_function"


def _keras_compare(model, samples: list, onnx_outputs: list) -> Comparison:
    import keras

    expected = model(samples if len(samples) > 1 else samples[0], training=False)
    expected = [keras.ops.convert_to_numpy(item) for item in (expected if isinstance(expected, (list, tuple))
                                                              else [expected])]
    comparison = Comparison()
    for onnx_value, reference in zip(onnx_outputs, expected):
        comparison.add_values(onnx_value, reference)
        if reference.ndim == 2 and reference.shape[1] > 1:
            comparison.add_labels(onnx_value.argmax(axis=1), reference.argmax(axis=1))
    return comparison


# --- scikit-learn --------------------------------------------------------------------------------

def _sklearn_unwrapped(model):
    """The estimator to export: a search's refitted best estimator, else the model itself."""
    from sklearn.utils.validation import NotFittedError, check_is_fitted

    if hasattr(model, "best_estimator_"):
        model = model.best_estimator_
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ExportSkipped("the scikit-learn model was never fitted") from None
    return model


def _final_step(model):
    return model.steps[-1][1] if hasattr(model, "steps") else model


def _sklearn_sample(model, namespace: dict) -> tuple[list, str, list[str]]:
    width = getattr(model, "n_features_in_", None)
    if width is None:
        raise ExportSkipped("the scikit-learn model does not say how many features it takes (n_features_in_)")
    found = find_sample(namespace, shape_fits((None, width)))
    if found is None:
        raise ExportSkipped(f"no variable holds rows of {width} numeric features to export and check the model with")
    return [found[0]], found[1], []


def _sklearn_export(model, samples: list, path: Path) -> str:
    import numpy as np
    from skl2onnx import to_onnx
    from sklearn.base import is_classifier

    final = _final_step(model)
    options = {id(final): {"zipmap": False}} if is_classifier(final) else None
    onnx_model = to_onnx(model, np.asarray(samples[0][:1], dtype=np.float32), options=options)
    path.write_bytes(onnx_model.SerializeToString())
    return "skl2onnx.to_onnx"


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
            comparison.add_values(onnx_outputs[0], predicted)
        else:
            comparison.add_labels(onnx_outputs[0], predicted)
        if is_classifier(model) and hasattr(model, "predict_proba") and len(onnx_outputs) > 1:
            comparison.add_values(onnx_outputs[1], model.predict_proba(rows))
    elif hasattr(model, "transform"):
        comparison.add_values(onnx_outputs[0], model.transform(rows))
    return comparison


# --- dispatch ------------------------------------------------------------------------------------

ROUTES = {
    KERAS: (lambda model: model, _keras_sample, _keras_export, _keras_compare),
    SKLEARN: (_sklearn_unwrapped, _sklearn_sample, _sklearn_export, _sklearn_compare),
}


def export_model(found: FoundModel, namespace: dict, onnx_dir: Path) -> dict:
    """Export ``found`` to ``onnx_dir/<name>.onnx``; the report entry says how, and how well it matches."""
    entry = {"name": found.name, "framework": found.framework, "class": found.class_name, "onnx": None,
             "warnings": []}
    started = time.perf_counter()
    path = onnx_dir / f"{found.name}.onnx"
    try:
        if found.framework not in ROUTES:
            raise ExportSkipped(f"exporting {found.framework} models is not supported by this version")
        unwrap, sample_of, export, compare = ROUTES[found.framework]
        model = unwrap(found.model)
        samples, source, warnings = sample_of(model, namespace)
        entry["warnings"].extend(warnings)
        entry["sample"] = source
        entry["route"] = export(model, samples, path)
        import onnx

        onnx.checker.check_model(str(path))
        comparison = compare(model, samples, run_onnx(path, samples))
        entry["parity"] = comparison.as_dict(min(len(samples[0]), SAMPLE_ROWS))
        entry["onnx"] = path.name
        if not comparison.within_tolerance:
            entry["warnings"].append("the ONNX outputs differ from the original model beyond the tolerance")
    except ExportSkipped as skipped:
        entry["warnings"].append(f"not exported: {skipped}")
    except Exception as error:  # noqa: BLE001 - one model's failure must not lose the job's other outputs
        entry["warnings"].append(f"not exported: {type(error).__name__}: {error}")
    if entry["onnx"] is None and path.exists():
        path.unlink()
    entry["seconds"] = round(time.perf_counter() - started, 3)
    return entry
