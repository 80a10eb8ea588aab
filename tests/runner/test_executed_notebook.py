"""The notebook as it ran: each cell's outputs, execution counts, the injected parameters, valid nbformat."""
from __future__ import annotations

import base64
import builtins
import json

import nbformat
import pytest

from notebook_job.deliver.executed_notebook import build_executed_notebook, write_executed_notebook
from notebook_job.prepare.notebook_code import INJECTED_FILENAME, inject_parameters, load_cells
from notebook_job.run.cell_runner import fresh_main_module, run_cells

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PLOT = ("import sys\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "print('hello')\nprint('careful', file=sys.stderr)\nplt.plot([1, 2, 3])")
FAILING = "print('before')\nratio = 1 / 0\nprint('after')"


@pytest.fixture
def execute(restore_main, capsys):
    """``execute(path, parameters)`` -> the executed notebook of ``path`` run in-process as the child runs it."""
    def run(path, parameters: dict | None = None, code_name: str | None = None) -> dict:
        cells = inject_parameters(load_cells(path, code_name or path.name), parameters or {})
        namespace = fresh_main_module({"__builtins__": builtins}).__dict__
        records = run_cells(cells, namespace).records
        injected = [cell for cell in cells if cell.filename == INJECTED_FILENAME]
        script = [cell.filename for cell in cells if not cell.filename.startswith("<")]
        notebook = build_executed_notebook(path, script[0] if script else None,
                                           (injected[0].source, injected[0].number) if injected else None, records)
        nbformat.validate(nbformat.from_dict(notebook))
        return notebook
    return run


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_outputs_counts_and_the_injected_cell(execute, write_notebook):
    path = write_notebook([("markdown", "# Title"), ("code", "epochs = 1", ["parameters"]), PLOT, FAILING,
                           "never = True"])
    notebook = execute(path, {"epochs": 3, "rates": [0.1, 0.2]})
    assert [cell.get("id") for cell in notebook["cells"]] == ["c1", "c2", "injected-parameters", "c3", "c4", "c5"]
    assert [cell.get("execution_count") for cell in notebook["cells"]] == [None, 1, 2, 3, 4, None]
    markdown, tagged, injected, plot, failing, unexecuted = notebook["cells"]
    assert markdown == {"cell_type": "markdown", "id": "c1", "metadata": {}, "source": "# Title"}
    assert (tagged["source"], tagged["metadata"], tagged["outputs"]) == ("epochs = 1", {"tags": ["parameters"]}, [])
    assert injected == {"id": "injected-parameters", "cell_type": "code",
                        "metadata": {"tags": ["injected-parameters"]}, "source": "epochs = 3\nrates = [0.1, 0.2]\n",
                        "execution_count": 2, "outputs": []}
    stdout, stderr, figure, result = plot["outputs"]
    # as in Jupyter: the value of plt.plot(...) ending the cell is its execute_result
    assert (result["output_type"], result["execution_count"]) == ("execute_result", 3)
    assert result["data"]["text/plain"].startswith("[<matplotlib.lines.Line2D")
    assert stdout == {"output_type": "stream", "name": "stdout", "text": "hello\n"}
    assert stderr == {"output_type": "stream", "name": "stderr", "text": "careful\n"}
    assert (figure["output_type"], figure["metadata"], figure["data"]["text/plain"]) == ("display_data", {},
                                                                                       "<Figure>")
    assert base64.b64decode(figure["data"]["image/png"]).startswith(PNG_SIGNATURE)
    printed, error = failing["outputs"]
    assert printed == {"output_type": "stream", "name": "stdout", "text": "before\n"}
    assert (error["output_type"], error["ename"], error["evalue"]) == ("error", "ZeroDivisionError",
                                                                      "division by zero")
    heading, frame, summary = error["traceback"]
    assert (heading, summary) == ("Traceback (most recent call last):", "ZeroDivisionError: division by zero")
    assert frame.startswith('  File "<cell 4>", line 2, in <module>\n    ratio = 1 / 0\n')
    assert (unexecuted["source"], unexecuted["execution_count"], unexecuted["outputs"]) == ("never = True", None, [])


def test_parameters_go_first_without_a_tagged_cell(execute, write_notebook):
    notebook = execute(write_notebook(["print(epochs)", "done = True"]), {"epochs": 5})
    assert [(cell.get("id"), cell["execution_count"], cell["metadata"]) for cell in notebook["cells"]] == [
        ("injected-parameters", 1, {"tags": ["injected-parameters"]}), ("c1", 2, {}), ("c2", 3, {})]
    assert notebook["cells"][1]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "5\n"}]


