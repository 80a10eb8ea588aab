"""The containerized mode of the local Galaxy (GXJ_CONTAINERS=podman): Galaxy's own container support runs
the repository's tools in the image built here (scripts/container/build_image.sh).

Kept apart from write_config.py's job and metadata settings: write_config calls `containerize()` last,
and it only adds what containers need:

- galaxy.yml: a container resolvers file that maps the tools to the LOCAL image (a `mapping` resolver:
  the tools' <container> names the published image, which no registry here serves; nothing is pulled,
  Galaxy's `inspect || pull` finds the local image).
- job_conf.yml: two container environments, one for the job tools (no network) and one for the
  JupyterLab tool (a bridge network with its port published; Galaxy's container monitor, run with
  Galaxy's Python as a module since a pip-installed Galaxy has no lib/galaxy_ext folder, tells gx-it-proxy
  the port on loopback). Both run the container as the image's unprivileged user, with `podman` as
  docker_cmd; podman's settings for this machine are in containers.conf (scripts/container/setup_podman.sh).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

CONTAINER_JOBS_ENVIRONMENT = "container_jobs"
CONTAINER_JUPYTERLAB_ENVIRONMENT = "container_jupyterlab"
# the tools whose <container> requirement names the image (tools/*/macros.xml, interactive/macros.xml)
CONTAINER_JOB_TOOLS = ("run_jupyter_job", "onnx_predict")
CONTAINER_INTERACTIVE_TOOLS = ("interactive_tool_ml_jupyter_notebook",)
# the image's user (NB_UID in interactive/container/Dockerfile). Galaxy runs as root here; on a site
# where Galaxy runs as its own user, the default (docker_set_user: $UID) already keeps the container
# off root (docs/admin.md).
CONTAINER_USER = "1000:1000"


def container_environment(docker_cmd: str, net: str, **extra: str) -> dict:
    """A local-runner environment that runs the tool's command in its container."""
    return {
        "runner": "local",
        "docker_enabled": True,
        "require_container": True,
        "docker_cmd": docker_cmd,
        "docker_set_user": CONTAINER_USER,
        "docker_auto_rm": True,
        "docker_net": net,
        "docker_volumes": "$defaults",
        **extra,
    }


def container_resolvers(image: str, tool_ids: Iterable[str]) -> list[dict]:
    """Map each tool to the local image; no other resolver (nothing mulled, nothing pulled)."""
    mappings = [{"tool_id": tool_id, "container_type": "docker", "identifier": image} for tool_id in tool_ids]
    return [{"type": "mapping", "mappings": mappings}]


def containerize(
    galaxy: dict, jobs: dict, tool_ids: Iterable[str], image: str, docker_cmd: str, resolvers_file: Path, galaxy_python: Path
) -> list[dict]:
    """Route the container tools among tool_ids to the container environments (in place); return the
    container resolvers to write to resolvers_file, which galaxy.yml now names."""
    present = set(tool_ids)
    job_tools = [t for t in CONTAINER_JOB_TOOLS if t in present]
    interactive_tools = [t for t in CONTAINER_INTERACTIVE_TOOLS if t in present]
    galaxy["galaxy"]["container_resolvers_config_file"] = str(resolvers_file)
    environments = jobs["execution"]["environments"]
    environments[CONTAINER_JOBS_ENVIRONMENT] = container_environment(docker_cmd, "none")
    environments[CONTAINER_JUPYTERLAB_ENVIRONMENT] = container_environment(
        docker_cmd,
        "bridge",
        container_monitor_command=f"{galaxy_python} -m galaxy_ext.container_monitor.monitor",
        # the container's port is published on all addresses; gx-it-proxy reaches it on loopback
        container_monitor_get_ip_method="command:echo 127.0.0.1",
    )
    routed = {t: CONTAINER_JOBS_ENVIRONMENT for t in job_tools} | {t: CONTAINER_JUPYTERLAB_ENVIRONMENT for t in interactive_tools}
    jobs["tools"] = [entry for entry in jobs["tools"] if entry["id"] not in routed]
    jobs["tools"] += [{"id": tool_id, "environment": environment} for tool_id, environment in routed.items()]
    return container_resolvers(image, routed)
