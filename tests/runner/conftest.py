"""Shared set-up for the runner's tests: the package on sys.path, notebooks from cell lists, the CLI.

The runner package lives in tools/jupyter_job/ (beside the tool XML, not installed), so the tests
import it from there, and the end-to-end tests run it exactly as the tool's command does: a
separate ``python -m notebook_job`` with PYTHONPATH pointing at that folder.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL_DIR = REPO / "tools" / "jupyter_job"
TEST_DATA = REPO / "test-data"
PYTHON = sys.executable
CLI_TIMEOUT = 900  # a bound for a hung job only: importing TensorFlow alone took 115 s on the loaded machine

if str(TOOL_DIR) not in sys.path:
    sys.path.insert(0, str(TOOL_DIR))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than about 10 s (TensorFlow, time limits)")


def notebook_document(cells: list, nbformat: int = 4) -> dict:
    """A notebook from cells given as code text, or (cell_type, source) / (cell_type, source, tags)."""
    built = []
    for index, cell in enumerate(cells, start=1):
        cell_type, source, tags = ("code", cell, []) if isinstance(cell, str) else (tuple(cell) + ([],))[:3]
        entry = {"cell_type": cell_type, "id": f"c{index}", "metadata": {"tags": tags} if tags else {},
                 "source": source}
        if cell_type == "code":
            entry.update(execution_count=None, outputs=[])
        built.append(entry)
    return {"cells": built, "metadata": {}, "nbformat": nbformat, "nbformat_minor": 5}


@pytest.fixture
def write_notebook(tmp_path: Path):
    """``write_notebook(cells, name="notebook.ipynb")`` -> the path of a notebook written under tmp_path."""
    def write(cells: list, name: str = "notebook.ipynb", nbformat: int = 4) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(notebook_document(cells, nbformat), indent=1))
        return path
    return write


@pytest.fixture(scope="session")
def test_data() -> Path:
    """The repository's committed test-data/ folder (read-only for the tests)."""
    return TEST_DATA


@pytest.fixture(scope="session")
def tool_dir() -> Path:
    """tools/jupyter_job/: the launcher and the runner package, as the tool XML ships them."""
    return TOOL_DIR


@pytest.fixture
def make_h5(tmp_path: Path):
    """``make_h5(name, **arrays)`` -> an HDF5 file under tmp_path/inputs with one dataset per array."""
    import h5py

    folder = tmp_path / "inputs"

    def make(name: str, **arrays) -> Path:
        folder.mkdir(exist_ok=True)
        path = folder / name
        with h5py.File(path, "w") as h5:
            for key, array in arrays.items():
                h5[key] = array
        return path
    return make


def package_env() -> dict:
    """The environment the tool's command gives the runner: our package importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TOOL_DIR), env.get("PYTHONPATH")]))
    return env


@dataclass
class CliRun:
    """What one ``python -m notebook_job`` run left behind."""

    returncode: int
    stdout: str
    stderr: str
    dir: Path

    @property
    def last_stderr_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else ""

    def report(self) -> dict:
        return json.loads((self.dir / "report.json").read_text())


def cli_command(*args: object) -> list[str]:
    return [PYTHON, "-m", "notebook_job", *map(str, args)]


def run_cli_in(directory: Path, *args: object, timeout: float = CLI_TIMEOUT) -> CliRun:
    """Run the CLI with ``args`` in ``directory`` (its default outputs land there)."""
    directory.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(cli_command(*args), cwd=directory, env=package_env(), capture_output=True, text=True,
                          timeout=timeout)
    return CliRun(done.returncode, done.stdout, done.stderr, directory)


def run_cli_stopped_at(directory: Path, line: str, *args: object, timeout: float = CLI_TIMEOUT) -> CliRun:
    """Run the CLI in ``directory`` and send it SIGTERM (as Galaxy's walltime does) once the job prints ``line``.

    The stop follows an event of the job itself, never a clock: the job says when it is at the point where the
    test wants the stop (e.g. training held after its first checkpointed epoch), whatever the machine's speed.
    ``timeout`` only bounds a broken run.
    """
    directory.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(cli_command(*args), cwd=directory, env=package_env(), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    seen: list[str] = []
    try:
        for output in process.stdout:
            seen.append(output)
            if output.rstrip("\n") == line:
                process.send_signal(signal.SIGTERM)
                break
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return CliRun(process.returncode, "".join(seen) + stdout, stderr, directory)


@pytest.fixture
def start_cli(tmp_path: Path):
    """``start_cli(*args)`` -> (Popen with text pipes, job folder) for tests that signal a running job.

    The job gets its own session, so that whatever is left of it (the child too) is killed afterwards.
    """
    started: list[subprocess.Popen] = []

    def start(*args: object) -> tuple[subprocess.Popen, Path]:
        directory = tmp_path / "job"
        directory.mkdir(exist_ok=True)
        started.append(subprocess.Popen(cli_command(*args), cwd=directory, env=package_env(), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True))
        return started[-1], directory
    yield start
    for process in started:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()


@pytest.fixture(scope="session")
def cli_in():
    """``cli_in(directory, *args)`` -> CliRun, for module-scoped fixtures that run one job for many tests."""
    return run_cli_in


@pytest.fixture(scope="session")
def cli_stopped_at():
    """``cli_stopped_at(directory, line, *args)`` -> CliRun of a job sent SIGTERM when it prints ``line``."""
    return run_cli_stopped_at


@pytest.fixture
def run_cli(tmp_path: Path):
    """``run_cli(*args)`` -> CliRun of the CLI run in tmp_path/job (the same folder for every call of a test)."""
    def run(*args: object, timeout: float = CLI_TIMEOUT) -> CliRun:
        return run_cli_in(tmp_path / "job", *args, timeout=timeout)
    return run


@pytest.fixture
def run_python(tmp_path: Path):
    """``run_python(code)`` -> stdout of ``code`` run in a fresh interpreter in tmp_path, the package importable.

    For what an in-process test cannot see: which modules an import pulls in, import-time hooks.
    """
    def run(code: str) -> str:
        done = subprocess.run([PYTHON, "-c", code], cwd=tmp_path, env=package_env(), capture_output=True, text=True,
                              timeout=CLI_TIMEOUT)
        assert done.returncode == 0, done.stderr
        return done.stdout
    return run


@pytest.fixture
def restore_main():
    """Put back pytest's own ``__main__`` and working directory after code that replaces them."""
    main, cwd = sys.modules["__main__"], os.getcwd()
    yield
    sys.modules["__main__"] = main
    os.chdir(cwd)


@pytest.fixture(scope="session")
def keras():
    """Keras, imported once for the whole session (about 3 s) and seeded."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    return keras


@pytest.fixture(scope="session")
def notebook_in():
    """``notebook_in(folder, cells, name="notebook.ipynb")`` -> path: write_notebook for module-scoped fixtures."""
    def write(folder: Path, cells: list, name: str = "notebook.ipynb") -> Path:
        path = folder / name
        path.write_text(json.dumps(notebook_document(cells), indent=1))
        return path
    return write
