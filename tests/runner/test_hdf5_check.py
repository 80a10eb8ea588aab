"""HDF5 inputs: a real signature, and no link that reaches outside the job."""
from __future__ import annotations

import re

import h5py
import numpy as np
import pytest

from notebook_job.errors import BadInputError
from notebook_job.prepare.hdf5_check import check_hdf5, has_hdf5_signature


def refused(path, name: str = "input.h5") -> str:
    with pytest.raises(BadInputError) as raised:
        check_hdf5(path, name)
    assert raised.value.exit_code == 2
    return str(raised.value)


def test_signature_at_byte_zero(make_h5):
    path = make_h5("plain.h5", X=np.arange(6.0))
    assert path.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    assert has_hdf5_signature(path)
    check_hdf5(path, "plain.h5")


def test_signature_after_a_user_block(tmp_path):
    path = tmp_path / "user_block.h5"
    with h5py.File(path, "w", userblock_size=512) as h5:
        h5["X"] = np.arange(3)
    with path.open("r+b") as handle:
        handle.write(b"a user block of text, not HDF5".ljust(512, b" "))
    assert path.read_bytes()[512:520] == b"\x89HDF\r\n\x1a\n"
    assert has_hdf5_signature(path)
    check_hdf5(path, "user_block.h5")
    with h5py.File(path, "r") as h5:
        assert h5["X"][:].tolist() == [0, 1, 2]


def test_text_file_is_refused(test_data):
    message = refused(test_data / "not_hdf5.h5", "not_hdf5.h5")
    assert message == "input 'not_hdf5.h5' is not an HDF5 file (no HDF5 signature); upload it with format h5"
    assert not has_hdf5_signature(test_data / "not_hdf5.h5")


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "empty.h5").write_bytes(b"")
    assert refused(tmp_path / "empty.h5").endswith("is not an HDF5 file (no HDF5 signature); upload it with format h5")


def test_signature_without_a_valid_file_is_refused(tmp_path):
    path = tmp_path / "truncated.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    assert refused(path).startswith("input 'input.h5' cannot be read as HDF5: ")


def test_external_link_to_etc_passwd_is_refused_and_named(make_h5):
    path = make_h5("evil.h5", X=np.zeros(2))
    with h5py.File(path, "a") as h5:
        h5.create_group("nested")["secret"] = h5py.ExternalLink("/etc/passwd", "/")
    assert refused(path, "evil.h5") == ("input 'evil.h5' points outside the job, refused: "
                                        "external link /nested/secret -> /etc/passwd:/")


def test_every_escaping_link_is_counted(make_h5):
    path = make_h5("evil.h5")
    with h5py.File(path, "a") as h5:
        h5["a"] = h5py.ExternalLink("../other_job/data.h5", "/X")
        h5["b"] = h5py.ExternalLink("sub/dir.h5", "/X")
        h5["c"] = h5py.ExternalLink("sibling.h5", "/X")
    assert refused(path) == ("input 'input.h5' points outside the job, refused: "
                             "external link /a -> ../other_job/data.h5:/X (and 1 more)")


def test_external_link_to_a_sibling_file_name_is_allowed(make_h5):
    make_h5("sibling.h5", X=np.arange(4))
    path = make_h5("linking.h5")
    with h5py.File(path, "a") as h5:
        h5["X"] = h5py.ExternalLink("sibling.h5", "/X")
        h5["soft"] = h5py.SoftLink("/X")
    check_hdf5(path, "linking.h5")


def _virtual_dataset(path, source_file: str) -> None:
    layout = h5py.VirtualLayout(shape=(4,), dtype="f8")
    layout[:] = h5py.VirtualSource(source_file, "data", shape=(4,))
    with h5py.File(path, "a") as h5:
        h5.create_virtual_dataset("vds", layout)


def test_virtual_dataset_with_an_absolute_source_is_refused(make_h5):
    source = make_h5("source.h5", data=np.arange(4.0))
    path = make_h5("virtual.h5")
    _virtual_dataset(path, str(source))
    assert refused(path, "virtual.h5") == ("input 'virtual.h5' points outside the job, refused: "
                                           f"virtual dataset /vds -> {source}:data")


def test_virtual_dataset_in_the_same_file_is_allowed(make_h5):
    path = make_h5("virtual.h5", data=np.arange(4.0))
    _virtual_dataset(path, ".")
    check_hdf5(path, "virtual.h5")
    with h5py.File(path, "r") as h5:
        assert h5["vds"][:].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_test_data_inputs_pass(test_data):
    for name in ("train.h5", "test.h5", "features13.h5"):
        check_hdf5(test_data / name, name)
    assert re.fullmatch(r"input 'x' is not an HDF5 file.*", refused(test_data / "keras_train.ipynb", "x"))
