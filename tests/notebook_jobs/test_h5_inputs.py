"""Which HDF5 files a notebook job gets: the ones the notebook opens, or the form's h5_inputs choice."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from galaxy_ml_jupyter.scheduler.h5_inputs import H5InputError, job_h5_inputs

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from make_test_data import notebook  # noqa: E402


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    for name in ("train.h5", "test.h5", "unused.h5", "data/extra.hdf5"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"\x89HDF\r\n\x1a\n")
    cells = [("code", "%matplotlib inline\n!ls\nimport h5py\nwith h5py.File('train.h5') as h5:\n    pass", []),
             ("code", "paths = {'test': \"test.h5\", 'gone': 'missing.h5', 'nested': 'data/extra.hdf5'}", []),
             ("markdown", "Also mentions 'unused.h5' in prose, which is not code.", []),
             ("code", "this is not python (", [])]
    (tmp_path / "train.ipynb").write_text(json.dumps(notebook(cells)))
    return tmp_path / "train.ipynb"


def test_by_default_the_h5_files_the_code_names_that_exist_beside_it(project):
    assert job_h5_inputs(project, {"epochs": "3"}) == {"train.h5": project.parent / "train.h5",
                                                       "test.h5": project.parent / "test.h5"}


def test_a_link_to_a_file_elsewhere_counts_as_in_the_folder(project, tmp_path_factory):
    """The interactive tool places its datasets as links to Galaxy's files."""
    dataset = tmp_path_factory.mktemp("galaxy_objects") / "dataset_1.dat"
    dataset.write_bytes(b"\x89HDF\r\n\x1a\n")
    (project.parent / "train.h5").unlink()
    (project.parent / "train.h5").symlink_to(dataset)
    assert job_h5_inputs(project, {})["train.h5"] == project.parent / "train.h5"


def test_the_form_choice_with_globs_replaces_the_default(project):
    chosen = job_h5_inputs(project, {"h5_inputs": "unused.h5, data/*.hdf5"})
    assert chosen == {"unused.h5": project.parent / "unused.h5", "extra.hdf5": project.parent / "data" / "extra.hdf5"}
    assert job_h5_inputs(project, {"h5_inputs": ""}) == {}


@pytest.mark.parametrize("choice", ["missing.h5", "nothing/*.h5", "../outside.h5", "../*.h5"])
def test_a_choice_that_names_no_file_in_the_folder_is_refused(project, choice):
    (project.parent.parent / "outside.h5").write_bytes(b"x")
    with pytest.raises(H5InputError, match=r"^h5_inputs: no file '.*' beside train.ipynb$"):
        job_h5_inputs(project, {"h5_inputs": choice})
