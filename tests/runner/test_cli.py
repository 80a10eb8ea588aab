"""End to end: ``python -m notebook_job`` as the tool's command runs it, exit codes, outputs and report."""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import onnx
import onnxruntime
import pytest

TOOL = "run_jupyter_job"
SLEEPING = ["score = 0.5", "import time\ntime.sleep(60)\nafter_sleep = True"]


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def statuses(report: dict) -> list[tuple[str, str]]:
    return [(cell["where"], cell["status"]) for cell in report["cells"]]


def saved_attrs(path) -> dict:
    with h5py.File(path, "r") as h5:
        return dict(h5.attrs)


# --- the Keras notebook from test-data, run once for the tests below ----------------------------------

@pytest.fixture(scope="module")
def keras_job(cli_in, tmp_path_factory, test_data):
    return cli_in(tmp_path_factory.mktemp("keras_job"), "--code", test_data / "keras_train.ipynb",
                  "--input", f"train.h5={test_data / 'train.h5'}", "--input", f"test={test_data / 'test.h5'}")


@pytest.mark.slow
def test_keras_notebook_finishes_with_a_verified_model(keras_job):
    assert keras_job.returncode == 0, keras_job.stderr
    last = keras_job.stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"{TOOL}: finished; ONNX models: model \(max abs diff [\d.e+-]+\)", last)
    report = keras_job.report()
    assert (report["tool"], report["status"], report["message"]) == (TOOL, "ok", last[len(TOOL) + 2:])
    (model,) = report["models"]
    assert (model["name"], model["framework"], model["onnx"], model["sample"], model["warnings"]) == (
        "model", "keras", "model.onnx", "X_test", [])
    assert model["parity"]["max_abs_diff"] < 1e-5 and model["parity"]["label_agreement"] == 1.0
    assert report["warnings"] == [] and report["device"] == "CPU"
    assert {"python", "numpy", "h5py", "keras", "tensorflow", "onnx"} <= set(report["versions"])


@pytest.mark.slow
def test_keras_onnx_predictions_agree_with_the_saved_predictions(keras_job, test_data):
    path = keras_job.dir / "onnx_models" / "model.onnx"
    assert [dim.dim_value for dim in onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim][1:] == [16]
    with h5py.File(test_data / "test.h5", "r") as h5:
        X_test, y_test = h5["X"][:], h5["y"][:]
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (probabilities,) = session.run(None, {session.get_inputs()[0].name: X_test.astype(np.float32)})
    with h5py.File(keras_job.dir / "results.h5", "r") as h5:
        predicted = h5["predicted_class"][:]
        accuracy = h5.attrs["test_accuracy"]
    assert probabilities.shape == (60, 3)
    assert np.mean(probabilities.argmax(axis=1) == predicted) >= 0.95
    assert accuracy == pytest.approx(np.mean(predicted == y_test), abs=1e-6)


@pytest.mark.slow
def test_keras_results_file(keras_job):
    with h5py.File(keras_job.dir / "results.h5", "r") as h5:
        assert (h5.attrs["epochs"], h5.attrs["learning_rate"], h5.attrs["n_classes"]) == (8, 0.01, 3)
        assert sorted(h5) == ["history", "predicted_class"]
        assert sorted(h5["history"]) == ["accuracy", "loss"] and h5["history/loss"].shape == (8,)
        assert h5["history/loss"][-1] < h5["history/loss"][0]
    skipped = keras_job.report()["results"]["skipped"]
    assert [entry["name"] for entry in skipped] == ["X_train", "y_train", "X_test", "y_test"]
    assert {entry["reason"] for entry in skipped} == {
        "read from an input file (data, not a result); list it under 'Save these variables' to keep it"}


