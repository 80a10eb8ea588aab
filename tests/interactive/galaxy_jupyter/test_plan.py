"""galaxy_jupyter.plan: the session plan Galaxy writes, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from galaxy_jupyter.layout import SessionError
from galaxy_jupyter.plan import load_plan
from session_testdata import write_plan


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"mode": "scratch"}, "unknown mode"),
        ({"mode": "new", "run": "run_only"}, "only a notebook from the history can be run"),
        ({"mode": "history"}, "needs a notebook dataset"),
        ({"mode": "history", "notebook": {"path": "x"}, "run": "later"}, "unknown run choice"),
        ({"mode": "git"}, "needs a repository URL"),
    ],
)
def test_bad_plans_are_one_clear_error(tmp_path: Path, plan: dict, message: str) -> None:
    with pytest.raises(SessionError, match=message):
        load_plan(write_plan(tmp_path, plan))


def test_unreadable_plan(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{not json")
    with pytest.raises(SessionError, match="cannot read the session plan"):
        load_plan(tmp_path / "plan.json")
