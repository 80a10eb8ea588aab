"""The job report as one self-contained HTML page, rendered from the same data as report.json.

What a person looks at first: the verdict, the training curves (inline SVG drawn here), the ONNX
parity table, per-cell times, warnings, device and versions. No script, no external resource, no
web font: Galaxy shows tool HTML sanitized unless an admin allow-lists the tool, and a job's output
must read the same offline years later. Every value from the report is escaped.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

WIDTH, HEIGHT, MARGIN = 560, 220, 44
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
STYLE = """body{font-family:sans-serif;margin:1.5em;color:#222;max-width:70em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.ok{color:#176d17}.bad{color:#a31515}.muted{color:#666}svg{margin:0 1.5em 1em 0}"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """``rows`` hold HTML already escaped by the caller."""
    head = "".join(f"<th>{_e(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _scale(low: float, high: float, start: float, end: float):
    span = (high - low) or 1.0
    return lambda value: start + (value - low) / span * (end - start)


def curve_svg(title: str, series: dict[str, list[float | None]]) -> str:
    """One chart: each series a polyline over its index (epochs), a legend, min and max on the y axis."""
    values = [value for points in series.values() for value in points if value is not None and math.isfinite(value)]
    if not values:
        return ""
    low, high = min(values), max(values)
    longest = max(len(points) for points in series.values())
    x_of = _scale(0, max(longest - 1, 1), MARGIN, WIDTH - 10)
    y_of = _scale(low, high, HEIGHT - 30, 20)
    parts = [f'<svg width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-label="{_e(title)}">', f'<title>{_e(title)}</title>',
             f'<rect x="{MARGIN}" y="20" width="{WIDTH - MARGIN - 10}" height="{HEIGHT - 50}" fill="none" '
             'stroke="#bbb"/>',
             f'<text x="{MARGIN}" y="14" font-size="12">{_e(title)}</text>',
             f'<text x="2" y="24" font-size="10">{high:.4g}</text>',
             f'<text x="2" y="{HEIGHT - 30}" font-size="10">{low:.4g}</text>',
             f'<text x="{MARGIN}" y="{HEIGHT - 16}" font-size="10">0</text>',
             f'<text x="{WIDTH - 40}" y="{HEIGHT - 16}" font-size="10">{longest - 1}</text>']
    for number, (name, points) in enumerate(series.items()):
        colour = COLOURS[number % len(COLOURS)]
        coordinates = " ".join(f"{x_of(index):.1f},{y_of(value):.1f}" for index, value in enumerate(points)
                               if value is not None and math.isfinite(value))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{coordinates}"/>')
        parts.append(f'<text x="{MARGIN + 8 + 110 * number}" y="{HEIGHT - 2}" font-size="11" '
                     f'fill="{colour}">{_e(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _models(report: dict) -> str:
    rows = []
    for model in report.get("models", []):
        parity = model.get("parity") or {}
        ok = parity.get("ok")
        verdict = "" if not parity else ('<span class="ok">yes</span>' if ok else '<span class="bad">no</span>')
        diff = parity.get("max_abs_diff")
        rows.append([_e(model.get("name")), _e(model.get("framework")), _e(model.get("state")),
                     _e(model.get("onnx") or "-"), _e(model.get("route") or "-"), _e(model.get("sample") or "-"),
                     _e(parity.get("rows", "")), "" if diff is None else f"{diff:.3g}",
                     _e(parity.get("label_agreement", "")), _e(", ".join(parity.get("compared", []))), verdict])
    if not rows:
        return '<p class="muted">No trained model was found.</p>'
    return _table(["model", "framework", "state", "ONNX file", "route", "checked on", "rows", "max abs diff",
                   "label agreement", "compared", "within tolerance"], rows)


def _cells(report: dict) -> str:
    rows = [[_e(cell.get("where")), f"{cell.get('seconds', 0):.2f}", _e(cell.get("status"))]
            for cell in report.get("cells", [])]
    return _table(["cell", "seconds", "status"], rows) if rows else '<p class="muted">No cell ran.</p>'


def _list(items: list[str], empty: str) -> str:
    if not items:
        return f'<p class="muted">{_e(empty)}</p>'
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def render_html(report: dict) -> str:
    """The report as a complete HTML document."""
    status_class = "ok" if report.get("status") == "ok" else "bad"
    code = report.get("code", {})
    charts = "".join(curve_svg(chart["name"], chart["series"]) for chart in report.get("training_curves", []))
    versions = ", ".join(f"{name} {version}" for name, version in sorted(report.get("versions", {}).items()))
    seconds = report.get("seconds", {})
    return "".join([
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>run_jupyter_job report: {_e(code.get('name'))}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(code.get('name'))}</h1>",
        f'<p class="{status_class}"><strong>{_e(report.get("status"))}</strong>: {_e(report.get("message"))}</p>',
        f"<p>Device: {_e(report.get('device'))}. Seed {_e(report.get('seed'))}. "
        f"Child process {_e(seconds.get('child'))} s, exports {_e(seconds.get('export'))} s.</p>",
        "<h2>Training curves</h2>", charts or '<p class="muted">No training history was found.</p>',
        "<h2>ONNX models and their parity with the original</h2>", _models(report),
        "<h2>Cells</h2>", _cells(report),
        "<h2>Warnings</h2>", _list(report.get("warnings", []), "None."),
        "<h2>Versions</h2>", f"<p>{_e(versions)}</p>",
        f'<p class="muted">{_e(report.get("tool"))} {_e(report.get("runner_version"))} on {_e(report.get("host"))}; '
        f"code sha256 {_e(code.get('sha256'))}</p>",
        "</body></html>\n"])


def write_report_html(path: Path, report: dict) -> None:
    path.write_text(render_html(report), encoding="utf-8")
