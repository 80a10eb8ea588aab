"""Each output's summary for Galaxy's history (galaxy.json), instead of the job's progress lines."""
from __future__ import annotations

import json

from notebook_job.deliver.galaxy_summaries import output_summaries, results_summary, write_galaxy_json

REPORT = {
    "status": "ok", "message": "finished; ONNX models: classifier (max abs diff 6.9e-08)", "device": "CPU",
    "code": {"name": "sklearn_train.py"}, "cells": [{}, {}], "warnings": ["w"],
    "models": [{"name": "classifier"}],
    "results": {"saved": [{"name": "epochs", "kind": "scalar"}, {"name": "X_test", "kind": "array", "shape": [45, 13]}],
                "skipped": [{"name": "X"}]},
}


def test_each_output_says_what_it_holds(tmp_path):
    summaries = output_summaries(REPORT, executed_notebook=True, native_archive=True)
    assert summaries == {
        "report": "ok: finished; ONNX models: classifier (max abs diff 6.9e-08); device CPU; 1 warning(s)",
        "results": "2 result(s): epochs, X_test (45×13); 1 variable(s) left out (see the report)",
        "executed_notebook": "sklearn_train.py with the outputs of 2 cell run(s)",
        "native_models": "models in their own formats: classifier",
    }
    path = tmp_path / "galaxy.json"
    write_galaxy_json(path, summaries)
    written = json.loads(path.read_text())
    assert written["report"] == {"stdout": summaries["report"], "stderr": ""}
    assert "started" not in path.read_text()


def test_optional_outputs_only_when_asked_and_empty_results():
    assert set(output_summaries({"status": "ok", "message": "m"}, False, False)) == {"report", "results"}
    assert output_summaries({"status": "ok", "message": "m"}, False, False)["report"] == "ok: m; no model exported; device unknown"
    assert results_summary({}) == "no results saved"
