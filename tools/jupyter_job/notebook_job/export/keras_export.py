"""The Keras 3 route to ONNX: Sequential, functional and subclassed models.

Sequential and functional models say what they take (``model.inputs``), so their sample is the
best-named variable of that shape. A subclassed model does not: its sample is the first variable,
in the same order of preference, that the model accepts when called on two rows, unless the code
declares one (``model.example_input``, a variable ``example_input`` or ``sample_input``).
Imported only when a Keras model is exported (TensorFlow costs 3 s to import).
"""
from __future__ import annotations

from pathlib import Path

from notebook_job.export.parity import Comparison, compare_outputs
from notebook_job.export.route import Attempt, ExportRoute, ExportSkipped, Sample, first_line, try_declared, unchanged
from notebook_job.export.samples import find_sample, ranked_arrays, shape_fits

TRIAL_ROWS = 2
RANDOM_ROWS = 4
MODEL_EXPORT = "keras Model.export(format='onnx')"
FROM_KERAS = "tf2onnx.convert.from_keras"
FROM_FUNCTION = "tf2onnx.convert.from_function"


def _as_model_input(array):
    """Floating arrays as float32 (what the ONNX graph takes); integer and boolean arrays as they are."""
    import numpy as np

    return array.astype(np.float32) if array.dtype.kind == "f" else array


def _call(model, arrays: list):
    return model(arrays if len(arrays) > 1 else arrays[0], training=False)


def _runs(model, arrays: list) -> str | None:
    """None when the model takes the first rows of ``arrays``, else why it refused them."""
    try:
        _call(model, [_as_model_input(array[:TRIAL_ROWS]) for array in arrays])
    except Exception as error:  # noqa: BLE001 - any failure only means these arrays are not the model's input
        return first_line(error)
    return None


def _declared_shape_sample(model, namespace: dict) -> tuple[list, str, list[str]]:
    """Sequential/functional: one sample per declared input, by shape; random numbers where no variable fits."""
    import numpy as np

    samples, sources, warnings = [], [], []
    for spec in model.inputs:
        shape = tuple(spec.shape)
        found = find_sample(namespace, shape_fits(shape))
        if found is None:
            concrete = tuple(RANDOM_ROWS if size is None else size for size in shape)
            samples.append(np.random.default_rng(0).normal(size=concrete).astype(np.float32))
            sources.append("random")
            warnings.append(f"no variable has the input shape {shape}; parity checked on random numbers")
        else:
            samples.append(found[0])
            sources.append(found[1])
    rows = min(len(sample) for sample in samples)
    return [sample[:rows] for sample in samples], ", ".join(sources), warnings


def _subclassed_sample(model, namespace: dict) -> tuple[list, str]:
    """The first variable, test before val before train, that the subclassed model runs on."""
    for name, array in ranked_arrays(namespace):
        if _runs(model, [array]) is None:
            return [array], name
    raise ExportSkipped("no variable runs through the subclassed Keras model, which does not declare its inputs; "
                        "set model.example_input (or a variable example_input) to a batch of its input")


def _keras_sample(model, namespace: dict, name: str) -> Sample:
    if not getattr(model, "built", False):
        raise ExportSkipped("the Keras model was never built or called, so its inputs are unknown")
    arrays, source, warnings = try_declared(model, namespace, name, _runs)
    if arrays is None:
        if getattr(model, "inputs", None):
            arrays, source, shape_warnings = _declared_shape_sample(model, namespace)
            warnings += shape_warnings
        else:
            arrays, source = _subclassed_sample(model, namespace)
    rows = min(len(array) for array in arrays)
    return Sample([_as_model_input(array[:rows]) for array in arrays], source, warnings)


def _signature(samples: list) -> list:
    import tensorflow as tf

    return [tf.TensorSpec((None,) + tuple(sample.shape[1:]), tf.as_dtype(sample.dtype), name=f"input_{index}")
            for index, sample in enumerate(samples)]


def _via_model_export(model, signature: list, path: Path) -> None:
    model.export(str(path), format="onnx", verbose=False,
                 input_signature=signature if len(signature) == 1 else [signature])


def _via_from_keras(model, signature: list, path: Path) -> None:
    """tf2onnx on a functional copy: keeps adapted layers' state (Normalization's mean and variance)
    as constants, where the two other routes turn it into extra graph inputs."""
    import keras
    import tf2onnx

    if not getattr(model, "inputs", None):
        raise ValueError("a subclassed model has no functional graph to convert")
    tf2onnx.convert.from_keras(keras.Model(model.inputs, model.outputs), input_signature=signature,
                               output_path=str(path))


def _via_from_function(model, signature: list, path: Path) -> None:
    import tensorflow as tf
    import tf2onnx

    def forward(*tensors):
        return model(list(tensors) if len(tensors) > 1 else tensors[0], training=False)

    tf2onnx.convert.from_function(tf.function(forward), input_signature=signature, output_path=str(path))


ROUTES = ((MODEL_EXPORT, _via_model_export), (FROM_KERAS, _via_from_keras), (FROM_FUNCTION, _via_from_function))


def _keras_attempts(model, sample: Sample) -> list[Attempt]:
    """Keras's own export, tf2onnx's Keras converter, then tf2onnx on a tf.function; all with the samples'
    signature. The signature is needed: Model.export refuses a functional model that was never called,
    and a subclassed model does not know its input otherwise. Several inputs go in as one list argument.
    A route whose graph asks for other inputs than the model's (adapted layers' state turned into graph
    inputs) fails when onnxruntime is fed the sample, and the next route is tried."""
    signature = _signature(sample.value)

    def writer(export):
        return lambda path: export(model, signature, path)

    return [Attempt(route, writer(export), sample.value, sample.value) for route, export in ROUTES]


def _keras_compare(model, samples: list, onnx_outputs: list) -> Comparison:
    import keras

    expected = _call(model, samples)
    expected = [keras.ops.convert_to_numpy(item) for item in (expected if isinstance(expected, (list, tuple))
                                                              else [expected])]
    return compare_outputs(onnx_outputs, expected)


ROUTE = ExportRoute(unchanged, _keras_sample, _keras_attempts, _keras_compare)
