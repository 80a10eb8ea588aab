"""The tool XML, the container recipe and the local job environment agree with each other and with the pins."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from lab_paths import CONTAINER, INTERACTIVE, REPO, TOOL_ID, TOOL_XML
from write_config import JUPYTERLAB_ENVIRONMENT, NATIVE_INTERACTIVE_TOOLS, job_config

DOCKERFILE = CONTAINER / "Dockerfile"
WORKFLOW = REPO / ".github" / "workflows" / "container.yml"


def tool() -> ET.Element:
    return ET.parse(TOOL_XML).getroot()


def tokens() -> dict[str, str]:
    return {t.get("name"): t.text for t in ET.parse(INTERACTIVE / "macros.xml").getroot().iter("token")}


def pins(path: Path) -> dict[str, str]:
    """name -> version of the `name==version` lines of a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]+\])?==(\S+)", line.strip())
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(3)
    return found


# --- the tool XML -------------------------------------------------------------------------------------


def test_keeps_the_published_id_and_is_versioned_by_tokens() -> None:
    root = tool()
    assert root.get("id") == TOOL_ID == "interactive_tool_ml_jupyter_notebook"
    assert root.get("tool_type") == "interactive"
    assert root.get("version") == "@TOOL_VERSION@+galaxy@VERSION_SUFFIX@"
    assert tokens()["@TOOL_VERSION@"] == pins(REPO / "requirements" / "jupyter-server.txt")["jupyterlab"]


def test_path_based_entry_point_and_injected_environment() -> None:
    root = tool()
    entry_point = root.find("entry_points/entry_point")
    assert entry_point.get("requires_domain") == "False" and entry_point.get("requires_path_in_url") == "True"
    assert entry_point.findtext("port") == "8888"
    env = {e.get("name"): e for e in root.iter("environment_variable")}
    assert env["EP_PATH"].get("inject") == "entry_point_path_for_label" and env["EP_PATH"].text == entry_point.get("label")
    assert env["API_KEY"].get("inject") == "api_key" and not (env["API_KEY"].text or "").strip()
    assert env["HISTORY_ID"].text == "$__history_id__" and env["GALAXY_URL"].text == "$__galaxy_url__"


def test_requests_a_gpu_and_names_the_image_the_workflow_builds() -> None:
    requirements = ET.parse(INTERACTIVE / "macros.xml").getroot().find("xml[@name='requirements']/requirements")
    resources = {r.get("type"): r.text for r in requirements.iter("resource")}
    assert resources["cuda_device_count_min"] == "1"
    container = requirements.find("container")
    assert container.get("type") == "docker"
    assert container.text == "@CONTAINER_IMAGE@:@TOOL_VERSION@-galaxy@VERSION_SUFFIX@"
    workflow = WORKFLOW.read_text()
    assert 'tokens["@CONTAINER_IMAGE@"]' in workflow
    assert "f'{tokens[\"@TOOL_VERSION@\"]}-galaxy{tokens[\"@VERSION_SUFFIX@\"]}'" in workflow


def test_every_mode_returns_the_notebook_and_outputs() -> None:
    root = tool()
    modes = [o.get("value") for o in root.findall("inputs/conditional[@name='mode']/param/option")]
    assert modes == ["new", "history", "git"]
    outputs = root.find("outputs")
    assert outputs.find("data[@name='notebook']").get("format") == "ipynb"
    assert outputs.find("data[@name='notebook']").find("filter") is None  # in every mode
    assert outputs.find("collection[@name='outputs']/discover_datasets").get("directory") == "outputs"
    assert outputs.find("collection[@name='other_notebooks']/discover_datasets").get("directory") == ".galaxy_jupyter/notebooks"
    # the command is the start-up script on the plan, nothing mode-specific in shell
    assert root.findtext("command").strip() == "start-jupyterlab '$session_plan'"


