"""Write the notebook as it ran: the original cells with their outputs, as Jupyter would show them.

Each executed code cell gets its printed text (stream outputs), the figures it drew (PNG display
data), the value of its last expression (execute_result, as Jupyter and papermill show ``df.head()``)
and, for the failing cell, the error; cells after a failure stay unexecuted. The injected
parameters become their own cell tagged 'injected-parameters', as papermill does. A script becomes
a one-cell notebook.
"""
from __future__ import annotations

import json
from pathlib import Path

from notebook_job.prepare.notebook_code import INJECTED_FILENAME, INJECTED_TAG


def _outputs(record: dict, execution_count: int) -> list[dict]:
    outputs = [{"output_type": "stream", "name": name, "text": record[name]}
               for name in ("stdout", "stderr") if record.get(name)]
    outputs += [{"output_type": "display_data", "data": {"image/png": image, "text/plain": "<Figure>"},
                 "metadata": {}} for image in record.get("images", [])]
    if record.get("result"):
        outputs.append({"output_type": "execute_result", "execution_count": execution_count,
                        "data": record["result"], "metadata": {}})
    if record.get("error"):
        error = record["error"]
        outputs.append({"output_type": "error", "ename": error["ename"], "evalue": error["evalue"],
                        "traceback": error["traceback"]})
    return outputs


def _code_cell(source: str, cell_id: str | None, tags: list[str]) -> dict:
    """A new code cell; ``cell_id`` None for notebooks older than nbformat 4.5, whose schema has no cell ids."""
    cell = {"cell_type": "code", "metadata": {"tags": tags} if tags else {}, "source": source,
            "execution_count": None, "outputs": []}
    return cell if cell_id is None else {"id": cell_id, **cell}


def _base_notebook(code_path: Path, is_notebook: bool) -> dict:
    if is_notebook:
        return json.loads(code_path.read_text(encoding="utf-8"))
    return {"cells": [_code_cell(code_path.read_text(encoding="utf-8"), "script", [])],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def build_executed_notebook(code_path: Path, script_name: str | None, injected: tuple[str, int] | None,
                            records: dict[str, dict]) -> dict:
    """The notebook with outputs.

    ``records`` maps a cell's file name ('<cell 3>', '<injected parameters>', or the script's name)
    to what the child recorded for it; ``injected`` is (source, number of the cell it follows, 0 for
    the top) when parameters were injected.
    """
    notebook = _base_notebook(code_path, script_name is None)
    injected_id = "injected-parameters" if notebook.get("nbformat_minor", 0) >= 5 else None
    cells = []
    execution_count = 0

    def executed(cell: dict, key: str) -> dict:
        nonlocal execution_count
        cell["outputs"], cell["execution_count"] = [], None
        if key in records:
            execution_count += 1
            cell.update(execution_count=execution_count, outputs=_outputs(records[key], execution_count))
        return cell

    if injected and injected[1] == 0:
        cells.append(executed(_code_cell(injected[0], injected_id, [INJECTED_TAG]), INJECTED_FILENAME))
    for number, cell in enumerate(notebook["cells"], start=1):
        if cell.get("cell_type") == "code":
            cell = executed(cell, script_name or f"<cell {number}>")
        cells.append(cell)
        if injected and injected[1] == number:
            cells.append(executed(_code_cell(injected[0], injected_id, [INJECTED_TAG]), INJECTED_FILENAME))
    notebook["cells"] = cells
    return notebook


def write_executed_notebook(path: Path, notebook: dict) -> None:
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
