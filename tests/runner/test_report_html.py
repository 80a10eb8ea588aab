"""The HTML report: training curves found by type and drawn as inline SVG, parity table, no script or resource."""
from __future__ import annotations

import math
import re
from html.parser import HTMLParser

import numpy as np

from notebook_job.deliver.report_html import curve_svg, render_html
from notebook_job.deliver.training_curves import MAX_POINTS, find_curves, thin

REPORT = {
    "tool": "run_jupyter_job", "runner_version": "0.1.0", "status": "ok", "message": "finished; ONNX models: net",
    "code": {"name": "train <v2>.ipynb", "sha256": "ab" * 32, "cells": 2}, "device": "CPU", "seed": 0,
    "seconds": {"child": 3.2, "export": 0.4}, "host": "node1",
    "cells": [{"where": "cell 1", "seconds": 0.5, "status": "ok"}, {"where": "cell 2", "seconds": 2.25, "status": "ok"}],
    "models": [{"name": "net<script>", "framework": "torch", "state": "exported", "onnx": "net.onnx",
                "route": "torch.onnx.export(dynamo=False)", "sample": "X_test",
                "parity": {"rows": 32, "max_abs_diff": 1.5e-7, "label_agreement": None, "ok": True,
                           "compared": ["outputs"], "notes": []}},
               {"name": "stuck", "framework": "sklearn", "state": "not exported", "onnx": None, "warnings": []}],
    "training_curves": [{"name": "history", "series": {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, None, 0.4]}}],
    "warnings": ["model stuck: not exported: the job was stopped while it was being exported"],
    "versions": {"python": "3.11.7", "torch": "2.13.0"},
}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def parsed(text: str) -> Tags:
    tags = Tags()
    tags.feed(text)
    return tags


def test_the_page_holds_the_report_and_nothing_external():
    page = render_html(REPORT)
    tags = parsed(page)
    assert "script" not in tags.tags and "link" not in tags.tags and "img" not in tags.tags
    assert not any(value and re.match(r"(https?:)?//", value) for _, value in tags.attributes)
    assert "<script>" not in page and "net&lt;script&gt;" in page and "train &lt;v2&gt;.ipynb" in page
    assert tags.tags.count("svg") == 1 and tags.tags.count("polyline") == 2
    assert "<td>1.5e-07</td>" in page and "<td>torch.onnx.export(dynamo=False)</td>" in page
    assert "<td>cell 2</td><td>2.25</td><td>ok</td>" in page
    assert "model stuck: not exported: the job was stopped while it was being exported" in page
    assert "torch 2.13.0" in page and "Device: CPU" in page


def test_a_curve_skips_missing_points_and_labels_its_range():
    svg = curve_svg("history", {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, None, 0.4]})
    first, second = re.findall(r'points="([^"]*)"', svg)
    assert len(first.split()) == 3 and len(second.split()) == 2
    assert ">1.2<" in svg and ">0.25<" in svg and ">loss<" in svg and ">val_loss<" in svg
    assert curve_svg("empty", {"loss": [None, None]}) == ""


def test_curves_are_found_by_shape_and_name():
    namespace = {"losses": [0.9, 0.7, 0.6], "val_acc": np.array([0.5, 0.6, 0.8]), "log": {"train_loss": [3, 2, 1],
                 "lr": [0.1, 0.1, 0.1]}, "loss": 0.5, "rates": [0.1, 0.2], "_loss": [1, 2], "labels": ["a", "b"]}
    charts = find_curves(namespace)
    assert charts == [{"name": "log", "series": {"train_loss": [3.0, 2.0, 1.0]}},
                      {"name": "lists in the notebook", "series": {"losses": [0.9, 0.7, 0.6],
                                                                   "val_acc": [0.5, 0.6, 0.8]}}]


def test_long_curves_are_thinned_and_keep_their_last_point():
    values = [float(index) for index in range(10_001)]
    thinned = thin(values)
    assert len(thinned) <= MAX_POINTS + 1 and thinned[0] == 0.0 and thinned[-1] == 10_000.0
    assert thin([1.0, math.nan, math.inf]) == [1.0, None, None]
