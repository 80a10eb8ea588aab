"""Read a notebook or a script into the list of code cells the child will run.

Notebooks are read as plain JSON (nbformat's schema validation costs more than the rest of a small
job); cells are numbered by their position in the notebook, counting every cell, because that is
the number a user finds by scrolling.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from notebook_job.errors import BadInputError
from notebook_job.prepare.parameters import check_name, python_literal

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
INJECTED_FILENAME = "<injected parameters>"


@dataclass
class CodeCell:
    """One unit of user code: a notebook code cell, a whole script, or the injected parameters."""

    number: int
    source: str
    filename: str
    tags: list[str] = field(default_factory=list)

    def where(self, line: int | None = None) -> str:
        """Location text used in progress lines and errors: 'cell 3, line 2' or 'train.py, line 2'."""
        if self.filename.startswith("<cell"):
            place = f"cell {self.number}"
        else:
            place = self.filename.strip("<>")
        return place if line is None else f"{place}, line {line}"


def _source_text(source: object, number: int) -> str:
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise BadInputError(f"notebook cell {number} has a 'source' that is neither text nor a list of lines")


PYTHON_LANGUAGES = {"python", "python3", "ipython", "ipython3"}


def kernel_language(metadata: object) -> tuple[str, str]:
    """(language, kernel name) the notebook says it is written for; ('python', '') when it does not say."""
    metadata = metadata if isinstance(metadata, dict) else {}
    kernelspec = metadata.get("kernelspec") if isinstance(metadata.get("kernelspec"), dict) else {}
    language_info = metadata.get("language_info") if isinstance(metadata.get("language_info"), dict) else {}
    language = kernelspec.get("language") or language_info.get("name") or "python"
    return str(language), str(kernelspec.get("name") or "")


def check_python(metadata: object, display_name: str) -> None:
    """Refuse a notebook written for another language (R, Julia...): run as Python it would fail on
    its first line, or worse, half-run."""
    language, kernel = kernel_language(metadata)
    if language.lower() not in PYTHON_LANGUAGES:
        named = f" (kernel {kernel!r})" if kernel else ""
        raise BadInputError(f"{display_name} is a {language} notebook{named}; this tool runs Python notebooks only")


def _cells_from_notebook(document: object, display_name: str) -> list[CodeCell]:
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise BadInputError(f"{display_name} is JSON but not a Jupyter notebook (no 'cells' list)")
    if document.get("nbformat") != 4:
        raise BadInputError(f"{display_name} is nbformat {document.get('nbformat')!r}; only version 4 notebooks run")
    check_python(document.get("metadata"), display_name)
    cells = []
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or "cell_type" not in cell:
            raise BadInputError(f"notebook cell {number} has no 'cell_type'")
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        cells.append(CodeCell(number, _source_text(cell.get("source", ""), number), f"<cell {number}>", list(tags)))
    return cells


def looks_like_notebook(text: str) -> bool:
    """A notebook is a JSON object; a Python script never starts with '{'."""
    return text.lstrip().startswith("{")


def refuse_json_data(text: str, display_name: str) -> None:
    """A JSON object or list given as a script (a report of an earlier run, say) is data, not code: as
    Python it would fail later with e.g. NameError: name 'true' is not defined."""
    if not text.lstrip().startswith(("{", "[")):
        return
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return
    raise BadInputError(f"{display_name} is JSON data, not Python code: give a notebook (ipynb) or a Python script")


def load_cells(path: Path, display_name: str, code_format: str = "auto") -> list[CodeCell]:
    """Cells of ``path``; ``code_format`` is 'ipynb', 'python' or 'auto' (decided from the content)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise BadInputError(f"{display_name} is not UTF-8 text ({error.reason} at byte {error.start})") from None
    if code_format == "auto":
        code_format = "ipynb" if looks_like_notebook(text) else "python"
    if code_format == "python":
        refuse_json_data(text, display_name)
        cells = [CodeCell(1, text, display_name)]
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise BadInputError(f"{display_name} is not valid notebook JSON: {error.msg} at line {error.lineno}, "
                                f"column {error.colno}") from None
        cells = _cells_from_notebook(document, display_name)
    if not any(cell.source.strip() for cell in cells):
        raise BadInputError(f"{display_name} has no code to run")
    return cells


def parameters_cell(values: dict[str, object], number: int) -> CodeCell:
    """The cell papermill would inject: one assignment per parameter, values as Python literals."""
    for name in values:
        check_name(name)
    source = "".join(f"{name} = {python_literal(value)}\n" for name, value in values.items())
    return CodeCell(number, source, INJECTED_FILENAME, [INJECTED_TAG])


def inject_parameters(cells: list[CodeCell], values: dict[str, object]) -> list[CodeCell]:
    """Insert the parameters after the cell tagged 'parameters', or first when no cell has that tag."""
    if not values:
        return cells
    tagged = [index for index, cell in enumerate(cells) if PARAMETERS_TAG in cell.tags]
    position = tagged[0] + 1 if tagged else 0
    number = cells[tagged[0]].number if tagged else 0
    return cells[:position] + [parameters_cell(values, number)] + cells[position:]
