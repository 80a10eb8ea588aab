"""Export one found model to ONNX and check the file against the original model.

Every export is verified: ``onnx.checker`` checks the file, onnxruntime runs it on a real sample
and its outputs are compared with the original model's (max abs diff, label agreement). A route
(an ``Attempt``) counts only once all of that passed; after any failure the next attempt is tried,
and the report names the route that was validated, never one that merely wrote a file. Attempts
write into a scratch folder: only a verified file is moved into the ONNX folder that Galaxy
collects, so a file half-written when the job was stopped is never delivered.

Each framework's route lives in a module of its own (registry.py says which), imported only for a
model of its framework, so exporting a scikit-learn model never imports TensorFlow or torch.
"""
from __future__ import annotations

import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from notebook_job.export.models import FoundModel
from notebook_job.export.parity import Comparison, run_onnx
from notebook_job.export.registry import route_for
from notebook_job.export.route import Attempt, ExportRefused, ExportSkipped, first_line, one_line
from notebook_job.export.samples import SAMPLE_ROWS

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def _validated(attempt: Attempt, model, compare: Callable, path: Path) -> tuple[str, Comparison]:
    """Write, check and compare one attempt: (the route's name as taken, comparison); raises whatever went wrong."""
    import onnx

    name = attempt.write(path) or attempt.name
    onnx.checker.check_model(str(path))
    return name, compare(model, attempt.model_input, run_onnx(path, attempt.onnx_inputs))


def _best_attempt(attempts: list[Attempt], model, compare: Callable, scratch: Path, name: str,
                  progress: Progress) -> tuple[str, Path, Comparison, list[str]]:
    """The first attempt within tolerance, else the closest one that ran; (route, file, comparison, failures)."""
    failures: list[str] = []
    best: tuple[str, Path, Comparison] | None = None
    for number, attempt in enumerate(attempts, start=1):
        path = scratch / f"{name}.{number}.onnx"
        progress(f"model {name!r}: trying {attempt.name}")
        try:
            route, comparison = _validated(attempt, model, compare, path)
        except ExportRefused:
            path.unlink(missing_ok=True)
            raise
        except ExportSkipped as error:
            failures.append(f"{attempt.name}: {one_line(str(error))}")
        except Exception as error:  # noqa: BLE001 - a failed route only means the next one is tried
            failures.append(f"{attempt.name}: {first_line(error)}")
        else:
            if best is None or comparison.within_tolerance or comparison.max_abs_diff < best[2].max_abs_diff:
                if best is not None:
                    best[1].unlink(missing_ok=True)
                best = (route, path, comparison)
            else:
                path.unlink(missing_ok=True)
            if comparison.within_tolerance:
                break
            failures.append(f"{route}: the ONNX outputs differ beyond the tolerance "
                            f"(max abs diff {comparison.max_abs_diff:.3g})")
            continue
        path.unlink(missing_ok=True)
    if best is None:
        raise ExportSkipped("; ".join(failures) or "no route to ONNX for this model")
    return (*best, failures)


def _export_checked(found: FoundModel, namespace: dict, onnx_dir: Path, scratch: Path, entry: dict,
                    progress: Progress) -> None:
    """Prepare, sample, try the routes, move the verified file into ``onnx_dir``; fills ``entry`` as it goes."""
    route = route_for(found.framework)
    model, extra = route.prepare(found.model)
    entry.update(extra)
    sample = route.sample(model, namespace, found.name)
    entry["warnings"].extend(sample.warnings)
    entry["sample"] = sample.source
    route_name, path, comparison, failures = _best_attempt(route.attempts(model, sample), model, route.compare,
                                                        scratch, found.name, progress)
    if failures:
        entry["failed_routes"] = failures
    shutil.move(str(path), str(onnx_dir / f"{found.name}.onnx"))
    entry["route"] = route_name
    entry["parity"] = comparison.as_dict(min(sample.rows, SAMPLE_ROWS))
    entry["onnx"] = f"{found.name}.onnx"
    if not comparison.within_tolerance:
        entry["warnings"].append("the ONNX outputs differ from the original model beyond the tolerance")


def new_entry(found: FoundModel) -> dict:
    """A model's report entry before its export: its state is 'pending'."""
    return {"name": found.name, "framework": found.framework, "class": found.class_name, "state": "pending",
            "onnx": None, "warnings": list(found.warnings)}


def export_model(found: FoundModel, namespace: dict, onnx_dir: Path, scratch: Path | None = None,
                 progress: Progress = _quiet, entry: dict | None = None) -> dict:
    """Export ``found`` to ``onnx_dir/<name>.onnx``; the report entry says how, and how well it matches.

    Converters' own warnings (deprecations, feature-name checks on our calls) are about the runner's
    calls, not the user's code: they are kept in the entry's ``export_messages``, off the job's stderr.
    """
    entry = new_entry(found) if entry is None else entry
    entry["state"] = "exporting"
    started = time.perf_counter()
    own_scratch = scratch is None
    scratch = Path(tempfile.mkdtemp(prefix="onnx_scratch_")) if own_scratch else scratch
    scratch.mkdir(parents=True, exist_ok=True)
    onnx_dir.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                _export_checked(found, namespace, onnx_dir, scratch, entry, progress)
            finally:
                messages = sorted({f"{item.category.__name__}: {one_line(str(item.message))}" for item in caught})
                if messages:
                    entry["export_messages"] = messages
    except ExportSkipped as skipped:
        entry["warnings"].append(f"not exported: {one_line(str(skipped))}")
    except Exception as error:  # noqa: BLE001 - one model's failure must not lose the job's other outputs
        entry["warnings"].append(f"not exported: {first_line(error)}")
    finally:
        for leftover in scratch.glob(f"{found.name}.*.onnx"):
            leftover.unlink()
        if own_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        entry["seconds"] = round(time.perf_counter() - started, 3)
    entry["state"] = "exported" if entry["onnx"] else "not exported"
    return entry
