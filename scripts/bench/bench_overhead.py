"""Runner overhead on a small notebook without TensorFlow, against ``python script.py`` and papermill.

The notebook: numpy + a scikit-learn random forest fit (about 1.5 s) in five cells, the last of
which lists the heavy frameworks present in ``sys.modules``. Four commands run interleaved, in a
rotating order, after one untimed round that warms the page cache for all of them:

- ``python notebook.py``: the code cells concatenated (the baseline);
- the runner on the notebook: runs it, then exports the forest to ONNX and checks it (its job);
- the runner on the same notebook plus a last cell ``del model``: nothing to export, so what is
  left is the cost of running code through the runner (parent, child, report, results file);
- papermill on the notebook, with an ipykernel kernelspec for this interpreter registered in a
  temporary JUPYTER_PATH (nothing is installed for the user).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bench_common import (
    PYTHON,
    Context,
    Row,
    Samples,
    Timed,
    checked,
    run_runner,
    run_timed,
    runner_env,
    write_notebook,
    write_script,
)

SECTION = "overhead"
KERNEL = "gxj-bench"
HEAVY = ("tensorflow", "keras", "torch", "jax")
HEAVY_MARK = "HEAVY_MODULES="
GOAL_VS_PLAIN = 1.15

CELLS = [
    "import numpy as np\n"
    "from sklearn.datasets import make_classification\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.model_selection import train_test_split",
    "X, y = make_classification(n_samples=6000, n_features=20, n_informative=8, random_state=0)\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
    "model = RandomForestClassifier(n_estimators=150, random_state=0, n_jobs=1).fit(X_train, y_train)",
    "accuracy = model.score(X_test, y_test)\nprint(f'accuracy {accuracy:.3f}')",
    "import sys\n"
    f"print('{HEAVY_MARK}' + ','.join(name for name in {HEAVY!r} if name in sys.modules))",
]
JOB_FOLDERS = {"runner": "runner", "runner (no model)": "runner_no_model"}
NO_MODEL_CELL = "del model  # nothing left to export: the runner's own cost"


def _kernel_env(folder: Path) -> dict:
    """A kernelspec named KERNEL for this interpreter, visible only through the returned environment."""
    prefix = folder / "jupyter"
    checked(run_timed([PYTHON, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", KERNEL,
                       "--display-name", "gxj bench (runtime venv)"], folder), "ipykernel install")
    env = runner_env(JUPYTER_PATH=str(prefix / "share" / "jupyter"), JUPYTER_RUNTIME_DIR=str(folder / "runtime"))
    return env


def _heavy_modules(output: str) -> list[str]:
    for line in output.splitlines():
        if line.startswith(HEAVY_MARK):
            return [name for name in line[len(HEAVY_MARK):].split(",") if name]
    raise RuntimeError(f"no {HEAVY_MARK} line in the output")


def _printed_by_papermill(executed: Path) -> str:
    cells = json.loads(executed.read_text())["cells"]
    return "".join("".join(output.get("text", "")) for cell in cells for output in cell["outputs"])


def run(context: Context) -> list[Row]:
    folder = context.scratch / SECTION
    notebook = write_notebook(folder / "notebook.ipynb", CELLS)
    no_model = write_notebook(folder / "notebook_no_model.ipynb", CELLS + [NO_MODEL_CELL])
    script = write_script(folder / "notebook.py", CELLS)
    papermill_env = _kernel_env(folder)
    papermill = [str(Path(PYTHON).parent / "papermill"), "--no-progress-bar", "-k", KERNEL]
    names = ("plain", "runner", "runner (no model)", "papermill")
    wall = {name: Samples() for name in names}
    cpu = {name: Samples() for name in names}
    parts = {part: Samples() for part in ("export phase", "model export", "fixed", "cells")}
    heavy_seen: dict[str, set] = {name: set() for name in names}
    versions: dict = {}

    def plain(round_dir: Path) -> Timed:
        return checked(run_timed([PYTHON, str(script)], round_dir / "plain"), "python notebook.py")

    def runner_on(code: Path, name: str) -> Callable[[Path], Timed]:
        def run_it(round_dir: Path) -> Timed:
            timed, report = run_runner(code, round_dir / JOB_FOLDERS[name])
            heavy_seen[name].update(module for module in HEAVY if module in report["versions"])
            versions.update(report["versions"])
            if name == "runner":
                cells = sum(cell["seconds"] for cell in report["cells"])
                parts["cells"].add(cells)
                parts["export phase"].add(report["seconds"]["export"])
                parts["model export"].add(sum(entry["seconds"] for entry in report["models"]))
                parts["fixed"].add(timed.seconds - cells - report["seconds"]["export"])
            return timed
        return run_it

    def paper(round_dir: Path) -> Timed:
        executed = round_dir / "papermill" / "executed.ipynb"
        timed = checked(run_timed(papermill + [str(notebook), str(executed)], executed.parent, papermill_env),
                        "papermill")
        timed.output += "\n" + _printed_by_papermill(executed)
        return timed

    commands = dict(zip(names, (plain, runner_on(notebook, "runner"), runner_on(no_model, "runner (no model)"),
                                paper)))

    def one_round(round_dir: Path, shift: int, keep: bool) -> None:
        for name in names[shift:] + names[:shift]:
            timed = commands[name](round_dir)
            heavy_seen[name].update(_heavy_modules(timed.output))
            if keep:
                wall[name].add(timed.seconds)
                cpu[name].add(timed.cpu_seconds)

    print(f"[{SECTION}] warm-up round, then {context.repeats} interleaved rounds of {len(names)} commands", flush=True)
    one_round(folder / "warm-up", 0, keep=False)
    for parts_samples in parts.values():
        parts_samples.values.clear()
    for round_number in range(context.repeats):
        one_round(folder / f"round{round_number}", round_number % len(names), keep=True)
        print(f"[{SECTION}] round {round_number + 1} wall (cpu) s: "
              + ", ".join(f"{name} {wall[name].values[-1]:.2f} ({cpu[name].values[-1]:.2f})" for name in names),
              flush=True)
    return _rows(wall, cpu, parts, heavy_seen, versions)


def _rows(wall: dict, cpu: dict, parts: dict, heavy_seen: dict, versions: dict) -> list[Row]:
    """Wall time is the figure and the goal; CPU time (in the ratio column) shows what is load, not cost."""
    goal = f"<= {GOAL_VS_PLAIN}x plain"
    base = wall["plain"]
    rows = [Row(SECTION, "python notebook.py (baseline)", base.text(), ratio=f"CPU {cpu['plain'].median:.2f} s",
                data={"wall": base.values, "cpu": cpu["plain"].values})]
    for name, what in (("runner (no model)", "runner, no model to export"),
                       ("runner", "runner, with ONNX export + check of the forest"),
                       ("papermill", "papermill (ipykernel)")):
        wall_ratio = wall[name].median / base.median
        met = wall_ratio <= GOAL_VS_PLAIN if name != "papermill" else None
        rows.append(Row(SECTION, what, wall[name].text(), base.text(),
                        f"{wall_ratio:.2f}x (CPU {cpu[name].median / cpu['plain'].median:.2f}x)",
                        goal if met is not None else "", met, {"wall": wall[name].values, "cpu": cpu[name].values}))
        if name == "runner":
            rows += [
                Row(SECTION, "  runner: the cells (sum of the report's cell times)", parts["cells"].text()),
                Row(SECTION, "  runner: export phase (report: ONNX + check, results.h5)", parts["export phase"].text()),
                Row(SECTION, "  runner: of which the forest's ONNX export + check", parts["model export"].text()),
                Row(SECTION, "  runner: fixed cost (wall - cells - export phase)", parts["fixed"].text()),
            ]
    for name in ("runner (no model)", "runner"):
        wall_ratio = wall[name].median / wall["papermill"].median
        rows.append(Row(SECTION, f"{name} vs papermill", wall[name].text(), wall["papermill"].text(),
                        f"{wall_ratio:.2f}x (CPU {cpu[name].median / cpu['papermill'].median:.2f}x)",
                        "< 1x papermill", wall_ratio < 1))
    heavy = {name: sorted(found) for name, found in heavy_seen.items()}
    rows.append(Row(SECTION, "TF/keras/torch/jax imported (a cell's sys.modules; the report's versions)",
                    json.dumps(heavy["runner"]), goal="none", met=not any(heavy.values()),
                    data={"per_command": heavy, "report_versions": versions}))
    return rows
