"""Reading notebooks and scripts into cells, and injecting parameters."""
from __future__ import annotations

import pytest

from notebook_job.errors import BadInputError
from notebook_job.prepare.notebook_code import CodeCell, inject_parameters, load_cells, looks_like_notebook


def test_cells_are_numbered_by_position_counting_markdown(write_notebook):
    path = write_notebook([("markdown", "# Title"), "a = 1", ("raw", "raw text"), ("code", ["b = 2\n", "c = 3"])])
    cells = load_cells(path, "nb.ipynb")
    assert [(cell.number, cell.source, cell.filename) for cell in cells] == [
        (2, "a = 1", "<cell 2>"), (4, "b = 2\nc = 3", "<cell 4>")]
    assert cells[1].where(2) == "cell 4, line 2"
    assert cells[0].where() == "cell 2"


def test_tags_are_kept(write_notebook):
    path = write_notebook([("code", "x = 1", ["parameters", "other"])])
    assert load_cells(path, "nb.ipynb")[0].tags == ["parameters", "other"]


def test_script_is_one_cell_named_after_the_file(tmp_path):
    path = tmp_path / "train.py"
    path.write_text("import os\nx = 1\n")
    (cell,) = load_cells(path, "train.py")
    assert (cell.number, cell.source, cell.filename, cell.where(2)) == (1, "import os\nx = 1\n", "train.py",
                                                                       "train.py, line 2")


def test_format_is_decided_from_the_content_or_forced(tmp_path, write_notebook):
    notebook = write_notebook(["x = 1"], name="looks_like_a_script.py")
    assert load_cells(notebook, "n")[0].filename == "<cell 1>"
    with pytest.raises(BadInputError, match="n is JSON data, not Python code"):  # a notebook forced to be a script
        load_cells(notebook, "n", code_format="python")
    assert looks_like_notebook("  \n{}") and not looks_like_notebook("# {}\n")


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{\n "cells": [\n  {"cell_type": "code",,}\n ]\n}\n')
    with pytest.raises(BadInputError) as raised:
        load_cells(path, "broken.ipynb")
    assert str(raised.value) == ("broken.ipynb is not valid notebook JSON: Expecting property name enclosed in "
                                 "double quotes at line 3, column 24")
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(("text", "message"), [
    ('{"nbformat": 3, "cells": [{"cell_type": "code", "source": "x = 1"}]}',
     "old.ipynb is nbformat 3; only version 4 notebooks run"),
    ('{"nbformat": 3, "worksheets": []}', "old.ipynb is JSON but not a Jupyter notebook (no 'cells' list)"),
    ('[1, 2]', "old.ipynb is JSON but not a Jupyter notebook (no 'cells' list)"),
    ('{"nbformat": 4, "cells": [{"source": "x"}]}', "notebook cell 1 has no 'cell_type'"),
    ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}',
     "notebook cell 1 has a 'source' that is neither text nor a list of lines"),
])
def test_notebooks_that_cannot_run_are_refused(tmp_path, text, message):
    path = tmp_path / "old.ipynb"
    path.write_text(text)
    with pytest.raises(BadInputError, match=f"^{message}$".replace("(", r"\(").replace(")", r"\)")):
        load_cells(path, "old.ipynb", code_format="ipynb")


@pytest.mark.parametrize("cells", [[], [("markdown", "# only text")], ["", "   \n"]])
def test_nothing_to_run_is_refused(write_notebook, cells):
    with pytest.raises(BadInputError, match=r"^empty.ipynb has no code to run$"):
        load_cells(write_notebook(cells), "empty.ipynb")


def test_empty_script_is_refused(tmp_path):
    path = tmp_path / "empty.py"
    path.write_text("\n\n")
    with pytest.raises(BadInputError, match=r"^empty.py has no code to run$"):
        load_cells(path, "empty.py")


def test_non_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.py"
    path.write_bytes(b"x = '\xe9'\n")
    with pytest.raises(BadInputError, match=r"^latin1.py is not UTF-8 text \(invalid continuation byte at byte 5\)$"):
        load_cells(path, "latin1.py")


def _cells(*tag_lists: list[str]) -> list[CodeCell]:
    return [CodeCell(number, f"step_{number} = {number}\n", f"<cell {number}>", tags)
            for number, tags in enumerate(tag_lists, start=2)]


def test_parameters_go_right_after_the_tagged_cell():
    cells = inject_parameters(_cells([], ["parameters"], []), {"epochs": 3, "name": "it's", "rates": [0.1, 1e-3]})
    assert [cell.filename for cell in cells] == ["<cell 2>", "<cell 3>", "<injected parameters>", "<cell 4>"]
    injected = cells[2]
    assert injected.source == "epochs = 3\nname = \"it's\"\nrates = [0.1, 0.001]\n"
    assert (injected.number, injected.tags, injected.where(1)) == (3, ["injected-parameters"],
                                                                  "injected parameters, line 1")
    namespace: dict = {}
    exec(injected.source, namespace)
    assert (namespace["epochs"], namespace["name"], namespace["rates"]) == (3, "it's", [0.1, 0.001])


def test_parameters_go_first_without_a_tagged_cell():
    cells = inject_parameters(_cells([], []), {"epochs": 3})
    assert [cell.filename for cell in cells] == ["<injected parameters>", "<cell 2>", "<cell 3>"]
    assert cells[0].number == 0


def test_no_parameters_leaves_the_cells_alone():
    cells = _cells([], ["parameters"])
    assert inject_parameters(cells, {}) is cells


@pytest.mark.parametrize("name", ["1st", "a-b", "x; import os", ""])
def test_invalid_parameter_names_are_refused(name):
    with pytest.raises(BadInputError, match="is not a valid Python identifier$"):
        inject_parameters(_cells([]), {name: 1})


@pytest.mark.parametrize("text", ['{"status": "ok", "ok": true}\n', '[1, 2, null]'])
def test_json_data_given_as_a_script_is_refused(tmp_path, text):
    """A report of an earlier run chosen as the script: one clear line, not NameError: name 'true'."""
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(BadInputError, match=r"^report.json is JSON data, not Python code: give a notebook \(ipynb\) or a Python script$"):
        load_cells(path, "report.json", "python")


def test_a_script_that_starts_with_a_dict_literal_still_runs(tmp_path):
    path = tmp_path / "train.py"
    path.write_text("{'a': 1}\nx = 2\n")
    assert load_cells(path, "train.py", "python")[0].source == "{'a': 1}\nx = 2\n"
