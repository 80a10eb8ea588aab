"""Put each input into the work directory under the name the user's code opens.

Inputs are symbolic links, never copies: a 2 GB training set costs nothing to stage. The user's
code is never rewritten; it simply finds ``train.h5`` in its working directory.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from notebook_job.errors import BadInputError
from notebook_job.prepare.hdf5_check import check_hdf5

SAFE_NAME = re.compile(r"^[\w][\w.\- ]*$")
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf", ".he5", ".nc")
HASH_BLOCK = 8 * 1024 * 1024


@dataclass
class StagedInput:
    """An input as the user's code sees it (``name``) and where Galaxy keeps it (``source``)."""

    name: str
    source: Path
    staged: Path

    def describe(self) -> dict:
        """Name, size and sha256, for the report: enough to tell later which data trained a model."""
        digest = hashlib.sha256()
        with self.source.open("rb") as handle:
            while block := handle.read(HASH_BLOCK):
                digest.update(block)
        return {"name": self.name, "bytes": self.source.stat().st_size, "sha256": digest.hexdigest()}


def input_name(identifier: str) -> str:
    """The file name for a dataset: its Galaxy name without folders, with an HDF5 suffix added if it has none."""
    name = identifier.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not SAFE_NAME.match(name):
        raise BadInputError(f"input name {identifier!r} cannot be a file name (use letters, digits, '.', '_', '-')")
    return name if name.lower().endswith(HDF5_SUFFIXES) else name + ".h5"


class JobFile(NamedTuple):
    """What the tool's configfile says: the code's name, the inputs, the typed form parameters."""

    code_name: str | None
    inputs: list[tuple[str, Path]]
    parameters: list[dict]


def read_job_file(path: Path) -> JobFile:
    """The tool's configfile: ``{"code_name", "inputs": [{"name", "path"}], "parameters": [{"name", "type", "value"}]}``.

    JSON rather than command-line words, so dataset names with quotes or spaces arrive intact.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        pairs = [(item["name"], Path(item["path"])) for item in document.get("inputs", [])]
        parameters = list(document.get("parameters", []))
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise BadInputError(f"job file {path} is not of the expected form: {error}") from None
    return JobFile(document.get("code_name"), pairs, parameters)


def stage_inputs(pairs: list[tuple[str, Path]], workdir: Path) -> list[StagedInput]:
    """Validate every input first, then link them all: a bad input leaves the work directory untouched."""
    staged: list[StagedInput] = []
    seen: dict[str, str] = {}
    for identifier, source in pairs:
        name = input_name(identifier)
        if name in seen:
            raise BadInputError(f"two inputs would both be staged as {name!r} ({seen[name]!r} and {identifier!r}); "
                                "rename one of the datasets")
        seen[name] = identifier
        if not source.is_file():
            raise BadInputError(f"input {name!r}: {source} does not exist")
        check_hdf5(source, name)
        staged.append(StagedInput(name, source.resolve(), workdir / name))
    workdir.mkdir(parents=True, exist_ok=True)
    for item in staged:
        if item.staged.is_symlink() or item.staged.exists():
            item.staged.unlink()
        os.symlink(item.source, item.staged)
    return staged
