"""What a cell shows while it runs: text passed through and kept, figures turned into PNGs."""
from __future__ import annotations

import base64
import sys

import pytest

from notebook_job.run import cell_capture
from notebook_job.run.cell_capture import TRUNCATED, CellCapture

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def pyplot():
    """matplotlib's pyplot on the Agg backend, with no figure left open before or after the test."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")


def test_text_is_passed_through_and_kept(capsys):
    with CellCapture() as capture:
        print("epoch 1")
        print("warning: slow", file=sys.stderr)
        sys.stdout.write("no newline")
    assert capsys.readouterr() == ("epoch 1\nno newline", "warning: slow\n")
    assert capture.record == {"stdout": "epoch 1\nno newline", "stderr": "warning: slow\n", "images": []}


def test_the_streams_are_put_back(capsys):
    before = sys.stdout, sys.stderr
    with CellCapture():
        assert sys.stdout is not before[0] and sys.stderr is not before[1]
    assert (sys.stdout, sys.stderr) == before


def test_the_streams_are_put_back_after_an_error(capsys):
    before = sys.stdout, sys.stderr
    with pytest.raises(ZeroDivisionError):
        with CellCapture() as capture:
            print("before the error")
            1 / 0
    assert (sys.stdout, sys.stderr) == before
    assert capture.record["stdout"] == "before the error\n"


def test_text_past_the_cap_is_truncated_but_still_printed(capsys, monkeypatch):
    monkeypatch.setattr(cell_capture, "MAX_TEXT_PER_CELL", 10)
    with CellCapture() as capture:
        print("0123456", end="")
        print("789abc", end="")
        print("never kept")
        print("short", file=sys.stderr)
    assert capsys.readouterr().out == "0123456789abcnever kept\n"
    assert capture.record["stdout"] == "0123456789" + TRUNCATED
    assert TRUNCATED == "\n[output truncated by run_jupyter_job]\n"
    assert capture.record["stderr"] == "short\n"


def test_text_exactly_at_the_cap_is_not_marked_truncated(capsys, monkeypatch):
    monkeypatch.setattr(cell_capture, "MAX_TEXT_PER_CELL", 10)
    with CellCapture() as capture:
        print("012345678")
    assert capture.record["stdout"] == "012345678\n"


def test_the_captured_streams_write_like_the_real_ones(capsys):
    real_encoding = sys.stdout.encoding
    with CellCapture() as capture:
        assert (sys.stdout.isatty(), sys.stdout.writable(), sys.stdout.encoding) == (False, True, real_encoding)
        assert sys.stdout.write("abc") == 3
        sys.stdout.flush()
    assert capture.record["stdout"] == "abc"


def test_open_figures_become_pngs_and_are_closed(capsys, pyplot):
    with CellCapture() as capture:
        pyplot.plot([1, 2, 3], [3, 1, 2])
        pyplot.title("loss")
        pyplot.figure(figsize=(2, 2))
        pyplot.bar(["a", "b"], [1, 2])
    images = capture.record["images"]
    assert len(images) == 2
    decoded = [base64.b64decode(image, validate=True) for image in images]
    assert all(data.startswith(PNG_SIGNATURE) for data in decoded)
    assert decoded[0] != decoded[1]
    assert pyplot.get_fignums() == []


def test_a_figure_closed_by_the_cell_is_not_shown(capsys, pyplot):
    with CellCapture() as capture:
        figure = pyplot.figure()
        pyplot.plot([1, 2])
        pyplot.close(figure)
    assert capture.record["images"] == []


def test_no_figures_without_matplotlib_imported(capsys, monkeypatch):
    monkeypatch.delitem(sys.modules, "matplotlib.pyplot", raising=False)
    with CellCapture() as capture:
        print("plain")
    assert capture.record == {"stdout": "plain\n", "stderr": "", "images": []}


def test_a_figure_that_cannot_be_drawn_is_an_error_line_not_a_crash(capsys, pyplot):
    with CellCapture() as capture:
        pyplot.plot([1, 2])
        pyplot.title(r"$\frac{1$")
        pyplot.figure()
        pyplot.plot([2, 1])
    (image,) = capture.record["images"]
    assert base64.b64decode(image).startswith(PNG_SIGNATURE)
    line = ("[run_jupyter_job] figure 1 could not be drawn: ValueError: \\frac{1 ^ ParseSyntaxException: "
            "Expected \\frac{num}{den}, found '{' (at char 5), (line:1, col:6)\n")
    assert capture.record["stderr"] == line and capsys.readouterr().err == line
    assert pyplot.get_fignums() == []
