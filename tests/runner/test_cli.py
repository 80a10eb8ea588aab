"""End to end: ``python -m notebook_job`` as the tool's command runs it, exit codes, outputs and report."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import zipfile

import h5py
import joblib
import nbformat
import numpy as np
import onnx
import onnxruntime
import pytest

TOOL = "run_jupyter_job"
# Work held until the stop: the second cell waits far longer than any test, so a time limit of HELD_LIMIT seconds
# (generous for starting Python and running "score = 0.5") always lands in it, however busy the machine is.
SLEEPING = ["score = 0.5", "import time\ntime.sleep(3600)\nafter_sleep = True"]
HELD_LIMIT = 10


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
                  "--input", f"train.h5={test_data / 'train.h5'}", "--input", f"test={test_data / 'test.h5'}",
                  "--report-html", "report.html")


@pytest.mark.slow
def test_keras_history_is_a_curve_in_both_reports(keras_job):
    (chart,) = keras_job.report()["training_curves"]
    assert chart["name"] == "history" and {"loss", "accuracy"} <= set(chart["series"])
    assert all(len(points) == len(chart["series"]["loss"]) >= 1 for points in chart["series"].values())
    page = (keras_job.dir / "report.html").read_text()
    assert page.count("<polyline") == len(chart["series"]) and ">loss<" in page and "<script" not in page


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
    job = run_cli("--code", write_notebook(SLEEPING), "--time-limit", HELD_LIMIT, "--grace", 5)
    assert job.returncode == 3
    assert job.last_stderr_line == (f"{TOOL}: time limit of {HELD_LIMIT} s reached in cell 2; "
                                    "the outputs written by then are kept")
    report = job.report()
    assert (report["status"], statuses(report)) == ("time limit", [("cell 1", "ok"), ("cell 2", "interrupted")])
    assert saved_attrs(job.dir / "results.h5") == {"created_by": TOOL, "score": 0.5}


def test_code_that_ignores_sigterm_is_killed_after_the_grace_period(run_cli, write_notebook):
    job = run_cli("--code", write_notebook(["import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                            "time.sleep(3600)"]), "--time-limit", HELD_LIMIT, "--grace", 1)
    assert job.returncode == 3
    assert job.last_stderr_line == (f"{TOOL}: time limit of {HELD_LIMIT} s reached in the code; "
                                    "the outputs written by then are kept")
    assert (job.report()["status"], job.report()["cells"]) == ("time limit", [])


def test_sigterm_stops_the_job_and_keeps_the_outputs(start_cli, write_notebook):
    process, job_dir = start_cli("--code", write_notebook(SLEEPING))
    for line in process.stdout:
        if line.startswith(f"[{TOOL}] cell 2 (2/2) started"):
            break
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=900)
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
        "classifier", "sklearn.pipeline.Pipeline", "classifier.onnx", "X_train (the rows it was fitted on)")
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
                          env=env, capture_output=True, text=True, timeout=900)
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, f"{TOOL}: finished; ONNX models: none"), done.stderr
    assert saved_attrs(tmp_path / "results.h5") == {"created_by": TOOL, "answer": 42}


# --- checkpoints: a time limit during Keras training, then a second job that resumes ------------------

def checkpoint_epoch(path) -> int:
    return int(saved_attrs(path)["epoch"])


HOLDING = "holding training after epoch 1 until the job is stopped"


@pytest.fixture(scope="module")
def stopped_training(cli_stopped_at, tmp_path_factory, test_data):
    """resume_training.ipynb stopped by SIGTERM (Galaxy's walltime) while training holds after its first epoch."""
    folder = tmp_path_factory.mktemp("stopped")
    write_text(folder / "job.json", json.dumps({"parameters": [{"name": "hold_after_epoch", "type": "int", "value": 1}]}))
    return cli_stopped_at(folder, HOLDING, "--code", test_data / "resume_training.ipynb", "--job-file",
                          folder / "job.json", "--input", f"train.h5={test_data / 'train.h5'}", "--grace", 60)


@pytest.fixture(scope="module")
def resumed_training(cli_in, tmp_path_factory, test_data, stopped_training):
    """The same notebook given the first job's checkpoint, with typed parameters from a job file."""
    folder = tmp_path_factory.mktemp("resumed")
    epochs = checkpoint_epoch(stopped_training.dir / "extra_outputs" / "checkpoint.weights.h5") + 2
    write_text(folder / "job.json", json.dumps({"parameters": [
        {"name": "epochs", "type": "int", "value": epochs}, {"name": "rates", "type": "json", "value": "[0.1, 0.2]"}]}))
    return cli_in(folder, "--code", test_data / "resume_training.ipynb", "--job-file", folder / "job.json",
                  "--input", f"train.h5={test_data / 'train.h5'}",
                  "--input", f"checkpoint.weights={stopped_training.dir / 'extra_outputs' / 'checkpoint.weights.h5'}",
                  "--executed-notebook", "executed.ipynb")


@pytest.mark.slow
def test_a_stop_during_training_leaves_a_checkpoint(stopped_training):
    job = stopped_training
    assert job.returncode == 4, job.stderr
    assert job.last_stderr_line == f"{TOOL}: stopped by SIGTERM in cell 5; the outputs written by then are kept"
    checkpoint = job.dir / "extra_outputs" / "checkpoint.weights.h5"
    epoch = checkpoint_epoch(checkpoint)
    assert epoch == 1
    assert HOLDING in job.stdout.splitlines()
    assert (f"[{TOOL}] stop requested: checkpoint saved to outputs/checkpoint.weights.h5 (resume at epoch {epoch})"
            in job.stdout.splitlines())
    with h5py.File(checkpoint, "r") as h5:
        assert "layers" in h5
    report = job.report()
    assert report["status"] == "interrupted"
    assert statuses(report) == [("cell 2", "ok"), ("injected parameters", "ok"), ("cell 3", "ok"), ("cell 4", "ok"),
                                ("cell 5", "interrupted")]
    assert report["output_files"] == [{"file": "outputs/checkpoint.weights.h5", "name": "checkpoint.weights.h5",
                                       "bytes": checkpoint.stat().st_size}]
    (model,) = report["models"]
    assert (model["name"], model["onnx"]) == ("model", "model.onnx") and model["parity"]["ok"]
    assert (job.dir / "onnx_models" / "model.onnx").stat().st_size > 1000
    assert saved_attrs(job.dir / "results.h5")["start"] == 0


@pytest.mark.slow
def test_a_second_job_resumes_from_the_checkpoint(resumed_training, stopped_training):
    job = resumed_training
    assert job.returncode == 0, job.stderr
    epoch = checkpoint_epoch(stopped_training.dir / "extra_outputs" / "checkpoint.weights.h5")
    attrs = saved_attrs(job.dir / "results.h5")
    assert (attrs["start"], attrs["epochs"], attrs["last_epoch"], attrs["epochs_run"]) == (
        epoch, epoch + 2, epoch + 2, 2)
    with h5py.File(job.dir / "results.h5", "r") as h5:
        assert h5["history/loss"].shape == h5["history/accuracy"].shape == (2,)
    assert f"training epochs {epoch} to {epoch + 2}" in job.stdout.splitlines()
    assert checkpoint_epoch(job.dir / "extra_outputs" / "checkpoint.weights.h5") == epoch + 2
    report = job.report()
    assert [entry["name"] for entry in report["inputs"]] == ["train.h5", "checkpoint.weights.h5"]
    assert report["models"][0]["onnx"] == "model.onnx" and report["warnings"] == []


@pytest.mark.slow
def test_typed_parameters_from_the_job_file_follow_the_tagged_cell(resumed_training, stopped_training):
    epoch = checkpoint_epoch(stopped_training.dir / "extra_outputs" / "checkpoint.weights.h5")
    report = resumed_training.report()
    assert report["parameters"] == {"epochs": epoch + 2, "rates": [0.1, 0.2]}
    assert statuses(report)[:3] == [("cell 2", "ok"), ("injected parameters", "ok"), ("cell 3", "ok")]
    with h5py.File(resumed_training.dir / "results.h5", "r") as h5:
        assert h5["rates"][:].tolist() == [0.1, 0.2]
    notebook = nbformat.read(resumed_training.dir / "executed.ipynb", as_version=4)
    nbformat.validate(notebook)
    tagged, injected = notebook.cells[1:3]
    assert tagged.metadata.tags == ["parameters"] and tagged.execution_count == 1
    assert (injected.metadata.tags, injected.source, injected.execution_count) == (
        ["injected-parameters"], f"epochs = {epoch + 2}\nrates = [0.1, 0.2]\n", 2)
    assert [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"] == [1, 2, 3, 4, 5]
    printed = [output for output in notebook.cells[4].outputs if output.get("name") == "stdout"]
    assert printed == [{"output_type": "stream", "name": "stdout", "text": f"training epochs {epoch} to {epoch + 2}\n"}]


# --- executed notebook, native archive and output files from the command line ----------------------

PLOTTING_NOTEBOOK = [
    ("markdown", "# A figure, files and a model"),
    "import numpy as np\nimport matplotlib.pyplot as plt\nfrom sklearn.linear_model import LogisticRegression\n"
    "X = np.random.default_rng(0).normal(size=(40, 3))\ny = (X[:, 0] > 0).astype(int)\n"
    "classifier = LogisticRegression().fit(X, y)\nprint('trained')",
    "import os\nos.makedirs('outputs/plots', exist_ok=True)\nplt.plot(classifier.coef_[0])\n"
    "plt.savefig('outputs/plots/coef.png')\nwith open('outputs/scores.tsv', 'w') as f:\n    f.write('a\\tb\\n')\n"
    "os.symlink('/etc/passwd', 'outputs/passwd.txt')",
]


@pytest.fixture(scope="module")
def plotting_job(cli_in, notebook_in, tmp_path_factory):
    folder = tmp_path_factory.mktemp("plotting")
    return cli_in(folder / "job", "--code", notebook_in(folder, PLOTTING_NOTEBOOK),
                  "--executed-notebook", "out/executed.ipynb", "--native-archive", "out/models.zip")


def test_executed_notebook_from_the_command_line(plotting_job):
    assert plotting_job.returncode == 0, plotting_job.stderr
    notebook = nbformat.read(plotting_job.dir / "out" / "executed.ipynb", as_version=4)
    nbformat.validate(notebook)
    markdown, training, plotting = notebook.cells
    assert markdown.source == "# A figure, files and a model"
    assert (training.execution_count, training.outputs) == (1, [{"output_type": "stream", "name": "stdout",
                                                                  "text": "trained\n"}])
    (figure,) = plotting.outputs
    assert (plotting.execution_count, figure.output_type) == (2, "display_data")
    assert base64.b64decode(figure.data["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_native_archive_from_the_command_line(plotting_job):
    report = plotting_job.report()
    assert report["native_archive"] == {"members": ["classifier.joblib"], "warnings": []}
    with zipfile.ZipFile(plotting_job.dir / "out" / "models.zip") as bundle:
        assert bundle.namelist() == report["native_archive"]["members"]
        bundle.extractall(plotting_job.dir / "unpacked")
    loaded = joblib.load(plotting_job.dir / "unpacked" / "classifier.joblib")
    assert loaded.coef_.shape == (1, 3)


def test_output_files_from_the_command_line(plotting_job):
    report = plotting_job.report()
    delivered = plotting_job.dir / "extra_outputs"
    assert report["output_files"] == [
        {"file": "outputs/scores.tsv", "name": "scores.tabular", "bytes": 4},
        {"file": "outputs/plots/coef.png", "name": "plots__coef.png",
         "bytes": (delivered / "plots__coef.png").stat().st_size}]
    assert sorted(path.name for path in delivered.iterdir()) == ["plots__coef.png", "scores.tabular"]
    warning = "outputs/passwd.txt is a symbolic link or not a regular file; not delivered"
    assert report["warnings"] == [warning]
    assert f"{TOOL}: warning: {warning}" in plotting_job.stderr.splitlines()


# --- typed parameters without a tagged cell; bad ones ------------------------------------------------

def test_parameters_without_a_tagged_cell_are_set_first_with_a_warning(run_cli, tmp_path, write_notebook):
    job_file = write_text(tmp_path / "job.json", json.dumps({"parameters": [
        {"name": "epochs", "type": "int", "value": 3}, {"name": "verbose", "type": "boolean", "value": "false"},
        {"name": "rate", "type": "float", "value": "nan"}]}))
    job = run_cli("--code", write_notebook(["total = epochs * 2\nquiet = not verbose\nimport math\n"
                                            "rate_missing = math.isnan(rate)"]), "--job-file", job_file)
    assert job.returncode == 0, job.stderr
    warning = ("no cell is tagged 'parameters': the parameters were set before the first cell, "
               "so assignments in the notebook override them")
    assert job.report()["warnings"] == [
        warning, "no trained model was found in the notebook's variables; no ONNX file was written"]
    assert f"{TOOL}: warning: {warning}" in job.stderr.splitlines()
    assert statuses(job.report()) == [("injected parameters", "ok"), ("cell 1", "ok")]
    attrs = saved_attrs(job.dir / "results.h5")
    assert (attrs["total"], attrs["quiet"], attrs["rate_missing"]) == (6, True, True)


@pytest.mark.parametrize(("parameters", "message"), [
    ([{"name": "rates", "type": "json", "value": "[0.1,"}],
     "parameter 'rates' is not a valid json: Expecting value: line 1 column 6 (char 5)"),
    ([{"name": "class", "type": "int", "value": 1}], "parameter name 'class' is not a valid Python identifier"),
    ([{"name": "a", "type": "int", "value": 1}, {"name": "a", "type": "int", "value": 2}],
     "parameter 'a' is given twice"),
])
def test_bad_typed_parameters_are_one_line_and_exit_2(run_cli, tmp_path, test_data, parameters, message):
    job_file = write_text(tmp_path / "job.json", json.dumps({"parameters": parameters}))
    job = run_cli("--code", test_data / "sklearn_train.py", "--job-file", job_file)
    assert (job.returncode, job.stdout, job.stderr) == (2, "", f"{TOOL}: bad input: {message}\n")


def test_a_missing_code_file_is_one_line_and_exit_2(run_cli, tmp_path):
    missing = tmp_path / "nowhere" / "notebook.ipynb"
    job = run_cli("--code", missing)
    assert (job.returncode, job.stdout) == (2, "")
    assert job.stderr == f"{TOOL}: bad input: code file {missing} does not exist\n"
    assert list(job.dir.iterdir()) == []


# --- a stop during the export ----------------------------------------------------------------------

def test_sigterm_during_the_export_keeps_the_models(start_cli, write_notebook):
    process, job_dir = start_cli("--code", write_notebook([
        "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.naive_bayes import "
        "GaussianNB\nX = np.random.default_rng(0).normal(size=(40, 3)).astype('float32')\ny = (X[:, 0] > 0).astype(int)"
        "\nfirst = LogisticRegression().fit(X, y)\nsecond = GaussianNB().fit(X, y)"]), "--grace", 60)
    for line in process.stdout:
        if line.startswith(f"[{TOOL}] exporting sklearn model 'first'"):
            break
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=900)
    assert process.returncode == 4, stderr
    assert stderr.strip().splitlines()[-1] == (f"{TOOL}: stopped by SIGTERM while exporting model 'first' (1/2); "
                                               "the outputs written by then are kept")
    report = json.loads((job_dir / "report.json").read_text())
    assert report["status"] == "interrupted" and statuses(report) == [("cell 1", "ok")]
    assert report["stopped_during"] == {"phase": "export", "model": "first", "position": "1/2"}
    # the grace period (60 s) is shared by the models left: both still exported and verified
    assert [(model["name"], model["state"], model["onnx"]) for model in report["models"]] == [
        ("first", "exported", "first.onnx"), ("second", "exported", "second.onnx")]
    assert sorted(path.name for path in (job_dir / "onnx_models").iterdir()) == ["first.onnx", "second.onnx"]


def test_the_runner_reports_its_own_peak_memory_not_its_parents(run_cli, write_notebook):
    """The test process (TensorFlow-sized) starts the runner: the runner's own peak stays small."""
    import resource

    job = run_cli("--code", write_notebook(["x = 1"]))
    assert job.returncode == 0, job.stderr
    peak = job.report()["runner_peak_rss_mib"]
    assert 5 < peak < 150
    parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert parent_peak < 150 or peak < parent_peak
