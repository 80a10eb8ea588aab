"""One-line summaries of each output for Galaxy's history (the dataset "info"), written to galaxy.json.

Without them Galaxy shows the job's stdout and stderr as every output's summary, i.e. the per-cell
progress lines ("[run_jupyter_job] cell 3 (2/5) started"). Galaxy's tool-provided metadata (galaxy.json,
keyed by output name) replaces that text per output: its "stdout" is the summary, its "stderr" empty.
"""
from __future__ import annotations

import json
from pathlib import Path


def _shape(item: dict) -> str:
    shape = item.get("shape")
    return f" ({'×'.join(str(n) for n in shape)})" if shape else ""


def results_summary(results: dict) -> str:
    saved = results.get("saved", [])
    if not saved:
        return "no results saved"
    names = ", ".join(f"{item['name']}{_shape(item)}" for item in saved[:8])
    more = f" and {len(saved) - 8} more" if len(saved) > 8 else ""
    skipped = len(results.get("skipped", []))
    return f"{len(saved)} result(s): {names}{more}" + (f"; {skipped} variable(s) left out (see the report)" if skipped else "")


def report_summary(report: dict) -> str:
    models = report.get("models", [])
    warnings = len(report.get("warnings", []))
    line = f"{report.get('status', '?')}: {report.get('message', '')}".strip()
    if not models:
        line += "; no model exported"
    line += f"; device {report.get('device', 'unknown')}"
    return line + (f"; {warnings} warning(s)" if warnings else "")


def output_summaries(report: dict, executed_notebook: bool, native_archive: bool,
                     report_html: bool = False) -> dict[str, str]:
    summaries = {"report": report_summary(report), "results": results_summary(report.get("results", {}))}
    if report_html:
        summaries["report_html"] = (f"the report as a page: {report.get('status', '?')}, training curves, parity "
                                    f"of {len(report.get('models', []))} model(s), per-cell times")
    cells = report.get("cells", [])
    if executed_notebook:
        summaries["executed_notebook"] = f"{report.get('code', {}).get('name', 'notebook')} with the outputs of {len(cells)} cell run(s)"
    if native_archive:
        names = ", ".join(model.get("name", "?") for model in report.get("models", [])) or "none"
        summaries["native_models"] = f"models in their own formats: {names}"
    return summaries


def write_galaxy_json(path: Path, summaries: dict[str, str]) -> None:
    """galaxy.json: per output, the summary Galaxy shows instead of the job's progress lines."""
    path.write_text(json.dumps({name: {"stdout": text, "stderr": ""} for name, text in summaries.items()}) + "\n")
