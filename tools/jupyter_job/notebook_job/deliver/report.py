"""Assemble the job report (JSON) and the one-line verdict printed at the end of the job.

The report says what ran and how long each cell took, which models were exported by which route
and how closely the ONNX files match them, which variables were saved or left out, the package
versions, the device, the seed and the checksums of the inputs.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

from notebook_job import __version__
from notebook_job.errors import EXIT_INTERRUPTED, EXIT_NO_MODEL, EXIT_OK, EXIT_TIME_LIMIT, EXIT_USER_CODE

TOOL = "run_jupyter_job"


def collect_warnings(outcome: dict) -> list[str]:
    """Warnings of every model and of the results, each prefixed with what it is about."""
    warnings = [f"model {entry['name']}: {text}" for entry in outcome.get("models", []) for text in entry["warnings"]]
    warnings += outcome.get("results", {}).get("warnings", [])
    warnings += outcome.get("native_archive", {}).get("warnings", [])
    if outcome.get("models") == []:
        warnings.append("no trained model was found in the notebook's variables; no ONNX file was written")
    return warnings


STOPPED_EXPORTING = "not exported: the job was stopped while it was being exported"
NEVER_STARTED = "not exported: the job was stopped before its export began"
PHASE_WORDS = {"starting": "before the first cell", "results": "while writing the results",
               "native archive": "while saving the models in their own formats",
               "done": "after every output was written"}


def settle_models(outcome: dict) -> None:
    """Models a killed child left 'exporting' or 'pending' are recorded as not exported, with why."""
    for entry in outcome.get("models", []):
        if entry.get("state") == "exporting":
            entry.update(state="not exported", onnx=None)
            entry["warnings"].append(STOPPED_EXPORTING)
        elif entry.get("state") == "pending":
            entry.update(state="not exported")
            entry["warnings"].append(NEVER_STARTED)


def where_stopped(outcome: dict | None) -> str:
    """'in cell 2', 'while exporting model 'unet' (2/3)', ...: where a stop reached the job."""
    outcome = outcome or {}
    failure = outcome.get("failure")
    if failure and failure.get("kind") == "interrupted":
        return f"in {failure['where']}"
    stop = outcome.get("stopped_during") or {}
    phase = stop.get("phase") or outcome.get("phase")
    if phase == "export":
        model = stop.get("model") or outcome.get("exporting")
        if model:
            position = f" ({stop['position']})" if stop.get("position") else ""
            return f"while exporting model {model!r}{position}"
        return "while exporting the models"
    return PHASE_WORDS.get(phase, "in the code")


def verdict(outcome: dict | None, child, time_limit: float, require_model: bool) -> tuple[int, str, str]:
    """(exit code, status word, one line for stderr or stdout) for the whole job."""
    failure = (outcome or {}).get("failure")
    if child.timed_out:
        return EXIT_TIME_LIMIT, "time limit", (f"time limit of {time_limit:g} s reached {where_stopped(outcome)}; "
                                              "the outputs written by then are kept")
    if child.terminated:
        return EXIT_INTERRUPTED, "interrupted", (f"stopped by SIGTERM {where_stopped(outcome)}; "
                                                 "the outputs written by then are kept")
    if outcome is None or child.returncode != 0:
        how = f"killed by signal {-child.returncode}" if child.returncode < 0 else f"exit status {child.returncode}"
        return EXIT_USER_CODE, "crashed", f"the notebook's process ended without finishing ({how})"
    if failure:
        return EXIT_USER_CODE, "error", f"error in {failure['where']}: {failure['message']}"
    exported = [entry for entry in outcome.get("models", []) if entry.get("onnx")]
    if require_model and not exported:
        return EXIT_NO_MODEL, "no model", "no model was exported to ONNX, and the job was asked to require one"
    summary = ", ".join(f"{entry['name']} (max abs diff {entry['parity']['max_abs_diff']:.2g})" for entry in exported)
    return EXIT_OK, "ok", f"finished; ONNX models: {summary or 'none'}"


def build_report(*, status: str, message: str, code: dict, inputs: list[dict], ipython: list[dict],
                 parameters: dict, seed: int, outcome: dict | None, child_seconds: float | None) -> dict:
    outcome = outcome or {}
    return {
        "tool": TOOL,
        "runner_version": __version__,
        "status": status,
        "message": message,
        "phase_reached": outcome.get("phase"),
        "stopped_during": outcome.get("stopped_during"),
        "code": code,
        "inputs": inputs,
        "parameters": parameters,
        "seed": seed,
        "ipython_lines": ipython,
        "cells": outcome.get("cells", []),
        "models": outcome.get("models", []),
        "training_curves": outcome.get("training_curves", []),
        "results": outcome.get("results", {}),
        "native_archive": outcome.get("native_archive"),
        "warnings": collect_warnings(outcome) if outcome else [],
        "device": outcome.get("device", "unknown"),
        "versions": outcome.get("versions", {}),
        "host": platform.node(),
        "seconds": {"child": round(child_seconds, 3) if child_seconds is not None else None,
                    "export": outcome.get("export_seconds")},
    }


def write_report(path: Path, report: dict) -> None:
    path.write_text(json.dumps(report, indent=1, default=str) + "\n")
