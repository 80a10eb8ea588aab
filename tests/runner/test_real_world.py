"""The runner on code shaped like users' real notebooks, end to end through ``python -m notebook_job``.

One notebook, the way people write them: markdown between code cells, a DataFrame with a string
column, a ColumnTransformer pipeline that selects columns by name, an outlier detector, a binary SVC
without predict_proba, KMeans and KNN with other arrays of the same width lying around, values shown
by a cell's last expression, ``sys.exit(0)`` before the end.
"""
from __future__ import annotations

import json

import h5py
import nbformat
import numpy as np
import onnxruntime
import pandas as pd
import pytest

TOOL = "run_jupyter_job"
PATIENT = 900  # seconds: a safety net for a hung job, not a speed limit (a busy 2-core machine takes minutes)
CHURN = [
    ("markdown", "# Churn\nCustomers, their plan, and whether they left."),
    "import numpy as np\nimport pandas as pd\nrng = np.random.default_rng(7)\n"
    "customers = pd.DataFrame({'age': rng.normal(40, 12, 240), 'income': rng.normal(52000, 9000, 240),\n"
    "                          'plan': rng.choice(['basic', 'plus', 'pro'], 240),\n"
    "                          'visits': rng.poisson(4, 240).astype(float)})\n"
    "churned = ((customers.age < 35) | (customers.plan == 'basic')).astype(int)\n"
    "customers.head()",
    ("markdown", "## A pipeline that picks its columns by name"),
    "from sklearn.compose import ColumnTransformer\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import OneHotEncoder, StandardScaler\n"
    "train, test = customers.iloc[:180], customers.iloc[180:]\n"
    "churn_model = Pipeline([('columns', ColumnTransformer([\n"
    "    ('numbers', StandardScaler(), ['age', 'income']),\n"
    "    ('plan', OneHotEncoder(handle_unknown='ignore'), ['plan'])])),\n"
    "    ('classifier', LogisticRegression(max_iter=500))])\n"
    "churn_model.fit(train, churned.iloc[:180])\n"
    "accuracy = float(churn_model.score(test, churned.iloc[180:]))\n"
    "churn_model",
    ("markdown", "## Odd customers, a margin classifier, segments and neighbours"),
    "from sklearn.ensemble import IsolationForest\nfrom sklearn.svm import SVC\n"
    "numbers = customers[['age', 'income', 'visits']]\n"
    "outliers = IsolationForest(random_state=0).fit(numbers.to_numpy())\n"
    "margin = SVC().fit(numbers, churned)  # no predict_proba: probability=False\n"
    "print('outliers found:', int((outliers.predict(numbers.to_numpy()) == -1).sum()))",
    "from sklearn.cluster import KMeans\nfrom sklearn.neighbors import KNeighborsClassifier\n"
    "scaled = StandardScaler().fit_transform(numbers)\n"
    "segments = KMeans(n_clusters=3, n_init=3, random_state=0).fit(scaled)\n"
    "centres = segments.cluster_centers_  # three rows of the same width: not what the model was fitted on\n"
    "neighbours = KNeighborsClassifier(n_neighbors=5).fit(scaled, churned)\n"
    "X_test = np.full((4, 3), 1e6)  # a test-named array of the same width, never given to either model",
    "%matplotlib inline\nimport sys\nsys.exit(0)",
    "never_reached = True",
]


@pytest.fixture(scope="module")
def churn_job(cli_in, notebook_in, tmp_path_factory):
    folder = tmp_path_factory.mktemp("churn")
    return cli_in(folder, "--code", notebook_in(folder, CHURN, "churn.ipynb"), "--executed-notebook", "executed.ipynb",
                  timeout=PATIENT)


def models_by_name(job) -> dict:
    return {model["name"]: model for model in job.report()["models"]}


def run_onnx(path, feed: dict) -> list:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feed)


def test_every_model_is_exported_and_the_users_stderr_stays_clean(churn_job):
    job = churn_job
    assert job.returncode == 0, job.stderr
    assert "feature names" not in job.stderr and "\x1b[" not in job.stderr and "Warning" not in job.stderr
    models = models_by_name(job)
    assert {name: model["state"] for name, model in models.items()} == {
        "churn_model": "exported", "outliers": "exported", "margin": "exported", "segments": "exported",
        "neighbours": "exported"}
    assert all(model["parity"]["ok"] for model in models.values())
    assert sorted(path.name for path in (job.dir / "onnx_models").iterdir()) == sorted(
        f"{name}.onnx" for name in models)