def test_stale_outputs_of_the_original_are_replaced(execute, tmp_path):
    document = {"cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "source": "x = 1", "execution_count": 7,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "old\n"}]},
        {"cell_type": "code", "id": "b", "metadata": {"collapsed": True}, "source": "raise ValueError('bad')",
         "execution_count": 8, "outputs": []},
        {"cell_type": "code", "id": "c", "metadata": {}, "source": "y = 2", "execution_count": 9,
         "outputs": [{"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {},
                      "execution_count": 9}]},
        {"cell_type": "raw", "id": "d", "metadata": {}, "source": "raw text"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "stale.ipynb"
    path.write_text(json.dumps(document))
    notebook = execute(path)
    assert notebook["metadata"] == document["metadata"]
    first, failing, after, raw = notebook["cells"]
    assert (first["execution_count"], first["outputs"]) == (1, [])
    assert (failing["execution_count"], failing["metadata"]) == (2, {"collapsed": True})
    assert [(output["ename"], output["evalue"]) for output in failing["outputs"]] == [("ValueError", "bad")]
    assert (after["execution_count"], after["outputs"]) == (None, [])
    assert raw == document["cells"][3]


def test_an_older_notebook_gets_an_injected_cell_without_an_id(execute, tmp_path):
    """Cell ids came with nbformat 4.5: an id in a 4.4 notebook fails validation (additional property)."""
    document = {"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "a = 1",
                           "execution_count": None, "outputs": []}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(document))
    notebook = execute(path, {"a": 2})
    assert notebook["cells"][1] == {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]},
                                    "source": "a = 2\n", "execution_count": 2, "outputs": []}


def test_a_script_becomes_a_one_cell_notebook(execute, tmp_path):
    path = tmp_path / "train.py"
    path.write_text("print('training')\nscore = 0.5\n")
    notebook = execute(path, code_name="train.py")
    assert notebook["metadata"]["kernelspec"] == {"display_name": "Python 3", "language": "python",
                                                  "name": "python3"}
    assert (notebook["nbformat"], notebook["nbformat_minor"]) == (4, 5)
    assert notebook["cells"] == [{"cell_type": "code", "id": "script", "metadata": {},
                                  "source": "print('training')\nscore = 0.5\n", "execution_count": 1,
                                  "outputs": [{"output_type": "stream", "name": "stdout", "text": "training\n"}]}]


def test_a_script_with_parameters_shows_them_first(execute, tmp_path):
    path = tmp_path / "train.py"
    path.write_text("print(epochs)\n")
    notebook = execute(path, {"epochs": 2}, code_name="train.py")
    assert [(cell["id"], cell["source"], cell["execution_count"]) for cell in notebook["cells"]] == [
        ("injected-parameters", "epochs = 2\n", 1), ("script", "print(epochs)\n", 2)]


def test_nothing_recorded_leaves_every_cell_unexecuted(write_notebook):
    """What the parent writes when the child died before reporting anything."""
    path = write_notebook(["a = 1", ("markdown", "text"), "b = 2"])
    notebook = build_executed_notebook(path, None, ("a = 5\n", 1), {})
    nbformat.validate(nbformat.from_dict(notebook))
    assert [(cell.get("id"), cell.get("execution_count"), cell.get("outputs")) for cell in notebook["cells"]] == [
        ("c1", None, []), ("injected-parameters", None, []), ("c2", None, None), ("c3", None, [])]


def test_the_written_notebook_reads_back(tmp_path, write_notebook):
    path = write_notebook(["print('ünïcode ✓')"])
    notebook = build_executed_notebook(path, None, None, {"<cell 1>": {"stdout": "ünïcode ✓\n", "stderr": "",
                                                                      "images": []}})
    target = tmp_path / "executed.ipynb"
    write_executed_notebook(target, notebook)
    text = target.read_text(encoding="utf-8")
    assert "ünïcode ✓" in text and text.endswith("}\n")
    back = nbformat.read(target, as_version=4)
    nbformat.validate(back)
    assert back.cells[0].outputs[0].text == "ünïcode ✓\n" and back.cells[0].execution_count == 1
