"""Staging costs no copies: the runner's memory and staging time for a 100 MB and a 2 GB input.

For each input (one float32 dataset, made under the scratch folder):
- ``stage_inputs`` itself (HDF5 check + symbolic link), timed in this process;
- the input's sha256 for the report (``StagedInput.describe``), which reads the whole file;
- a runner job whose notebook opens the input and reads one batch: wall time, the report's
  ``runner_peak_rss_mib`` (the parent runner's own peak RSS), and proof that nothing was copied:
  the staged name is a link whose target has the input's inode, and ``du`` of the job folder.
The 2 GB input is the same file bench_h5_read uses.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from bench_common import MIB, Context, Row, Samples, du_bytes, float32_input, run_runner, write_notebook

from notebook_job.prepare.staging import stage_inputs

SECTION = "staging"
SIZES = (("100 MB", 100), ("2 GB", 2048))
RSS_GROWTH_LIMIT_MIB = 5.0

CELLS = [
    "import h5py\nh5 = h5py.File('train.h5', 'r')\nX = h5['X']",
    "first_batch_mean = float(X[:8].mean())\nprint(X.shape, X.dtype, first_batch_mean)",
]


def _stage_seconds(source: Path, folder: Path, repeats: int) -> Samples:
    samples = Samples()
    for number in range(repeats):
        workdir = folder / f"stage{number}"
        started = time.perf_counter()
        stage_inputs([("train", source)], workdir)
        samples.add(time.perf_counter() - started)
        shutil.rmtree(workdir)
    return samples


def _hash_seconds(source: Path, folder: Path) -> float:
    (staged,) = stage_inputs([("train", source)], folder / "hash")
    started = time.perf_counter()
    staged.describe()
    return time.perf_counter() - started


def run(context: Context) -> list[Row]:
    folder = context.scratch / SECTION
    notebook = write_notebook(folder / "read_input.ipynb", CELLS)
    rows, rss = [], {}
    for label, input_rows in SIZES:
        source = float32_input(context, input_rows)
        size = source.stat().st_size
        stage = _stage_seconds(source, folder / label.replace(" ", ""), context.repeats)
        hashing = _hash_seconds(source, folder / label.replace(" ", ""))
        job = folder / f"job_{label.replace(' ', '')}"
        timed, report = run_runner(notebook, job, "--input", f"train={source}")
        staged = job / "work" / "train.h5"
        linked = staged.is_symlink() and os.stat(staged).st_ino == os.stat(source).st_ino
        job_bytes = du_bytes(job)
        rss[label] = report["runner_peak_rss_mib"]
        print(f"[{SECTION}] {label}: stage {stage.median * 1000:.1f} ms, sha256 {hashing:.2f} s, job {timed.seconds:.2f} s, "
              f"runner peak RSS {rss[label]} MiB, job folder {job_bytes / MIB:.2f} MiB", flush=True)
        data = {"input_bytes": size, "stage_seconds": stage.values, "sha256_seconds": hashing,
                "job_seconds": timed.seconds, "runner_peak_rss_mib": rss[label], "job_du_bytes": job_bytes,
                "staged_is_link_to_same_inode": linked, "child_seconds": report["seconds"]["child"]}
        rows += [
            Row(SECTION, f"{label} input: stage_inputs (check + link)", stage.text("ms", 1, 1000), data=data),
            Row(SECTION, f"{label} input: sha256 for the report", f"{hashing:.2f} s ({size / hashing / 1e9:.2f} GB/s)"),
            Row(SECTION, f"{label} input: whole runner job", f"{timed.seconds:.2f} s"),
            Row(SECTION, f"{label} input: runner peak RSS", f"{rss[label]:.1f} MiB", ratio=f"input {size / MIB:.0f} MiB"),
            Row(SECTION, f"{label} input: no copy (link -> same inode; du of job folder)",
                f"{'yes' if linked else 'NO'}; {job_bytes / MIB:.2f} MiB", goal="link, du << input",
                met=linked and job_bytes < size / 100),
        ]
    small, large = (rss[label] for label, _ in SIZES)
    rows.append(Row(SECTION, "runner peak RSS, 2 GB input vs 100 MB", f"{large - small:+.1f} MiB",
                    ratio=f"{large / small:.2f}x", goal=f"grows < {RSS_GROWTH_LIMIT_MIB:g} MiB",
                    met=large - small < RSS_GROWTH_LIMIT_MIB))
    return rows