@pytest.mark.slow
def test_keras_report_records_what_ran(keras_job, test_data):
    report = keras_job.report()
    assert report["code"] == {"name": "keras_train.ipynb", "sha256": sha256(test_data / "keras_train.ipynb"),
                              "cells": 5}
    assert report["inputs"] == [
        {"name": name, "bytes": (test_data / name).stat().st_size, "sha256": sha256(test_data / name)}
        for name in ("train.h5", "test.h5")]
    assert statuses(report) == [(f"cell {number}", "ok") for number in range(2, 7)]
    assert report["ipython_lines"] == [{"where": "cell 3", "line": 1, "text": "%matplotlib inline",
                                        "action": "skipped (only changes an interactive session)"}]
    assert (f"[{TOOL}] cell 3, line 1: '%matplotlib inline' skipped (only changes an interactive session)"
            in keras_job.stdout.splitlines())
    assert (report["parameters"], report["seed"]) == ({}, 0)
    workdir = keras_job.dir / "work"
    assert sorted(path.name for path in workdir.iterdir()) == ["test.h5", "train.h5"]
    assert (workdir / "test.h5").resolve() == (test_data / "test.h5").resolve()


# --- the user's code fails or stops ------------------------------------------------------------------

def test_failing_notebook_names_cell_and_line(run_cli, test_data):
    job = run_cli("--code", test_data / "fails_in_cell3.ipynb")
    assert job.returncode == 1
    assert job.last_stderr_line == f"{TOOL}: error in cell 3, line 2: ZeroDivisionError: division by zero"
    assert 'File "<cell 3>", line 2, in <module>\n    ratio = numerator / denominator' in job.stderr
    assert "never reached" not in job.stdout
    report = job.report()
    assert (report["status"], statuses(report)) == ("error", [("cell 2", "ok"), ("cell 3", "error")])
    assert saved_attrs(job.dir / "results.h5") == {"created_by": TOOL, "numerator": 1, "denominator": 0}


def test_sys_exit_zero_ends_the_job_normally(run_cli, write_notebook):
    job = run_cli("--code", write_notebook(["x = 1\nimport sys\nsys.exit(0)", "y = 2"]))
    assert job.returncode == 0, job.stderr
    assert job.stdout.strip().splitlines()[-1] == f"{TOOL}: finished; ONNX models: none"
    assert statuses(job.report()) == [("cell 1", "stopped")]


def test_sys_exit_non_zero_is_an_error(run_cli, write_notebook):
    job = run_cli("--code", write_notebook(["import sys", ("markdown", "text"), "sys.exit(3)"]))
    assert (job.returncode, job.last_stderr_line) == (1, f"{TOOL}: error in cell 3, line 1: SystemExit: 3")


def test_hard_exit_of_the_child_is_reported(run_cli, write_notebook):
    job = run_cli("--code", write_notebook(["x = 1", "import os\nos._exit(9)"]))
    assert job.returncode == 1
    assert job.last_stderr_line == f"{TOOL}: the notebook's process ended without finishing (exit status 9)"
    report = job.report()
    assert (report["status"], report["cells"], report["warnings"]) == ("crashed", [], [])


def test_time_limit_stops_the_cell_and_keeps_the_outputs(run_cli, write_notebook):
    started = time.monotonic()
    job = run_cli("--code", write_notebook(SLEEPING), "--time-limit", 3, "--grace", 5)
    assert time.monotonic() - started < 20
    assert job.returncode == 3
    assert job.last_stderr_line == (f"{TOOL}: time limit of 3 s reached in cell 2; "
                                    "the outputs written by then are kept")
    report = job.report()
    assert (report["status"], statuses(report)) == ("time limit", [("cell 1", "ok"), ("cell 2", "interrupted")])
    assert saved_attrs(job.dir / "results.h5") == {"created_by": TOOL, "score": 0.5}