def test_a_pipeline_that_selects_columns_by_name_is_exported_with_one_input_per_column(churn_job):
    model = models_by_name(churn_job)["churn_model"]
    assert (model["route"], model["sample"]) == ("skl2onnx.to_onnx (one input per column)",
                                                 "train (the rows it was fitted on)")
    assert "failed_routes" not in model  # a string column: one float tensor is not even tried
    assert model["parity"]["compared"] == ["predict", "predict_proba"] and model["parity"]["label_agreement"] == 1.0
    rng = np.random.default_rng(7)
    customers = pd.DataFrame({"age": rng.normal(40, 12, 240), "income": rng.normal(52000, 9000, 240),
                              "plan": rng.choice(["basic", "plus", "pro"], 240),
                              "visits": rng.poisson(4, 240).astype(float)})
    feed = {name: customers[[name]].to_numpy() if name != "plan" else customers[["plan"]].to_numpy().astype(object)
            for name in customers.columns}
    labels, probabilities = run_onnx(churn_job.dir / "onnx_models" / "churn_model.onnx", feed)
    churned = ((customers.age < 35) | (customers.plan == "basic")).astype(int).to_numpy()
    assert np.mean(labels == churned) > 0.9 and probabilities.shape == (240, 2)


def test_the_outlier_detector_is_exported_with_the_opsets_the_converter_asked_for(churn_job):
    model = models_by_name(churn_job)["outliers"]
    assert model["route"] == "skl2onnx.to_onnx (target_opset={'': 22, 'ai.onnx.ml': 3})"
    assert model["sample"] == "the rows it was fitted on"  # numbers.to_numpy(): a value no variable holds
    assert model["parity"]["compared"] == ["predict", "decision_function"]
    assert model["parity"]["max_abs_diff"] < 1e-5 and model["parity"]["label_agreement"] == 1.0


def test_a_binary_svc_without_probabilities_has_its_decision_function_compared(churn_job):
    model = models_by_name(churn_job)["margin"]
    assert model["sample"] == "numbers (the rows it was fitted on)"
    assert model["parity"]["compared"] == ["predict", "decision_function (ONNX score column 0)"]
    assert model["parity"]["notes"] == [] and model["parity"]["max_abs_diff"] < 1e-4


def test_clustering_and_neighbours_are_checked_on_the_rows_they_were_fitted_on(churn_job):
    models = models_by_name(churn_job)
    assert models["segments"]["sample"] == "scaled (the rows it was fitted on)"
    assert models["neighbours"]["sample"] == "scaled (the rows it was fitted on)"
    assert models["segments"]["parity"]["compared"] == ["predict", "transform"]
    assert models["segments"]["parity"]["rows"] == 32 and models["neighbours"]["parity"]["label_agreement"] == 1.0


