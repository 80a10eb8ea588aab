"""A parameter sweep: one Galaxy job per parameter set, run in parallel, gathered into one table."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from remote_training.connection import Galaxy, connect
from remote_training.jobs import RemoteJob, RemoteJobFailed
from remote_training.submit import submit


@dataclass
class Sweep:
    """The jobs of a sweep, in the order of their parameter sets."""

    parameter_sets: list[dict]
    jobs: list[RemoteJob]
    failures: dict[int, str] = field(default_factory=dict)

    def wait(self, timeout: float | None = None) -> Sweep:
        """Wait for every job; a failed job is recorded (see ``failures``), not raised, so the others count."""
        for index, job in enumerate(self.jobs):
            try:
                job.wait(timeout=timeout)
            except RemoteJobFailed as failure:
                self.failures[index] = str(failure)
        return self

    def table(self, metrics: list[str] | None = None) -> list[dict]:
        """One row per parameter set: its parameters, the job's state, the ONNX models' parity and the
        root attributes of the results named in ``metrics`` (e.g. ['test_accuracy'])."""
        import io

        import h5py

        rows = []
        for index, (parameters, job) in enumerate(zip(self.parameter_sets, self.jobs)):
            row = dict(parameters, job=job.id, ok=index not in self.failures)
            if row["ok"]:
                report = job.report()
                row["models"] = {model["name"]: model.get("parity", {}).get("max_abs_diff")
                                 for model in report["models"] if model.get("onnx")}
                results = job.galaxy.call(job.galaxy.gi.datasets.download_dataset, job.outputs()["results"],
                                          use_default_filename=False)
                with h5py.File(io.BytesIO(results), "r") as h5:
                    row.update({name: h5.attrs[name].item() for name in metrics or [] if name in h5.attrs})
            rows.append(row)
        return rows

    def download(self, destination: str | Path) -> list[dict[str, Path]]:
        """Each successful job's outputs into ``destination/run_<index>/``."""
        return [job.download(Path(destination) / f"run_{index}") for index, job in enumerate(self.jobs)
                if index not in self.failures]


def sweep(code: str | Path, parameter_sets: list[dict], inputs: dict | None = None, history: str | None = None,
          galaxy: Galaxy | None = None, **options) -> Sweep:
    """Submit one job per parameter set (the code and inputs are uploaded once) and return at once."""
    galaxy = galaxy or connect()
    jobs = [submit(code, inputs=inputs, parameters=parameters, history=history, galaxy=galaxy, **options)
            for parameters in parameter_sets]
    return Sweep(list(parameter_sets), jobs)
