"""The workflow's files: test data made byte for byte by its script, tools and versions that exist.

The workflow itself runs in planemo's workflow test (scripts/run_tests.sh) and, routed through TPV
and Pulsar, in tests/routing/test_pulsar_routing.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / "workflows" / "train_and_predict.gxwf.yml"
sys.path.insert(0, str(REPO / "scripts" / "galaxy"))
from repo_tools import find_tools  # noqa: E402 - found through the line above


def test_generated_files_are_byte_identical_to_the_committed_ones(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_workflow_test_data.py"), str(tmp_path)],
                   check=True, timeout=600)
    generated = sorted(path.name for path in tmp_path.iterdir())
    assert generated == ["centroid_classifier.onnx", "train_two_models.ipynb"]
    assert [name for name in generated if (tmp_path / name).read_bytes() != (REPO / "test-data" / name).read_bytes()] == []


def test_steps_name_repository_tools_at_their_current_versions():
    from galaxy_tool_versions import tool_versions

    versions = tool_versions(find_tools())
    steps = yaml.safe_load(WORKFLOW.read_text())["steps"]
    for label, step in steps.items():
        if step["tool_id"].startswith("__"):  # Galaxy's own collection operations
            continue
        assert step["tool_version"] == versions[step["tool_id"]], label


def test_collections_flow_list_in_onnx_collection_mapped_into_prediction():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["inputs"]["h5_data"]["collection_type"] == "list"
    steps = workflow["steps"]
    assert steps["train"]["in"]["h5_collection"] == "h5_data"
    assert steps["predict"]["in"]["model"] == "train/onnx_models"  # a data parameter given a list: map over
    assert steps["predict"]["in"]["data"] == "test_data/output"
    assert steps["test_data"]["state"]["which"] == {"which_dataset": "by_identifier", "identifier": "test"}
