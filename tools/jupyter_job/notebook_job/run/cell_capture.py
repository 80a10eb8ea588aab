"""Record what a cell shows while it runs, for the executed notebook.

Printed text still reaches the job's stdout/stderr as it happens (Galaxy shows it live); a copy,
capped per cell, is kept for the cell's outputs. Figures left open by matplotlib at the end of a
cell become PNG outputs and are closed, as Jupyter's inline backend does.
"""
from __future__ import annotations

import base64
import io
import sys

MAX_TEXT_PER_CELL = 1024 * 1024
TRUNCATED = "\n[output truncated by run_jupyter_job]\n"


class _Tee(io.TextIOBase):
    """Writes through to the real stream and keeps the first MAX_TEXT_PER_CELL characters."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.kept = 0
        self.truncated = False

    def write(self, text: str) -> int:
        self.stream.write(text)
        room = MAX_TEXT_PER_CELL - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(len(text), room)
        self.truncated = self.truncated or len(text) > room
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        """The real stream's, as code that checks ``sys.stdout.encoding`` expects (io.TextIOBase says None)."""
        return getattr(self.stream, "encoding", None) or "utf-8"

    def text(self) -> str:
        return "".join(self.parts) + (TRUNCATED if self.truncated else "")


def _open_figures() -> list[str]:
    """The open figures as base64 PNGs; one that cannot be drawn is said on stderr, as Jupyter shows it."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    images = []
    try:
        for number in pyplot.get_fignums():
            buffer = io.BytesIO()
            try:
                pyplot.figure(number).savefig(buffer, format="png", bbox_inches="tight")
            except Exception as error:  # noqa: BLE001 - a figure that cannot be drawn must not end the job
                reason = " ".join(str(error).split())
                print(f"[run_jupyter_job] figure {number} could not be drawn: {type(error).__name__}: {reason}",
                      file=sys.stderr, flush=True)
                continue
            images.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    finally:
        pyplot.close("all")
    return images


class CellCapture:
    """``with CellCapture() as capture:`` around a cell; then ``capture.record`` holds its outputs."""

    def __enter__(self) -> "CellCapture":
        self.saved = sys.stdout, sys.stderr
        self.out, self.err = _Tee(sys.stdout), _Tee(sys.stderr)
        sys.stdout, sys.stderr = self.out, self.err
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            images = _open_figures()
        finally:
            sys.stdout, sys.stderr = self.saved
        self.record = {"stdout": self.out.text(), "stderr": self.err.text(), "images": images}
