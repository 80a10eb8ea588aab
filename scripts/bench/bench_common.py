"""What the benchmarks share: timing statistics, the runner's command, notebooks, page-cache control.

Every benchmark measures its baseline in the same run, interleaved with the thing measured, so a
slower or busier machine moves both and the ratio stays meaningful.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOL_DIR = REPO / "tools" / "jupyter_job"
PYTHON = sys.executable
MIB = 1024 * 1024

if str(TOOL_DIR) not in sys.path:
    sys.path.insert(0, str(TOOL_DIR))


@dataclass
class Context:
    """Settings of one benchmark run and the scratch folder (under /tmp) it may fill."""

    scratch: Path
    repeats: int
    shared: dict = field(default_factory=dict)  # things made once and used by several benchmarks


@dataclass
class Row:
    """One line of the results table: a measured figure, its baseline and how they compare."""

    section: str
    what: str
    value: str
    baseline: str = ""
    ratio: str = ""
    goal: str = ""
    met: bool | None = None
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Samples:
    """Repeated measurements of one quantity; the median is the figure, min-max the spread."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def spread(self) -> float:
        """(max - min) / median: how far apart the repetitions were."""
        return (max(self.values) - min(self.values)) / self.median if self.median else 0.0

    def text(self, unit: str = "s", digits: int = 2, scale: float = 1.0) -> str:
        """``median unit (min-max, n=N)``, each value multiplied by ``scale`` (1000 for ms)."""
        low, mid, high = (scale * value for value in (min(self.values), self.median, max(self.values)))
        return f"{mid:.{digits}f} {unit} ({low:.{digits}f}-{high:.{digits}f}, n={len(self.values)})"


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


def runner_env(**extra: str) -> dict:
    """The environment the tool's command gives the runner: the package importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TOOL_DIR), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra)
    return env


@dataclass
class Timed:
    """One timed command: wall seconds, CPU seconds of it and its descendants, exit status, its output."""

    seconds: float
    cpu_seconds: float
    returncode: int
    output: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 600) -> Timed:
    """Run ``command`` in ``cwd`` (made if missing), stdout and stderr captured together, timed.

    CPU time (user + system, of the command and every descendant it waited for) is counted too: on
    a machine shared with other work the wall time of both sides of a ratio moves with the load,
    the CPU time much less.
    """
    cwd.mkdir(parents=True, exist_ok=True)
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, check=False)
    return Timed(time.perf_counter() - started, _children_cpu() - cpu_before, done.returncode, done.stdout)


def checked(timed: Timed, what: str) -> Timed:
    """``timed``, or an error with the end of its output when the command failed."""
    if timed.returncode != 0:
        tail = "\n".join(timed.output.strip().splitlines()[-15:])
        raise RuntimeError(f"{what} exited with status {timed.returncode}:\n{tail}")
    return timed


def runner_command(code: Path, *args: str) -> list[str]:
    """The runner as the tool's command calls it: ``python -m notebook_job --code CODE ...``, forked by bash.

    Through bash, as in a Galaxy job script, and not started straight from this process: a process
    started by vfork + exec keeps its launcher's peak RSS in ``ru_maxrss``, so the report's
    ``runner_peak_rss_mib`` would show this benchmark's memory (300 MiB launcher: 326 MiB reported,
    18.5 MiB through bash). ``; exit $?`` keeps bash from exec'ing the command in its own place.
    """
    return ["bash", "-c", '"$@"; exit $?', "bash", PYTHON, "-m", "notebook_job", "--code", str(code), *args]


def run_runner(code: Path, job_dir: Path, *args: str, env: dict | None = None) -> tuple[Timed, dict]:
    """(timing, report.json) of one runner job in a fresh ``job_dir``."""
    shutil.rmtree(job_dir, ignore_errors=True)
    timed = checked(run_timed(runner_command(code, *args), job_dir, env or runner_env()), f"the runner on {code.name}")
    return timed, json.loads((job_dir / "report.json").read_text())


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A minimal nbformat 4.5 notebook of code cells, with a Python 3 kernelspec."""
    document = {
        "cells": [{"cell_type": "code", "id": f"cell{index}", "metadata": {}, "source": source,
                   "execution_count": None, "outputs": []} for index, source in enumerate(cells, start=1)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1))
    return path


def write_script(path: Path, cells: list[str]) -> Path:
    """The same cells concatenated: what ``python script.py`` runs as the baseline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(cells) + "\n")
    return path


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def evict_from_page_cache(path: Path) -> None:
    """Drop ``path``'s pages from the page cache (flushing dirty ones first), so the next read hits the disk.

    ``posix_fadvise(DONTNEED)`` works without root and touches only this file; /proc/sys/vm/drop_caches
    is not writable here.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def resident_bytes(path: Path) -> int | None:
    """How much of ``path`` is in the page cache now (util-linux ``fincore``); None where fincore is missing."""
    if shutil.which("fincore") is None:
        return None
    done = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0])


def du_bytes(folder: Path) -> int:
    """Bytes ``du`` counts under ``folder``: symbolic links count as links, not as what they point to."""
    done = subprocess.run(["du", "-s", "--block-size=1", str(folder)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0])


def machine() -> dict:
    """Cores, CPU model, memory, Python: enough to tell which machine a table came from."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    gpu = shutil.which("nvidia-smi") is not None
    return {"cores": os.cpu_count(), "cpu": model, "memory_gib": round(memory / 1024**3, 1),
            "python": platform.python_version(), "nvidia-smi": gpu, "host": platform.node(),
            "load_average_1min": round(os.getloadavg()[0], 2)}


ROW_SHAPE = (512, 512)
CHUNK_ROWS = 8
ROW_BYTES = ROW_SHAPE[0] * ROW_SHAPE[1] * 4


def float32_input(context: Context, rows: int) -> Path:
    """An HDF5 file with one float32 dataset ``X`` of ``rows`` x 512 x 512 (1 MiB a row), chunks of 8 rows.

    The layout of reference/FACTS.md §4. Made once per run under the scratch folder and shared by the
    staging and reading benchmarks; written in blocks, so making it needs no more memory than a block.
    """
    key = f"float32_input_{rows}"
    if key in context.shared:
        return context.shared[key]
    import h5py
    import numpy as np

    path = context.scratch / "data" / f"x_{rows}_rows.h5"
    path.parent.mkdir(parents=True, exist_ok=True)
    needed = rows * ROW_BYTES + 64 * MIB
    if free_bytes(path.parent) < 2 * needed:
        raise RuntimeError(f"{path.parent} has {free_bytes(path.parent) / 1e9:.1f} GB free; a {needed / 1e9:.1f} GB "
                           "input needs twice that")
    block = np.random.default_rng(0).random((64, *ROW_SHAPE), dtype=np.float32)
    started = time.perf_counter()
    with h5py.File(path, "w") as h5:
        dataset = h5.create_dataset("X", shape=(rows, *ROW_SHAPE), dtype="float32", chunks=(CHUNK_ROWS, *ROW_SHAPE))
        for first in range(0, rows, len(block)):
            count = min(len(block), rows - first)
            dataset[first:first + count] = block[:count] + first
    print(f"[data] wrote {path.name}: {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - started:.1f} s",
          flush=True)
    context.shared[key] = path
    return path
