"""Staging inputs into the work directory: links under the names the code opens, checked first."""
from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest

from notebook_job.errors import BadInputError
from notebook_job.prepare.staging import input_name, read_job_file, stage_inputs


@pytest.fixture
def inputs(make_h5):
    """Two valid HDF5 inputs as Galaxy keeps them: opaque dataset file names."""
    return make_h5("dataset_001.dat", X=np.arange(6.0).reshape(3, 2)), make_h5("dataset_002.dat", y=np.arange(3))


def test_inputs_are_links_not_copies(tmp_path, inputs):
    workdir = tmp_path / "work"
    staged = stage_inputs([("train", inputs[0]), ("labels.hdf5", inputs[1])], workdir)
    assert [item.name for item in staged] == ["train.h5", "labels.hdf5"]
    assert sorted(os.listdir(workdir)) == ["labels.hdf5", "train.h5"]
    for item, source in zip(staged, inputs):
        assert item.staged == workdir / item.name
        assert item.staged.is_symlink()
        assert os.readlink(item.staged) == str(source.resolve())
        assert item.staged.stat().st_ino == source.stat().st_ino


def test_describe_gives_size_and_sha256(tmp_path, inputs):
    (staged,) = stage_inputs([("train", inputs[0])], tmp_path / "work")
    content = inputs[0].read_bytes()
    assert staged.describe() == {"name": "train.h5", "bytes": len(content),
                                 "sha256": hashlib.sha256(content).hexdigest()}


def test_staging_again_replaces_the_link(tmp_path, inputs):
    workdir = tmp_path / "work"
    stage_inputs([("data", inputs[0])], workdir)
    stage_inputs([("data", inputs[1])], workdir)
    assert os.readlink(workdir / "data.h5") == str(inputs[1].resolve())


@pytest.mark.parametrize(("identifier", "name"), [
    ("train", "train.h5"),
    ("train.h5", "train.h5"),
    ("folder/sub/test.hdf5", "test.hdf5"),
    ("C:\\Users\\me\\val.H5", "val.H5"),
    ("my data set ", "my data set.h5"),
    ("scan_v2.nc", "scan_v2.nc"),
    ("résumé-1", "résumé-1.h5"),
])
def test_names_come_from_galaxy_identifiers(identifier, name):
    assert input_name(identifier) == name


@pytest.mark.parametrize("identifier", ["..", "data/..", "", "   ", ".hidden", "-rf", "a;b", "a*", "x\ny"])
def test_unsafe_names_are_refused(identifier):
    with pytest.raises(BadInputError) as raised:
        input_name(identifier)
    assert str(raised.value) == (f"input name {identifier!r} cannot be a file name "
                                 "(use letters, digits, '.', '_', '-')")


def test_duplicate_names_are_refused(tmp_path, inputs):
    with pytest.raises(BadInputError) as raised:
        stage_inputs([("train", inputs[0]), ("data/train.h5", inputs[1])], tmp_path / "work")
    assert str(raised.value) == ("two inputs would both be staged as 'train.h5' ('train' and 'data/train.h5'); "
                                 "rename one of the datasets")


@pytest.mark.parametrize("bad", ["missing", "not_hdf5", "unsafe"])
def test_a_bad_input_leaves_the_work_dir_untouched(tmp_path, inputs, test_data, bad):
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "notes.txt").write_text("kept")
    second = {"missing": ("gone", tmp_path / "gone.h5"), "not_hdf5": ("text", test_data / "not_hdf5.h5"),
              "unsafe": ("a;b", inputs[1])}[bad]
    with pytest.raises(BadInputError):
        stage_inputs([("train", inputs[0]), second], workdir)
    assert os.listdir(workdir) == ["notes.txt"]
    with pytest.raises(BadInputError):
        stage_inputs([("train", inputs[0]), second], tmp_path / "never_made")
    assert not (tmp_path / "never_made").exists()


def test_missing_source_is_named(tmp_path):
    with pytest.raises(BadInputError, match=f"^input 'gone.h5': {tmp_path}/gone.dat does not exist$"):
        stage_inputs([("gone", tmp_path / "gone.dat")], tmp_path / "work")


def test_job_file_keeps_quotes_and_spaces(tmp_path):
    document = {"code_name": 'my "best" notebook.ipynb',
                "inputs": [{"name": "it's a \"train\" set", "path": "/data/x y/it's.dat"},
                           {"name": "test, final", "path": "/data/b.dat"}]}
    path = tmp_path / "job.json"
    path.write_text(json.dumps(document))
    code_name, pairs, parameters = read_job_file(path)
    assert parameters == []
    assert code_name == 'my "best" notebook.ipynb'
    assert [(name, str(source)) for name, source in pairs] == [("it's a \"train\" set", "/data/x y/it's.dat"),
                                                               ("test, final", "/data/b.dat")]


def test_job_file_without_inputs(tmp_path):
    path = tmp_path / "job.json"
    path.write_text("{}")
    assert read_job_file(path) == (None, [], [])


@pytest.mark.parametrize(("text", "detail"), [
    ("{not json", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ('{"inputs": [{"name": "a"}]}', "'path'"),
    ('{"inputs": 5}', "'int' object is not iterable"),
    ("[]", "'list' object has no attribute 'get'"),
])
def test_job_file_of_the_wrong_form_is_refused(tmp_path, text, detail):
    path = tmp_path / "job.json"
    path.write_text(text)
    with pytest.raises(BadInputError) as raised:
        read_job_file(path)
    assert str(raised.value) == f"job file {path} is not of the expected form: {detail}"
