"""The session plan: the JSON configfile Galaxy writes from the tool's form."""

from __future__ import annotations

import json
from pathlib import Path

from .layout import SessionError

MODES = ("new", "history", "git")
RUN_CHOICES = ("open", "run_then_open", "run_only")


def load_plan(path: Path) -> dict:
    """Read and check the session plan (the tool's configfile)."""
    try:
        plan = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise SessionError(f"cannot read the session plan {path}: {err}") from err
    mode = plan.get("mode")
    if mode not in MODES:
        raise SessionError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    run = plan.setdefault("run", "open")
    if run not in RUN_CHOICES:
        raise SessionError(f"unknown run choice {run!r}; expected one of {', '.join(RUN_CHOICES)}")
    if run != "open" and mode != "history":
        raise SessionError("only a notebook from the history can be run before the session")
    if mode == "history" and not (plan.get("notebook") or {}).get("path"):
        raise SessionError("mode 'history' needs a notebook dataset")
    if mode == "git" and not plan.get("repository"):
        raise SessionError("mode 'git' needs a repository URL")
    plan.setdefault("inputs", [])
    return plan