def test_results_and_the_executed_notebook_are_as_jupyter_shows_them(churn_job):
    job = churn_job
    with h5py.File(job.dir / "results.h5", "r") as h5:
        assert h5.attrs["accuracy"] > 0.8
    notebook = nbformat.read(job.dir / "executed.ipynb", as_version=4)
    nbformat.validate(notebook)
    kinds = [cell["cell_type"] for cell in notebook.cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown", "code", "code", "code", "code"]
    head = notebook.cells[1]["outputs"][-1]
    assert (head["output_type"], head["execution_count"]) == ("execute_result", 1)
    assert "<table" in head["data"]["text/html"] and "income" in head["data"]["text/plain"]
    pipeline = notebook.cells[3]["outputs"][-1]
    assert pipeline["output_type"] == "execute_result" and pipeline["data"]["text/plain"].startswith("Pipeline(")
    printed = notebook.cells[5]["outputs"]
    assert [output["output_type"] for output in printed] == ["stream"]  # a print() ends it: no value to show
    assert notebook.cells[8]["execution_count"] is None and notebook.cells[8]["outputs"] == []
    assert [(cell["where"], cell["status"]) for cell in job.report()["cells"]][-1] == ("cell 8", "stopped")


RNN = [
    "import numpy as np\nimport torch\nfrom torch import nn\ntorch.manual_seed(0)\n"
    "series = np.sin(np.linspace(0, 24, 400)).astype('float32')\n"
    "windows = np.stack([series[i:i + 20] for i in range(360)])[:, :, None]\n"
    "targets = series[20:380, None]",
    "class Forecaster(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.rnn = nn.GRU(1, 16, batch_first=True)\n        self.head = nn.Linear(16, 1)\n"
    "    def forward(self, x):\n        out, _ = self.rnn(x)\n        return self.head(out[:, -1])\n"
    "model = Forecaster()\noptimiser = torch.optim.Adam(model.parameters(), lr=0.01)\nloss_fn = nn.MSELoss()\n"
    "X_train = torch.from_numpy(windows)\ny_train = torch.from_numpy(targets)\nlosses = []\n"
    "for epoch in range(5):\n    optimiser.zero_grad()\n    loss = loss_fn(model(X_train), y_train)\n"
    "    loss.backward()\n    optimiser.step()\n    losses.append(float(loss))",
]


def test_a_pytorch_rnn_is_exported_with_a_dynamic_batch(run_cli, write_notebook):
    pytest.importorskip("torch")
    job = run_cli("--code", write_notebook(RNN), "--report-html", "report.html", timeout=PATIENT)
    assert job.returncode == 0, job.stderr
    assert [chart["name"] for chart in job.report()["training_curves"]] == ["lists in the notebook"]
    assert len(job.report()["training_curves"][0]["series"]["losses"]) == 5
    page = (job.dir / "report.html").read_text()
    assert "<svg" in page and ">losses<" in page and "<script" not in page
    assert "<td>torch.onnx.export(dynamo=False)</td>" in page
    (model,) = job.report()["models"]
    assert (model["name"], model["state"], model["route"]) == ("model", "exported", "torch.onnx.export(dynamo=False)")
    assert model["parity"]["ok"] and model["parity"]["max_abs_diff"] < 1e-4
    windows = np.stack([np.sin(np.linspace(0, 24, 400)).astype("float32")[i:i + 20] for i in range(7)])[:, :, None]
    (forecast,) = run_onnx(job.dir / "onnx_models" / "model.onnx", {"input_0": windows})
    assert forecast.shape == (7, 1)


# --- refused before anything runs ----------------------------------------------------------------

def r_notebook(tmp_path) -> str:
    path = tmp_path / "analysis.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                                           "outputs": [], "source": "library(ggplot2)\nsummary(cars)"}],
                                "metadata": {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"},
                                             "language_info": {"name": "R"}},
                                "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_an_r_notebook_is_refused_in_one_line(run_cli, tmp_path):
    job = run_cli("--code", r_notebook(tmp_path))
    assert job.returncode == 2
    assert job.stderr.strip().splitlines() == [
        f"{TOOL}: bad input: analysis.ipynb is a R notebook (kernel 'ir'); this tool runs Python notebooks only"]
    assert not (job.dir / "report.json").exists() and not (job.dir / "work").exists()


def test_an_unknown_magic_is_refused_in_one_line(run_cli, write_notebook):
    job = run_cli("--code", write_notebook([("markdown", "# setup"), "x = 1", "%load_data_from_warehouse prod"]))
    assert job.returncode == 2
    assert job.stderr.strip().splitlines() == [
        f"{TOOL}: bad input: cell 3, line 1: the IPython magic %load_data_from_warehouse cannot run in a job"]


# --- a time limit that lands in the export ------------------------------------------------------

STUCK_EXPORT = [
    "import time\nimport numpy as np\nfrom sklearn.base import BaseEstimator\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "X = np.random.default_rng(0).normal(size=(60, 3))\ny = (X[:, 0] > 0).astype(int)\n"
    "first = LogisticRegression().fit(X, y)\naccuracy = float(first.score(X, y))",
    "class Stuck(BaseEstimator):\n"
    "    '''An estimator whose export never ends, as a converter stuck in native code would: it even\n"
    "    swallows the runner's own interruptions, so only the supervisor's kill ends it.'''\n"
    "    def fit(self, X, y=None):\n        self.n_features_in_ = X.shape[1]\n        return self\n"
    "    def predict(self, X):\n        return np.zeros(len(X))\n"
    "    def __sklearn_is_fitted__(self):\n"
    "        while True:\n            try:\n                time.sleep(0.05)\n"
    "            except BaseException:\n                pass\n"
    "stuck = Stuck().fit(X)",
]


@pytest.mark.slow
def test_a_time_limit_in_the_export_leaves_a_truthful_report_and_every_finished_output(run_cli, write_notebook):
    """The export of 'stuck' holds until the kill; the limit is long so that the cells and the first
    export are surely done before it, however busy the machine."""
    job = run_cli("--code", write_notebook(STUCK_EXPORT), "--time-limit", 90, "--grace", 4, timeout=PATIENT)
    assert job.returncode == 3, job.stderr
    assert job.last_stderr_line == (f"{TOOL}: time limit of 90 s reached while exporting model 'stuck' (2/2); "
                                    "the outputs written by then are kept")
    report = job.report()
    assert (report["status"], report["phase_reached"]) == ("time limit", "export")
    assert report["stopped_during"] == {"phase": "export", "model": "stuck", "position": "2/2"}
    first, stuck = report["models"]
    assert (first["name"], first["state"], first["onnx"], first["parity"]["ok"]) == ("first", "exported",
                                                                                  "first.onnx", True)
    assert (stuck["name"], stuck["state"], stuck["onnx"]) == ("stuck", "not exported", None)
    assert stuck["warnings"][-1] == "not exported: the job was stopped while it was being exported"
    assert "route" not in stuck
    assert sorted(path.name for path in (job.dir / "onnx_models").iterdir()) == ["first.onnx"]
    with h5py.File(job.dir / "results.h5", "r") as h5:  # written before any export began
        assert h5.attrs["accuracy"] > 0.9