def test_the_form_lints_clean_also_as_a_regular_tool(tmp_path: Path) -> None:
    """planemo skips most linters (the XSD, xml_order, outputs, tests, help) for interactive tools: lint a
    copy without tool_type as well, so the form gets the full house-style lint."""
    planemo = Path(subprocess.run(
        ["bash", "-c", 'source scripts/env.sh && echo "$GXJ_GALAXY_VENV/bin/planemo"'], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip())
    if not planemo.exists():
        pytest.fail(f"{planemo} missing: run scripts/setup_envs.sh")
    shutil.copy(INTERACTIVE / "macros.xml", tmp_path / "macros.xml")
    (tmp_path / "test-data").symlink_to(REPO / "test-data")
    copy = tmp_path / "as_regular_tool.xml"
    copy.write_text(TOOL_XML.read_text().replace(' tool_type="interactive"', "", 1))
    for path in (TOOL_XML, copy):
        result = subprocess.run([str(planemo), "lint", "--fail_level", "warn", str(path)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr


# --- the container recipe -------------------------------------------------------------------------------


def test_dockerfile_installs_the_same_pinned_lists_with_one_substitution() -> None:
    text = DOCKERFILE.read_text()
    assert "COPY requirements/runtime.txt requirements/jupyter-server.txt /opt/requirements/" in text
    assert "sed -E 's/^tensorflow-cpu==/tensorflow[and-cuda]==/'" in text
    assert "-r /opt/requirements/runtime-gpu.txt -r /opt/requirements/requirements-kernel-extras.txt" in text
    assert "/opt/jupyter-server/bin/pip install -r /opt/requirements/jupyter-server.txt" in text
    assert text.count("pip check") >= 2  # each environment is checked after its install
    assert re.search(r"^USER \$\{NB_USER\}$", text, re.M), "the image must not run as root"
    assert "XLA_FLAGS=--xla_gpu_cuda_data_dir=/opt/ml-kernel/lib/python3.11/site-packages/nvidia/cuda_nvcc" in text
    assert re.search(r"^ARG CUDA_IMAGE=nvidia/cuda:[0-9.]+-runtime-", text, re.M)
    runtime = pins(REPO / "requirements" / "runtime.txt")
    assert "tensorflow-cpu" in runtime, "the substitution needs tensorflow-cpu in runtime.txt"


def test_dockerfile_copies_every_file_the_start_up_needs() -> None:
    text = DOCKERFILE.read_text()
    ignore = (CONTAINER / "Dockerfile.dockerignore").read_text()
    for name in ("start-jupyterlab", "galaxy_jupyter_session.py", "jupyter_server_config.py"):
        assert f"interactive/container/{name}" in text
        assert f"!interactive/container/{name}" in ignore
    # the session package beside the entry point, every module of it
    assert "COPY interactive/container/galaxy_jupyter /opt/galaxy-jupyter/galaxy_jupyter" in text
    assert "!interactive/container/galaxy_jupyter/*.py" in ignore
    # the client library goes into the kernel, the example notebooks become examples/
    assert "COPY interactive/client /opt/src/galaxy-remote-training" in text and "!interactive/client/" in ignore
    assert "COPY interactive/notebooks /opt/galaxy-jupyter/examples" in text and "!interactive/notebooks" in ignore
    assert "GXJ_EXAMPLES_DIR=/opt/galaxy-jupyter/examples" in text
    assert "ENV XLA_FLAGS" in text and "GXJ_JUPYTER_PREFIX=/opt/jupyter-server" in text


def test_kernel_extras_pin_nothing_differently_from_the_runtime() -> None:
    runtime = pins(REPO / "requirements" / "runtime.txt") | pins(REPO / "requirements" / "test.txt")
    extras = pins(CONTAINER / "requirements-kernel-extras.txt")
    assert {"ipykernel", "galaxy-ie-helpers", "opencv-python-headless", "scikit-image", "onnxscript"} <= set(extras)
    assert tuple(int(x) for x in extras["galaxy-ie-helpers"].split(".")[:2]) >= (0, 3)
    clashes = {name: (version, runtime[name]) for name, version in extras.items() if name in runtime and runtime[name] != version}
    assert clashes == {}
    # the issue's list: bioblend, h5py and the ONNX stack come from runtime.txt
    assert {"bioblend", "h5py", "onnx", "onnxruntime", "tf2onnx", "skl2onnx", "ipywidgets", "bqplot", "nibabel"} <= set(runtime)


def test_server_list_has_the_issues_extensions() -> None:
    server = pins(REPO / "requirements" / "jupyter-server.txt")
    assert server["jupyterlab"].startswith("4.")
    assert {"jupyterlab-git", "elyra", "jupyterlab-nvdashboard", "voila", "bqplot", "ipywidgets"} <= set(server)


# --- the local job environment (native launch) ------------------------------------------------------------


def test_native_job_environment_for_the_tool(tmp_path: Path) -> None:
    assert TOOL_ID in NATIVE_INTERACTIVE_TOOLS
    config = job_config(tmp_path / "runtime", ["run_jupyter_job", TOOL_ID], tmp_path / "jupyter")
    routed = {entry["id"]: entry["environment"] for entry in config["tools"]}
    assert routed == {"run_jupyter_job": "tool_runtime", TOOL_ID: JUPYTERLAB_ENVIRONMENT}
    environment = config["execution"]["environments"][JUPYTERLAB_ENVIRONMENT]
    env = {e["name"]: e["value"] for e in environment["env"]}
    assert env["GXJ_IT_NATIVE"] == "1"
    assert env["GXJ_JUPYTER_PREFIX"] == str(tmp_path / "jupyter")
    assert env["GXJ_KERNEL_PYTHON"] == str(tmp_path / "runtime" / "bin" / "python")
    assert env["PATH"].split(":")[0] == str(CONTAINER)
    assert env["GXJ_KERNEL_PYTHONPATH"] == str(REPO / "interactive" / "client")
    assert env["GALAXY_VIRTUAL_ENV"] == "None" and environment["use_metadata_binary"] is True
    # without a JupyterLab venv the tool keeps the plain runtime environment (older callers)
    assert {e["id"]: e["environment"] for e in job_config(tmp_path / "runtime", [TOOL_ID])["tools"]} == {TOOL_ID: "tool_runtime"}
    yaml.safe_dump(config)  # plain data
