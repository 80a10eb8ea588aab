"""Live progress of a run_jupyter_job job, read while it runs through Galaxy's console output API.

The runner prints one line per cell ('[run_jupyter_job] cell 3 (3/7) started', '... ok in 2.10 s');
Galaxy serves a running job's stdout from a byte position on (GET /api/jobs/{id}/console_output),
so each poll asks only for what is new. ``RemoteJob.progress()`` / ``RemoteJob.follow()`` in code and
the JupyterLab scheduler backend (through ``python -m remote_training follow``) both read it here.

Galaxy serves this only where the job's destination sets ``live_tool_output_reporting``; elsewhere
the lines arrive with the job's stdout when it ends.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from remote_training.connection import Galaxy

PROGRESS_PREFIX = "[run_jupyter_job] "
WAITING_STATES = {"new", "queued", "upload", "waiting"}
TERMINAL_STATES = {"ok", "error", "deleted", "deleted_new", "deleting", "failed", "skipped", "stopped"}
CHUNK_BYTES = 1 << 20


def progress_lines(text: str) -> list[str]:
    """The runner's progress lines in ``text``, without their prefix."""
    return [line[len(PROGRESS_PREFIX):].strip() for line in text.splitlines() if line.startswith(PROGRESS_PREFIX)]


@dataclass
class JobProgress:
    """What is known of a job after one poll: Galaxy's state, every progress line so far, the new ones."""

    state: str
    lines: list[str] = field(default_factory=list)
    new_lines: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def last(self) -> str:
        return self.lines[-1] if self.lines else ""

    def summary(self) -> str:
        """One line for a job list: 'running · cell 3 (3/7) started'."""
        return f"{self.state} · {self.last}" if self.last else self.state


class ConsoleReader:
    """Reads a job's stdout incrementally; complete lines only, so a line is never shown half-written."""

    def __init__(self, galaxy: Galaxy, job_id: str):
        self.galaxy, self.job_id = galaxy, job_id
        self.position = 0  # bytes of stdout consumed (Galaxy seeks the file by byte offset)
        self.pending = ""
        self.lines: list[str] = []

    def _get_json(self, url: str, params: dict) -> dict | None:
        """The JSON answer, or None where the destination does not report live output (HTTP 403)."""
        response = self.galaxy.call(self.galaxy.gi.make_get_request, url, params=params)
        if response.status_code == 403:
            return None
        response.raise_for_status()
        return response.json()

    def _consume(self, text: str) -> list[str]:
        self.position += len(text.encode("utf-8"))
        complete, _, self.pending = (self.pending + text).rpartition("\n")
        new = progress_lines(complete)
        self.lines.extend(new)
        return new

    def poll(self) -> JobProgress:
        """Galaxy's state and the progress lines printed since the last poll."""
        state = self.galaxy.call(self.galaxy.gi.jobs.show_job, self.job_id)["state"]
        if state in WAITING_STATES:  # not dispatched yet: no output, and Galaxy cannot serve it (HTTP 500)
            return JobProgress(state, list(self.lines), [])
        console = self._get_json(f"{self.galaxy.gi.url}/jobs/{self.job_id}/console_output",
                                 {"stdout_position": self.position, "stdout_length": CHUNK_BYTES,
                                  "stderr_position": 0, "stderr_length": 0})
        text = ""
        if console is None:  # no live output here: the state only, and the whole stdout once it ends
            if state in TERMINAL_STATES:
                details = self.galaxy.call(self.galaxy.gi.jobs.show_job, self.job_id, full_details=True)
                text = details.get("tool_stdout") or details.get("stdout") or ""
        else:
            state, text = console["state"], console.get("stdout") or ""
        if state in TERMINAL_STATES:
            # an ended job's answer is its whole stdout, not the part after our position
            text = text.encode("utf-8")[self.position:].decode("utf-8", errors="replace") + "\n"
        new = self._consume(text) if text else []
        return JobProgress(state, list(self.lines), new)
