"""test-data/ is exactly what scripts/make_test_data.py writes: regenerating it changes no byte."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_generated_files_are_byte_identical_to_the_committed_ones(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_test_data.py"), str(tmp_path / "out")],
                   check=True, timeout=600)
    generated = {path.name: path.read_bytes() for path in (tmp_path / "out").iterdir()}
    committed = {name: (REPO / "test-data" / name).read_bytes() for name in generated}
    assert sorted(generated) == ["blobs16.h5", "external_link.h5", "fails_in_cell3.ipynb", "features13.h5",
                                 "holds_until_stopped.ipynb", "keras_train.ipynb", "malformed.ipynb", "not_hdf5.h5", "only_markdown.ipynb",
                                 "pip_install.ipynb", "resume_training.ipynb", "sklearn_train.py", "test.h5",
                                 "train.h5", "warnings.ipynb"]
    assert [name for name in generated if generated[name] != committed[name]] == []
