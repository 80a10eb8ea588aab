"""H5Batches against ``dd`` on the same 2 GB file, both from a cold page cache.

Before every timed cold read the file's pages are dropped with ``fsync`` + ``posix_fadvise(DONTNEED)``
(``/proc/sys/vm/drop_caches`` is not writable here), and ``fincore`` confirms that none of the file
is resident; a warm ``dd`` (18 GB/s against ~2 GB/s cold) shows by timing that eviction worked.
The reads rotate (dd; H5Batches of 32 rows = 32 MiB, with its reused arrays and with a new
array per batch; H5Batches of 8 rows = one chunk) for ``repeats`` rounds; the disk of a shared VM varies by 2x from one read to the next, so the table gives the
medians, the ratio of the medians and the median of the per-round ratios. Warm-cache reads (best
of 3) show the CPU cost per byte, which no disk speed-up hides.

H5Batches runs in its own interpreter, as in a notebook; its time runs from opening the file to
the last batch (not the interpreter's start-up or h5py's import).
"""
from __future__ import annotations

import statistics
from pathlib import Path

from bench_common import (
    PYTHON,
    Context,
    Row,
    Samples,
    checked,
    evict_from_page_cache,
    float32_input,
    resident_bytes,
    run_timed,
    runner_env,
)

SECTION = "h5 read"
ROWS = 2048
# (label, rows per batch, reuse_buffers)
READERS = (("H5Batches 32", 32, True), ("H5Batches 32 new arrays", 32, False), ("H5Batches 8", 8, True))
GOAL = 0.90
WARM_TRIES = 3

READ_ALL = """
import resource, sys, time
import h5py
from notebook_job.h5_batches import H5Batches
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, cpu_started = time.perf_counter(), cpu()
with h5py.File(sys.argv[1], "r") as h5:
    batches = H5Batches(h5["X"], batch_size=int(sys.argv[2]), reuse_buffers=sys.argv[3] == "reuse")
    rows = sum(len(batch) for batch in batches)
print(rows, time.perf_counter() - started, cpu() - cpu_started)
"""


def _dd(path: Path, folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of dd reading the whole file."""
    timed = checked(run_timed(["dd", f"if={path}", "of=/dev/null", "bs=8M"], folder), "dd")
    return timed.seconds, timed.cpu_seconds


def _h5_batches(path: Path, folder: Path, batch_rows: int, reuse: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of H5Batches, from opening the file to the last batch."""
    command = [PYTHON, "-c", READ_ALL, str(path), str(batch_rows), "reuse" if reuse else "new"]
    timed = checked(run_timed(command, folder, runner_env()), "the H5Batches read")
    rows, seconds, cpu_seconds = timed.output.split()[-3:]
    if int(rows) != ROWS:
        raise RuntimeError(f"H5Batches read {rows} rows of {ROWS}")
    return float(seconds), float(cpu_seconds)


def run(context: Context) -> list[Row]:
    folder = context.scratch / "h5_read"
    path = float32_input(context, ROWS)
    size = path.stat().st_size
    data_bytes = ROWS * 512 * 512 * 4
    readers = {"dd": lambda: _dd(path, folder)}
    readers.update({label: (lambda rows=rows, reuse=reuse: _h5_batches(path, folder, rows, reuse))
                    for label, rows, reuse in READERS})
    nbytes = {name: size if name == "dd" else data_bytes for name in readers}
    cold = {name: Samples() for name in readers}
    cpu = {name: Samples() for name in readers}
    residents = []
    names = list(readers)
    for round_number in range(context.repeats):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            evict_from_page_cache(path)
            residents.append(resident_bytes(path))
            seconds, cpu_seconds = readers[name]()
            cold[name].add(nbytes[name] / seconds / 1e9)
            cpu[name].add(cpu_seconds / (nbytes[name] / 1e9))
        print(f"[{SECTION}] round {round_number + 1} cold GB/s: "
              + ", ".join(f"{name} {samples.values[-1]:.2f}" for name, samples in cold.items()), flush=True)
    readers["dd"]()  # now the whole file is cached
    warm_resident = resident_bytes(path)
    warm = {name: max(nbytes[name] / reader()[0] / 1e9 for _ in range(WARM_TRIES)) for name, reader in readers.items()}
    evict_from_page_cache(path)

    dd = cold["dd"]
    rows = [Row(SECTION, f"cold dd bs=8M, {size / 1e9:.2f} GB file (baseline)", dd.text("GB/s"),
                ratio=f"CPU {cpu['dd'].median:.2f} s/GB", data={"gb_per_s": dd.values, "cpu_s_per_gb": cpu["dd"].values})]
    for label, batch_rows, reuse in READERS:
        samples = cold[label]
        share = samples.median / dd.median
        paired = statistics.median(h5 / base for h5, base in zip(samples.values, dd.values))
        arrays = "arrays reused" if reuse else "a new array per batch"
        rows.append(Row(SECTION, f"cold {label}: ds[i:i+{batch_rows}], {batch_rows} MiB batches, {arrays}",
                        samples.text("GB/s"), dd.text("GB/s"),
                        f"{share:.2f}x (per round {paired:.2f}x, best {max(samples.values) / max(dd.values):.2f}x); "
                        f"CPU {cpu[label].median:.2f} s/GB",
                        f">= {GOAL:.2f}x dd", share >= GOAL,
                        {"gb_per_s": samples.values, "paired_ratio": paired, "cpu_s_per_gb": cpu[label].values}))
    rows.append(Row(SECTION, "warm cache (CPU cost), best of 3: " + " / ".join(readers),
                    " / ".join(f"{warm[name]:.1f}" for name in readers) + " GB/s",
                    data={"gb_per_s": warm, "resident_bytes": warm_resident}))
    known = [resident for resident in residents if resident is not None]
    evicted = bool(known) and all(resident == 0 for resident in known)
    rows.append(Row(SECTION, "eviction: fincore before each cold read; warm dd speed",
                    f"{'0 B resident every time' if evicted else residents}; warm dd {warm['dd']:.1f} GB/s",
                    goal="0 B resident", met=evicted if known else None, data={"resident_bytes": residents}))
    return rows
