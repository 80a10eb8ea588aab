"""Export each found model to ONNX and check the file against the original model.

Every export is verified: onnxruntime runs the ONNX file on a real sample and its outputs are
compared with the original model's (max abs diff, label agreement). One model failing to export
is a warning in the report; the other models and the job's outputs still come out.

Each framework's route lives in a module of its own (registry.py says which), imported only for a
model of its framework, so exporting a scikit-learn model never imports TensorFlow or torch.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path

from notebook_job.export.models import FoundModel
from notebook_job.export.parity import run_onnx
from notebook_job.export.registry import route_for
from notebook_job.export.route import ExportSkipped
from notebook_job.export.samples import SAMPLE_ROWS


def _export_checked(found: FoundModel, namespace: dict, path: Path, entry: dict) -> None:
    """Export, check the file with onnx, run it with onnxruntime and compare; fills ``entry`` as it goes."""
    import onnx

    prepare, sample_of, export, compare = route_for(found.framework)
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
