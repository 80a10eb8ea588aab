"""Seeds, versions, device, and the import hook that seeds frameworks when the user's code imports them."""
from __future__ import annotations

import importlib
import json
import sys
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from notebook_job.run.environment import compute_device, package_versions
from notebook_job.run.import_hooks import after_import


def test_numpy_is_seeded_when_imported_after_apply_seed(run_python):
    out = run_python(
        "import json, random, sys\n"
        "from notebook_job.run.environment import apply_seed\n"
        "apply_seed(7)\n"
        "assert 'numpy' not in sys.modules\n"
        "first_python = random.random()\n"
        "import numpy\n"
        "drawn = numpy.random.rand(3).tolist()\n"
        "numpy.random.seed(7)\n"
        "random.seed(7)\n"
        "print(json.dumps([drawn == numpy.random.rand(3).tolist(), first_python == random.random()]))\n")
    assert json.loads(out) == [True, True]


@pytest.fixture
def seeded_runs(run_cli, write_notebook):
    """``seeded_runs(seed)`` -> (draws, python draw, hash) saved by a notebook run through the CLI."""
    notebook = write_notebook(["import random\nimport numpy as np\ndraws = np.random.rand(4)",
                               "python_draw = random.random()\nstring_hash = hash('abc')"])

    def run(seed: int) -> tuple:
        outcome = run_cli("--code", notebook, "--seed", seed)
        assert outcome.returncode == 0, outcome.stderr
        assert outcome.report()["seed"] == seed
        with h5py.File(outcome.dir / "results.h5", "r") as h5:
            return h5["draws"][:].tolist(), float(h5.attrs["python_draw"]), int(h5.attrs["string_hash"])
    return run


def test_seed_makes_two_child_runs_draw_the_same(seeded_runs):
    first, second, other = seeded_runs(11), seeded_runs(11), seeded_runs(12)
    assert first == second
    np.random.seed(11)
    assert first[0] == np.random.rand(4).tolist()
    assert other[0] != first[0] and other[1] != first[1] and other[2] != first[2]


def test_package_versions_lists_only_imported_packages():
    versions = package_versions()
    assert versions["python"] == sys.version.split()[0]
    assert versions["numpy"] == np.__version__ and versions["h5py"] == h5py.__version__
    assert set(versions) <= {"python", "numpy", "pandas", "h5py", "sklearn", "tensorflow", "keras", "torch", "onnx",
                             "onnxruntime", "skl2onnx", "tf2onnx"}


@pytest.mark.parametrize(("gpus", "device"), [([SimpleNamespace(name="/physical_device:GPU:0")] * 2,
                                                "GPU: NVIDIA H100 (TensorFlow, 2 visible)"),
                                              ([], "CPU")])
def test_compute_device_asks_the_imported_framework(monkeypatch, gpus, device):
    config = SimpleNamespace(list_physical_devices=lambda kind: gpus if kind == "GPU" else [],
                             experimental=SimpleNamespace(get_device_details=lambda gpu: {"device_name": "NVIDIA H100"}))
    monkeypatch.setitem(sys.modules, "tensorflow", SimpleNamespace(config=config))
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    assert compute_device() == device


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    """A fresh module name on sys.path that nothing has imported yet."""
    name = f"nbjob_probe_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text("VALUE = 41\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_callback_runs_once_right_after_the_import(probe_module):
    seen = []
    after_import(probe_module, lambda module: seen.append((module.__name__, module.VALUE)))
    after_import(probe_module, lambda module: setattr(module, "VALUE", module.VALUE + 1))
    assert seen == []
    module = importlib.import_module(probe_module)
    assert seen == [(probe_module, 41)] and module.VALUE == 42
    del sys.modules[probe_module]
    assert importlib.import_module(probe_module).VALUE == 41
    assert seen == [(probe_module, 41)]


def test_callback_runs_at_once_for_an_imported_module():
    seen = []
    after_import("json", seen.append)
    assert seen == [json]


def test_missing_module_still_fails_to_import():
    after_import("nbjob_no_such_module_anywhere", lambda module: None)
    with pytest.raises(ModuleNotFoundError, match="nbjob_no_such_module_anywhere"):
        importlib.import_module("nbjob_no_such_module_anywhere")
