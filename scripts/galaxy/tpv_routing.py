"""The routed mode of the local Galaxy (GXJ_ROUTING=tpv): TPV picks each ML tool's destination.

write_config.py calls route_with_tpv() on the job configuration it built. The repository's tools
that ran in the tool-runtime environment are sent to a TPV dispatcher instead; the rules
(scripts/galaxy/tpv_rules.yml) send a tool that can use a GPU to the `gpu` destination, which a
Pulsar server on loopback serves here (scripts/pulsar/), standing in for a remote GPU node, and
everything else to the local `cpu` destination. Upload and the JupyterLab interactive tool keep
their static environments. The machine-specific half of the TPV configuration (the runtime venv,
the Pulsar URL and token) is written to tpv_destinations.yml beside job_conf.yml.
Standard library only, like write_config.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from repo_tools import REPO

TPV_RULES = REPO / "scripts" / "galaxy" / "tpv_rules.yml"
TPV_ENVIRONMENT = "tpv_dispatcher"
PULSAR_RUNNER = "pulsar"


def tpv_destinations(runtime_env: list[dict[str, str]], pulsar_url: str, pulsar_token: str) -> dict[str, Any]:
    """The destinations' site-specific settings, merged by TPV over tpv_rules.yml.

    cpu: the local runner with the tool runtime, exactly as the plain job environment gives it.
    gpu: Galaxy's Pulsar REST runner. Galaxy sends the inputs over HTTP into Pulsar's staging
    directory (default_file_action: transfer) and fetches the outputs back, discovered ONNX files
    included; metadata is set here after the outputs are back (remote_metadata: false), and tool
    requirements are not resolved there (dependency_resolution: none): the Pulsar server gives its
    jobs the runtime itself (scripts/pulsar/write_config.py).
    """
    return {
        "destinations": {
            "cpu": {"params": {"use_metadata_binary": True, "live_tool_output_reporting": True}, "env": runtime_env},
            "gpu": {
                "params": {
                    "url": pulsar_url,
                    "private_token": pulsar_token,
                    "default_file_action": "transfer",
                    "dependency_resolution": "none",
                    "remote_metadata": False,
                    "rewrite_parameters": True,
                },
            },
        }
    }


def route_with_tpv(job_config: dict, from_environment: str, destinations_file: Path) -> dict:
    """Send the tools of `from_environment` through TPV; returns job_config, changed in place.

    Galaxy loads the Pulsar runner beside the local one and gets a dynamic environment that calls
    TPV with the shared rules and this Galaxy's destinations file.
    """
    job_config["runners"][PULSAR_RUNNER] = {"load": "galaxy.jobs.runners.pulsar:PulsarRESTJobRunner"}
    job_config["execution"]["environments"][TPV_ENVIRONMENT] = {
        "runner": "dynamic",
        "type": "python",
        "function": "map_tool_to_destination",
        "rules_module": "tpv.rules",
        "tpv_config_files": [str(TPV_RULES), str(destinations_file)],
    }
    for entry in job_config["tools"]:
        if entry["environment"] == from_environment:
            entry["environment"] = TPV_ENVIRONMENT
    return job_config
