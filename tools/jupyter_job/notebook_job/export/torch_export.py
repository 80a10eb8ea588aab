"""The PyTorch route to ONNX: any ``nn.Module``, exported with ``torch.onnx.export``.

A module does not say what it takes, so its sample is the one the code declares
(``model.example_input``, a variable ``example_input`` or ``sample_input``), else the first
variable, test before val before train, that the module runs on when called on two rows in eval
mode without gradients (integer data, such as uint8 images, is tried as it is, then as floats). The TorchScript exporter (``dynamo=False``) is used: it needs no onnxscript
and took 0.04 s against 0.83 s for the dynamo exporter (reference/FACTS.md). Imported only when a
torch module is exported, so a job that never imported torch never pays for it.
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from pathlib import Path

from notebook_job.export.parity import Comparison, compare_outputs
from notebook_job.export.route import Attempt, ExportRoute, ExportSkipped, Sample, first_line, try_declared, unchanged
from notebook_job.export.samples import ranked_arrays

TRIAL_ROWS = 2
ROUTE_NAME = "torch.onnx.export(dynamo=False)"
BATCH_AXIS = {0: "batch"}


def _placement(model) -> tuple[object, object]:
    """(floating dtype, device) of the module's weights: float32 on the CPU for a module without any."""
    import torch

    tensors = list(itertools.chain(model.parameters(), model.buffers()))
    floating = [tensor for tensor in tensors if tensor.is_floating_point()]
    dtype = floating[0].dtype if floating else torch.float32
    device = tensors[0].device if tensors else torch.device("cpu")
    return dtype, device


def _as_model_input(array, dtype):
    """Floating arrays in the module's floating dtype (numpy has no bfloat16: float32 there); others as they are."""
    import numpy as np
    import torch

    if array.dtype.kind != "f":
        return array
    numpy_dtype = {torch.float64: np.float64, torch.float16: np.float16}.get(dtype, np.float32)
    return array.astype(numpy_dtype)


def _tensors(model, arrays: list) -> tuple:
    import numpy as np
    import torch

    dtype, device = _placement(model)
    tensors = []
    for array in arrays:
        tensor = torch.from_numpy(np.ascontiguousarray(array))
        tensors.append((tensor.to(dtype) if tensor.is_floating_point() else tensor).to(device))
    return tuple(tensors)


@contextmanager
def _inference(model):
    """Eval mode without gradients, the module's own mode restored afterwards."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def _flat(output) -> list:
    """The tensors of a module's output, in order: a tensor, or tuples, lists and dicts of them."""
    if isinstance(output, (list, tuple)):
        return [tensor for item in output for tensor in _flat(item)]
    if isinstance(output, dict):
        return [tensor for item in output.values() for tensor in _flat(item)]
    return [output]


def _forward(model, arrays: list) -> list:
    with _inference(model):
        return _flat(model(*_tensors(model, arrays)))


def _runs(model, arrays: list) -> str | None:
    """None when the module takes the first rows of ``arrays``, else why it refused them."""
    try:
        _forward(model, [array[:TRIAL_ROWS] for array in arrays])
    except Exception as error:  # noqa: BLE001 - any failure only means these arrays are not the module's input
        return first_line(error)
    return None


def _readings(array) -> list:
    """The array as it is, then, for integer or boolean data (uint8 images, say), as floats too."""
    import numpy as np

    return [array] + ([array.astype(np.float32)] if array.dtype.kind in "iub" else [])


def _torch_sample(model, namespace: dict, name: str) -> Sample:
    arrays, source, warnings = try_declared(model, namespace, name, _runs)
    if arrays is None:
        tries = ((where, reading) for where, array in ranked_arrays(namespace) for reading in _readings(array))
        for source, array in tries:
            if _runs(model, [array]) is None:
                arrays = [array]
                break
        else:
            raise ExportSkipped("no variable runs through the torch module, which does not declare its inputs; set "
                                "model.example_input (or a variable example_input) to a batch of its input")
    dtype, _ = _placement(model)
    rows = min(len(array) for array in arrays)
    return Sample([_as_model_input(array[:rows], dtype) for array in arrays], source, warnings)


def _torch_export(model, samples: list, path: Path) -> None:
    """torch.onnx.export with a dynamic batch axis on every input and output."""
    import torch

    tensors = _tensors(model, samples)
    outputs = _forward(model, samples)
    input_names = [f"input_{index}" for index in range(len(tensors))]
    output_names = [f"output_{index}" for index in range(len(outputs))]
    dynamic_axes = {name: BATCH_AXIS for name, tensor in zip(input_names + output_names, tensors + tuple(outputs))
                    if getattr(tensor, "ndim", 0) >= 1}
    was_training = model.training
    try:
        torch.onnx.export(model, tensors, str(path), dynamo=False, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes)
    except Exception as error:  # noqa: BLE001 - the exporter raises many kinds; the user needs the first line
        raise ExportSkipped(f"torch.onnx.export failed: {first_line(error)}") from None
    finally:
        model.train(was_training)


def _torch_attempts(model, sample: Sample) -> list[Attempt]:
    return [Attempt(ROUTE_NAME, lambda path: _torch_export(model, sample.value, path), sample.value, sample.value)]


def _torch_compare(model, samples: list, onnx_outputs: list) -> Comparison:
    import torch

    expected = []
    for tensor in _forward(model, samples):
        tensor = tensor.detach().cpu()
        expected.append((tensor.float() if tensor.dtype in (torch.bfloat16, torch.float16) else tensor).numpy())
    return compare_outputs(onnx_outputs, expected)


ROUTE = ExportRoute(unchanged, _torch_sample, _torch_attempts, _torch_compare)
