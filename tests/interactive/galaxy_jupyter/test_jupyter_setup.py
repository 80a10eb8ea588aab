"""galaxy_jupyter.jupyter_setup: the ML kernelspec, the lab's page config, the base URL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from galaxy_jupyter.jupyter_setup import base_url_from_environment, write_kernelspec, write_lab_page_config
from galaxy_jupyter.layout import SessionError


def test_kernelspec_runs_the_ml_python(tmp_path: Path) -> None:
    spec_dir = write_kernelspec(tmp_path, "/opt/ml-kernel/bin/python")
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec_dir.name == "python3"
    assert spec["argv"][:3] == ["/opt/ml-kernel/bin/python", "-m", "ipykernel_launcher"]
    assert spec["env"] == {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "TF_CPP_MIN_LOG_LEVEL": "1"}


def test_ai_assistants_stay_off(tmp_path: Path) -> None:
    page_config = json.loads(write_lab_page_config(tmp_path).read_text())
    assert page_config["disabledExtensions"] == {
        "@jupyter-ai/core": True,
        "jupyterlab_magic_wand": True,
        "@jupyterlab/apputils-extension:announcements": True,
    }


def test_base_url_is_galaxys_entry_point_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EP_PATH", "/interactivetool/ep/abc/0123456789abcdef")
    assert base_url_from_environment() == ("/interactivetool/ep/abc/0123456789abcdef/", False)
    monkeypatch.setenv("EP_PATH", "relative/path")
    with pytest.raises(SessionError, match="absolute URL path"):
        base_url_from_environment()


def test_without_galaxy_the_base_url_is_random_never_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EP_PATH", raising=False)
    first, generated = base_url_from_environment()
    second, _ = base_url_from_environment()
    assert generated and first != second
    assert re.fullmatch(r"/jupyter/[A-Za-z0-9_-]{20,}/", first)


def test_the_native_kernel_can_import_the_client_library(tmp_path: Path) -> None:
    spec = json.loads((write_kernelspec(tmp_path, "/k/python", "/repo/interactive/client") / "kernel.json").read_text())
    assert spec["env"]["PYTHONPATH"] == "/repo/interactive/client"
