"""Live progress of notebook jobs in the client library: RemoteJob.progress(), follow(), the CLI.

The Galaxy tests use a notebook that waits for a file the test writes, so progress lines are seen
while the job runs, whatever the machine's speed.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from remote_training import RemoteJob, RemoteJobFailed, submit
from remote_training.cli import typed_value
from remote_training.progress import ConsoleReader, JobProgress, progress_lines

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebook_jobs"))
from job_notebooks import STARTED_LINES, WAITING_LINE, write_gated_notebook  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "interactive" / "client"
HISTORY = "client progress tests"
BOUND_SECONDS = 900


# --- without Galaxy ------------------------------------------------------------------------------------


def test_progress_lines_are_the_runners_lines_without_the_prefix():
    text = ("Epoch 1/3\n[run_jupyter_job] cell 2 (1/3) started\nloss 0.3\n"
            "[run_jupyter_job] cell 2 (1/3) ok in 0.10 s\n")
    assert progress_lines(text) == ["cell 2 (1/3) started", "cell 2 (1/3) ok in 0.10 s"]


def test_a_line_split_across_two_polls_is_shown_once_and_whole():
    reader = ConsoleReader(galaxy=None, job_id="x")
    assert reader._consume("[run_jupyter_job] cell 2 (1/3) sta") == []
    assert reader._consume("rted\n[run_jupyter_job] café\n") == ["cell 2 (1/3) started", "café"]
    assert reader.position == len("[run_jupyter_job] cell 2 (1/3) started\n[run_jupyter_job] café\n".encode())


def test_a_summary_names_the_state_and_the_last_line():
    assert JobProgress("running", ["cell 2 (1/3) started"]).summary() == "running · cell 2 (1/3) started"
    assert JobProgress("queued").summary() == "queued" and not JobProgress("queued").finished
    assert JobProgress("error").finished


@pytest.mark.parametrize(("text", "value"), [("20", 20), ("0.5", 0.5), ("true", True), ("[1, 2]", [1, 2]),
                                             ("adam", "adam"), ('"7"', '"7"'), ("", "")])
def test_form_text_is_typed_as_the_tool_types_parameters(text, value):
    assert typed_value(text) == value


@pytest.mark.parametrize("args", [["submit", "no_such.ipynb"], ["submit", "README.md", "--param", "novalue"]])
def test_bad_cli_input_is_one_line_on_stderr_and_exit_2(args):
    done = subprocess.run([sys.executable, "-m", "remote_training", *args], cwd=REPO, capture_output=True, text=True,
                          env={"PYTHONPATH": str(CLIENT), "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")


# --- against the local Galaxy ---------------------------------------------------------------------------


def wait_for(condition, what: str, poll_seconds: float = 2.0):
    deadline = time.monotonic() + BOUND_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll_seconds)
    pytest.fail(f"{what}: not within {BOUND_SECONDS} s")


@pytest.mark.galaxy
def test_progress_shows_cells_while_the_job_runs_and_follow_prints_the_rest(galaxy, tmp_path, request):
    notebook = write_gated_notebook(tmp_path / "work")
    release = tmp_path / "release"
    job = submit(notebook, inputs={"train.h5": notebook.parent / "train.h5"}, parameters={"release_file": str(release)},
                 history=HISTORY, galaxy=galaxy)
    request.addfinalizer(lambda: release.write_text("go\n"))  # never leave the job waiting
    seen = wait_for(lambda: (progress := job.progress()).state == "running" and WAITING_LINE in progress.lines
                    and progress, "the waiting cell's progress line")
    assert [line for line in seen.lines if line.endswith(" started")] == STARTED_LINES[:4]
    assert seen.lines[1].startswith("cell 2 (1/5) ok in ") and seen.lines[-1] == WAITING_LINE
    assert job.status() == "running"  # read live, not from the finished job's stdout
    printed: list[str] = []
    release.write_text("go\n")
    assert job.follow(show=printed.append, timeout=BOUND_SECONDS, poll_seconds=2).status() == "ok"
    assert f"Galaxy job {job.id}: ok" in printed
    assert any(line.startswith("cell 5 (5/5) ok in ") for line in printed)
    assert WAITING_LINE not in printed  # already shown by progress(): follow prints only what is new
    whole = job.progress().lines
    assert whole[: len(seen.lines)] == seen.lines
    assert [line for line in whole if line.endswith(" started")] == STARTED_LINES


@pytest.mark.galaxy
def test_follow_ends_with_the_failing_cell_and_line(galaxy, test_data_dir):
    job = submit(test_data_dir / "fails_in_cell3.ipynb", history=HISTORY, galaxy=galaxy)
    printed: list[str] = []
    with pytest.raises(RemoteJobFailed, match=r"error in cell 3, line 2: ZeroDivisionError: division by zero$"):
        job.follow(show=printed.append, timeout=BOUND_SECONDS, poll_seconds=2)
    assert "cell 3 (2/3) started" in printed and "cell 4 (3/3) started" not in printed


@pytest.mark.galaxy
def test_the_cli_follows_a_job_in_json_lines(galaxy, galaxy_url, galaxy_api_key, test_data_dir):
    job = submit(test_data_dir / "fails_in_cell3.ipynb", history=HISTORY, galaxy=galaxy)
    env = {"PYTHONPATH": str(CLIENT), "GALAXY_URL": galaxy_url, "API_KEY": galaxy_api_key, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "remote_training", "--json", "follow", job.id, "--poll-seconds", "2"],
                          env=env, capture_output=True, text=True, timeout=BOUND_SECONDS, check=False)
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1
    assert events[-1]["outcome"] == "failed" and events[-1]["message"].endswith("error in cell 3, line 2: "
                                                                               "ZeroDivisionError: division by zero")
    lines = [line for event in events[:-1] for line in event["new_lines"]]
    assert lines[:2] == ["cell 2 (1/3) started", lines[1]] and "cell 3 (2/3) started" in lines
    assert RemoteJob.attach(job.id, galaxy=galaxy).status() == "error"
