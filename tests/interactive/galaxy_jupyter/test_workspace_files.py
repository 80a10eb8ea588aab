"""galaxy_jupyter.workspace_files: names from history names, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from galaxy_jupyter import workspace_files
from galaxy_jupyter.workspace_files import safe_name, with_extension


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("train.h5", "train.h5"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("/etc/passwd", "_etc_passwd"),
        (".hidden", "hidden"),
        ("..", "dataset"),
        ("", "dataset"),
        ("a\nb", "a_b"),
        ("name with spaces.h5", "name with spaces.h5"),
    ],
)
def test_safe_name_keeps_every_name_inside_the_workspace(name: str, expected: str) -> None:
    assert safe_name(name) == expected
    assert "/" not in safe_name(name)


def test_extension_only_for_names_without_one() -> None:
    assert with_extension("Pasted entry", "txt") == "Pasted entry.txt"
    assert with_extension("train.h5", "h5") == "train.h5"
    assert with_extension("weights.hdf5", "h5") == "weights.hdf5"
    assert with_extension("blob", "data") == "blob"


def test_a_copy_never_leaves_half_a_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, destination = tmp_path / "a.ipynb", tmp_path / "out" / "a.ipynb"
    source.write_text("new")
    destination.parent.mkdir()
    destination.write_text("old")

    def broken_copy(src: Path, dst: Path) -> None:
        Path(dst).write_text("ne")
        raise OSError("disk full")

    monkeypatch.setattr(workspace_files.shutil, "copyfile", broken_copy)
    with pytest.raises(OSError):
        workspace_files.atomic_copy(source, destination)
    assert destination.read_text() == "old"
    assert list(destination.parent.iterdir()) == [destination]