def test_code_that_ignores_sigterm_is_killed_after_the_grace_period(run_cli, write_notebook):
    started = time.monotonic()
    job = run_cli("--code", write_notebook(["import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                            "time.sleep(60)"]), "--time-limit", 1, "--grace", 1)
    assert time.monotonic() - started < 20
    assert job.returncode == 3
    assert job.last_stderr_line == (f"{TOOL}: time limit of 1 s reached in the code; "
                                    "the outputs written by then are kept")
    assert (job.report()["status"], job.report()["cells"]) == ("time limit", [])


def test_sigterm_stops_the_job_and_keeps_the_outputs(start_cli, write_notebook):
    process, job_dir = start_cli("--code", write_notebook(SLEEPING))
    for line in process.stdout:
        if line.startswith(f"[{TOOL}] cell 2 (2/2) started"):
            break
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 4
    assert stderr.strip().splitlines()[-1] == (f"{TOOL}: stopped by SIGTERM in cell 2; "
                                               "the outputs written by then are kept")
    report = json.loads((job_dir / "report.json").read_text())
    assert (report["status"], statuses(report)) == ("interrupted", [("cell 1", "ok"), ("cell 2", "interrupted")])
    assert saved_attrs(job_dir / "results.h5") == {"created_by": TOOL, "score": 0.5}


def test_require_model_fails_without_one(run_cli, write_notebook):
    notebook = write_notebook(["accuracy = 0.9"])
    job = run_cli("--code", notebook, "--require-model")
    assert job.returncode == 5
    assert job.stderr.strip().splitlines()[-2:] == [
        f"{TOOL}: warning: no trained model was found in the notebook's variables; no ONNX file was written",
        f"{TOOL}: no model was exported to ONNX, and the job was asked to require one"]
    assert job.report()["status"] == "no model"
    assert run_cli("--code", notebook).returncode == 0


# --- bad input: exit 2 and one line ------------------------------------------------------------------

@pytest.mark.parametrize(("make_args", "message"), [
    (lambda data, tmp: ["--code", write_text(tmp / "broken.ipynb", '{\n "cells": [\n  {"cell_type": "code",,}\n]}')],
     "broken.ipynb is not valid notebook JSON: Expecting property name enclosed in double quotes at line 3, "
     "column 24"),
    (lambda data, tmp: ["--code", data / "keras_train.ipynb", "--input", f"train.h5={data / 'not_hdf5.h5'}"],
     "input 'train.h5' is not an HDF5 file (no HDF5 signature); upload it with format h5"),
    (lambda data, tmp: ["--code", data / "pip_install.ipynb"],
     "cell 1, line 2: installing packages is not allowed in a job ('pip install some-package'); the tool runtime "
     "provides the packages: remove the line, or ask the Galaxy admin to add the package"),
    (lambda data, tmp: ["--code", data / "sklearn_train.py", "--input", "features13.h5"],
     "--input needs NAME=PATH, got 'features13.h5'"),
    (lambda data, tmp: ["--code", data / "sklearn_train.py", "--parameters", write_text(tmp / "p.json", "[1]")],
     "parameters must be a JSON object of name: value"),
    (lambda data, tmp: ["--code", data / "sklearn_train.py", "--parameters", write_text(tmp / "p.json", "{x")],
     "parameters are not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    (lambda data, tmp: ["--code", data / "sklearn_train.py", "--parameters",
                        write_text(tmp / "p.json", '{"not valid": 1}')],
     "parameter name 'not valid' is not a valid Python identifier"),
])
def test_bad_input_is_one_line_and_exit_2(run_cli, test_data, tmp_path, make_args, message):
    job = run_cli(*make_args(test_data, tmp_path))
    assert (job.returncode, job.stdout, job.stderr) == (2, "", f"{TOOL}: bad input: {message}\n")
    assert sorted(path.name for path in job.dir.iterdir()) == []


def write_text(path, text: str):
    path.write_text(text)
    return path


# --- scripts, job files, parameters ------------------------------------------------------------------

def test_sklearn_script_with_13_features(run_cli, test_data):
    job = run_cli("--code", test_data / "sklearn_train.py", "--input", f"features13={test_data / 'features13.h5'}")
    assert job.returncode == 0, job.stderr
    report = job.report()
    assert report["code"]["name"] == "sklearn_train.py" and statuses(report) == [("sklearn_train.py", "ok")]
    (model,) = report["models"]
    assert (model["name"], model["class"], model["onnx"], model["sample"]) == (
        "classifier", "sklearn.pipeline.Pipeline", "classifier.onnx", "X_test")
    assert model["parity"]["label_agreement"] == 1.0 and model["parity"]["max_abs_diff"] < 1e-4
    session = onnxruntime.InferenceSession(str(job.dir / "onnx_models" / "classifier.onnx"),
                                           providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape[1] == 13
    with h5py.File(test_data / "features13.h5", "r") as h5:
        X, y = h5["X"][:], h5["y"][:]
    labels = session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})[0]
    assert np.mean(labels == y) >= 0.9
    assert saved_attrs(job.dir / "results.h5")["accuracy"] >= 0.9
    assert (job.dir / "work" / "sklearn_train.py").resolve() == (test_data / "sklearn_train.py").resolve()


def test_job_file_names_with_spaces_and_parameters(run_cli, tmp_path, test_data, write_notebook):
    notebook = write_notebook([("code", "epochs = 1\nlabel = 'default'", ["parameters"]),
                               "import h5py\nwith h5py.File('my data.h5') as h5:\n    rows = len(h5['y'])\n"
                               "import os\nhere = os.getcwd()"])
    job_file = write_text(tmp_path / "job.json", json.dumps({
        "code_name": "my \"nice\" notebook.ipynb",
        "inputs": [{"name": "folder/my data", "path": str(test_data / "test.h5")}]}))
    parameters = write_text(tmp_path / "parameters.json", '{"epochs": 5, "label": "it\'s \\"quoted\\""}')
    job = run_cli("--code", notebook, "--job-file", job_file, "--parameters", parameters, "--workdir", "w d")
    assert job.returncode == 0, job.stderr
    report = job.report()
    assert report["code"]["name"] == 'my "nice" notebook.ipynb'
    assert [entry["name"] for entry in report["inputs"]] == ["my data.h5"]
    assert report["parameters"] == {"epochs": 5, "label": "it's \"quoted\""}
    assert statuses(report) == [("cell 1", "ok"), ("injected parameters", "ok"), ("cell 2", "ok")]
    attrs = saved_attrs(job.dir / "results.h5")
    assert (attrs["epochs"], attrs["label"], attrs["rows"], attrs["here"]) == (5, "it's \"quoted\"", 60,
                                                                                 str(job.dir / "w d"))


def test_ipython_lines_run_in_the_work_dir(run_cli, write_notebook):
    job = run_cli("--code", write_notebook([
        "%%writefile helper.py\ndef double(x):\n    return 2 * x\n", "import helper\nfour = helper.double(2)",
        "%%writefile other.py\nimport sys\nargs = sys.argv[1:]\n", "%run other.py --rate {four}\nran = ' '.join(args)",
        "files = !ls\nlisted = ','.join(files)"]))
    assert job.returncode == 0, job.stderr
    attrs = saved_attrs(job.dir / "results.h5")
    assert (attrs["four"], attrs["ran"], attrs["listed"]) == (4, "--rate 4", "helper.py,other.py")
    assert [(line["where"], line["action"]) for line in job.report()["ipython_lines"]] == [
        ("cell 1", "wrote the cell's body to the file"), ("cell 3", "wrote the cell's body to the file"),
        ("cell 4", "ran the script in the notebook's namespace"),
        ("cell 5", "captured the shell command's output lines")]


def test_outputs_go_where_the_flags_say(run_cli, write_notebook):
    job = run_cli("--code", write_notebook(["x = 2"]), "--results", "out/r.h5", "--report", "out/rep.json",
                  "--onnx-dir", "models", "--save", " x , missing")
    assert job.returncode == 0, job.stderr
    report = json.loads((job.dir / "out" / "rep.json").read_text())
    assert report["results"]["warnings"] == ["result variable 'missing' was not defined by the code"]
    assert f"{TOOL}: warning: result variable 'missing' was not defined by the code" in job.stderr.splitlines()
    assert saved_attrs(job.dir / "out" / "r.h5") == {"created_by": TOOL, "x": 2}
    assert sorted(path.name for path in job.dir.iterdir()) == [".run_jupyter_job", "models", "out", "work"]


def test_version(run_cli):
    job = run_cli("--version")
    assert (job.returncode, job.stdout) == (0, f"{TOOL} 0.1.0\n")


def test_launcher_runs_without_pythonpath(tmp_path, tool_dir, write_notebook):
    """The tool's command calls run_notebook_job.py directly, with no PYTHONPATH set."""
    launcher = tool_dir / "run_notebook_job.py"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([sys.executable, str(launcher), "--code", write_notebook(["answer = 42"])], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, f"{TOOL}: finished; ONNX models: none"), done.stderr
    assert saved_attrs(tmp_path / "results.h5") == {"created_by": TOOL, "answer": 42}
