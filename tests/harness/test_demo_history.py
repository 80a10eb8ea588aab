"""The demo history script, against the running test Galaxy: three datasets, ok, never duplicated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXPECTED = {"train.h5": "h5", "test.h5": "h5", "keras_train.ipynb": "ipynb"}


@pytest.mark.galaxy
@pytest.mark.timeout(1800)
def test_demo_history_is_filled_once(galaxy_url: str, galaxy_api_key: str, galaxy_instance) -> None:
    command = [
        sys.executable, str(REPO / "scripts" / "galaxy" / "demo_history.py"),
        "--url", galaxy_url, "--api-key", galaxy_api_key,
    ]  # fmt: skip
    for _ in range(2):
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        assert result.returncode == 0, result.stderr
        assert 'history "run_jupyter_job demo"' in result.stdout
    histories = galaxy_instance.histories.get_histories(name="run_jupyter_job demo", deleted=False)
    assert len(histories) == 1
    datasets = galaxy_instance.datasets.get_datasets(history_id=histories[0]["id"], deleted=False)
    assert sorted((d["name"], d["extension"], d["state"]) for d in datasets) == sorted(
        (name, ext, "ok") for name, ext in EXPECTED.items()
    )
    sizes = {d["name"]: galaxy_instance.datasets.show_dataset(d["id"])["file_size"] for d in datasets}
    assert sizes == {name: (REPO / "test-data" / name).stat().st_size for name in EXPECTED}
