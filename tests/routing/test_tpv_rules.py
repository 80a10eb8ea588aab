"""The TPV rules route by the tools' own <resource> requests, with a CPU fallback for GPU-optional tools.

Dry runs of scripts/galaxy/tpv_rules.yml plus the destinations file the config writer makes, on the
real tool XMLs (macros expanded): what TPV returns here is what the routed Galaxy gets for the job.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts" / "galaxy"))
from tpv_routing import TPV_RULES, tpv_destinations  # noqa: E402 - found through the line above

RUN_JUPYTER_JOB = REPO / "tools" / "jupyter_job" / "run_jupyter_job.xml"
ONNX_PREDICT = REPO / "tools" / "onnx_predict" / "onnx_predict.xml"
RUNTIME_ENV = [{"name": "PATH", "value": "/opt/ml-runtime/bin:$PATH"}]
TOOL = '<tool id="{id}" name="{id}" version="1.0"><requirements>{resources}</requirements><command>true</command></tool>\n'


@pytest.fixture(scope="module")
def routes(tmp_path_factory, tpv_route) -> dict:
    """Both scenarios in one dry run: the GPU destination up, and marked offline."""
    folder = tmp_path_factory.mktemp("tpv")
    # a tool that requires a GPU and one that declares nothing, beside the repository's two
    needs_gpu = folder / "needs_gpu.xml"
    needs_gpu.write_text(TOOL.format(id="needs_gpu", resources='<resource type="cuda_device_count_min">1</resource>'))
    plain = folder / "plain.xml"
    plain.write_text(TOOL.format(id="plain", resources=""))
    destinations = folder / "tpv_destinations.yml"
    destinations.write_text(yaml.safe_dump(tpv_destinations(RUNTIME_ENV, "http://127.0.0.1:8913/", "secret-token")))
    offline = folder / "gpu_offline.yml"
    offline.write_text("destinations:\n  gpu:\n    scheduling:\n      require:\n        - offline\n")
    no_gpus = folder / "no_gpus_site.yml"  # what docs/admin.md tells a site without GPUs to add
    no_gpus.write_text("tools:\n  needs_gpu:\n    gpus: 0\n")
    return tpv_route([RUN_JUPYTER_JOB, ONNX_PREDICT, needs_gpu, plain],
                     {"up": [TPV_RULES, destinations], "gpu_offline": [TPV_RULES, destinations, offline],
                      "no_gpu_site": [TPV_RULES, destinations, offline, no_gpus]})


def test_gpu_capable_tool_goes_to_pulsar_gpu_destination_others_stay_on_cpu(routes):
    up = routes["up"]
    # run_jupyter_job declares cuda_device_count_max 1: TPV reads it as max_gpus, the gpu_welcome rule
    # gives it one GPU and prefers the gpu destination, which Pulsar serves
    assert up["run_jupyter_job"]["destination"] == "gpu"
    assert up["run_jupyter_job"]["runner"] == "pulsar"
    assert up["run_jupyter_job"]["params"]["url"] == "http://127.0.0.1:8913/"
    assert up["run_jupyter_job"]["params"]["default_file_action"] == "transfer"
    assert up["run_jupyter_job"]["params"]["dependency_resolution"] == "none"
    # cuda_device_count_min 1: only a GPU destination
    assert up["needs_gpu"]["destination"] == "gpu"
    # no GPU request: the local runner with the tool runtime in front of PATH
    for tool in ("onnx_predict", "plain"):
        assert up[tool]["destination"] == "cpu", tool
        assert up[tool]["runner"] == "local"
        assert up[tool]["env"] == RUNTIME_ENV
        assert up[tool]["params"] == {"use_metadata_binary": True, "live_tool_output_reporting": True}


def test_gpu_destination_offline_gpu_optional_tool_falls_back_to_cpu(routes):
    offline = routes["gpu_offline"]
    assert offline["run_jupyter_job"]["destination"] == "cpu"  # the CPU fallback: it runs, without a GPU
    assert offline["run_jupyter_job"]["env"] == RUNTIME_ENV
    assert offline["onnx_predict"]["destination"] == "cpu"
    # a tool that cannot run without a GPU is never sent to a CPU: Galaxy fails the job with this message
    assert "No destinations are available" in offline["needs_gpu"]["error"]


def test_site_without_gpus_lets_a_gpu_requiring_tool_run_on_cpu_by_setting_gpus_0(routes):
    no_gpu_site = routes["no_gpu_site"]
    assert no_gpu_site["needs_gpu"]["destination"] == "cpu"
    assert no_gpu_site["run_jupyter_job"]["destination"] == "cpu"
