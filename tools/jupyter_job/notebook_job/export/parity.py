"""Parity of an exported ONNX file with the model it came from: run it with onnxruntime, compare outputs.

A ``Comparison`` says what was compared (``predict``, ``predict_proba``, ``outputs``...) and what
could not be and why, so a report never claims a check it did not make.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from notebook_job.export.route import ExportSkipped

ABS_TOLERANCE = 1e-4
REL_TOLERANCE = 1e-3
MIN_LABEL_AGREEMENT = 0.99
ONNX_INPUT_DTYPES = {"tensor(float)": "float32", "tensor(double)": "float64", "tensor(int64)": "int64",
                     "tensor(int32)": "int32", "tensor(bool)": "bool", "tensor(uint8)": "uint8"}



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


ONNX_STRING = "tensor(string)"
ORT_ERRORS_ONLY = 3  # onnxruntime log severity: its warnings (coloured, on stderr) are not the user's business


def _as_graph_input(value, declared_type: str):
    import numpy as np

    if declared_type == ONNX_STRING:
        return np.asarray(value).astype(str).astype(object)
    return np.asarray(value, dtype=ONNX_INPUT_DTYPES.get(declared_type, "float32"))


def run_onnx(path: Path, inputs: list | dict) -> list:
    """onnxruntime outputs for ``inputs`` (a list in graph order, or a dict by input name), each value
    cast to the type the graph declares; a 1-D column fed to a graph input of rank 2 becomes (n, 1)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = ORT_ERRORS_ONLY
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    declared = session.get_inputs()
    if isinstance(inputs, dict):
        missing = [spec.name for spec in declared if spec.name not in inputs]
        if missing:
            raise ExportSkipped(f"the ONNX graph takes inputs the sample does not have: {', '.join(missing)}")
        values = [inputs[spec.name] for spec in declared]
    elif len(declared) != len(inputs):
        raise ExportSkipped(f"the ONNX graph takes {len(declared)} inputs, the sample has {len(inputs)}")
    else:
        values = list(inputs)
    feed = {}
    for spec, value in zip(declared, values):
        value = _as_graph_input(value, spec.type)
        if value.ndim == 1 and len(spec.shape) == 2:
            value = value.reshape(-1, 1)
        feed[spec.name] = value
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

