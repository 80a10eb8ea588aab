#!/usr/bin/env python3
"""Write the configuration of a local Galaxy (pip-installed) into a state directory.

Runs with any Python 3.9+ (standard library only), so `make serve` can write the config before
asking anything of the Galaxy venv. The files written are:

- galaxy.yml: sqlite, a bootstrap admin key, no conda/containers/mulled (they would reach for the
  network at start-up), interactive-tool settings pointing at a gx-it-proxy port.
- tool_conf.xml: every tool XML of this repository by ABSOLUTE path (Galaxy 26.1 resolves relative
  paths inside site-packages and silently loads nothing) plus the bundled upload and extract-dataset tools.
- job_conf.yml: the repository's tools run in a job environment that gives them the tool-runtime
  venv, the way an admin hands a runtime to a tool; every other tool (upload, data fetch) keeps
  Galaxy's own Python (see job_config() for why it takes three entries).
- with --pulsar-url (GXJ_ROUTING=tpv): tpv_destinations.yml, and job_conf.yml sends the repository's
  ML tools through TPV (tpv_routing.py, rules in tpv_rules.yml) to a local CPU or a Pulsar "gpu" destination.
- with --container-image (GXJ_CONTAINERS=podman): container_resolvers.yml, and the container tools run in
  that image through Galaxy's container support (container_config.py).
- tool_data_table_conf.xml: empty (the sample one makes Galaxy fetch a URL at start-up).
- secrets.json: bootstrap admin key and id_secret, made once per state dir and reused.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable

from container_config import containerize
from repo_tools import REPO, TOOL_ROOTS, find_tools
from shed_config import write_shed_files
from tpv_routing import route_with_tpv, tpv_destinations

RUNTIME_ENVIRONMENT = "tool_runtime"
PLAIN_ENVIRONMENT = "local"
# Interactive tools that run here without a container: the job environment tells their start-up script
# so (GXJ_IT_NATIVE) and where the JupyterLab server and the kernel's Python are (docs/interactive.md).
JUPYTERLAB_ENVIRONMENT = "jupyterlab_native"
# tools whose HTML outputs Galaxy renders as HTML (prefixes of tool ids, as in Galaxy's allowlist file)
HTML_ALLOWLIST = ("run_jupyter_job",)
NATIVE_INTERACTIVE_TOOLS = ("interactive_tool_ml_jupyter_notebook",)
JUPYTERLAB_START_DIR = REPO / "interactive" / "container"


def to_yaml(value: Any, indent: int = 0) -> str:
    """Render dicts, lists and scalars as block YAML.

    A tiny emitter instead of PyYAML so the writer needs no third-party package; scalars are
    written as JSON, which YAML reads back unchanged (strings are double-quoted).
    """
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.append(to_yaml(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {json.dumps(item)}")
    elif isinstance(value, list):
        for item in value:
            body = to_yaml(item, indent + 1).lstrip() if isinstance(item, (dict, list)) else json.dumps(item)
            lines.append(f"{pad}- {body}")
    else:
        lines.append(f"{pad}{json.dumps(value)}")
    return "\n".join(lines)


def bundled_upload_tool(galaxy_venv: Path) -> Path:
    """Locate Galaxy's bundled upload tool inside the Galaxy venv without importing Galaxy."""
    matches = sorted(galaxy_venv.glob("lib/python3*/site-packages/galaxy/tools/bundled/data_source/upload.xml"))
    if not matches:
        raise SystemExit(f"error: no Galaxy package in {galaxy_venv} (run scripts/setup_envs.sh first)")
    return matches[0]


def load_secrets(state_dir: Path) -> dict[str, str]:
    """Reuse this state dir's keys so a restarted Galaxy keeps its users' sessions and ids."""
    path = state_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {"bootstrap_admin_api_key": secrets.token_hex(16), "id_secret": secrets.token_hex(16)}
    path.write_text(json.dumps(values, indent=2) + "\n")
    path.chmod(0o600)
    return values


METADATA_MODES = ("celery", "job")


def metadata_settings(data_dir: Path, mode: str) -> dict:
    """Where a finished job's metadata is set (docs/testing.md has the figures of both).

    "celery": in Galaxy's Celery worker (scripts/galaxy/start.sh starts it beside the server, as gravity does
    in production): "directory_celery" hands each finished job's metadata to a task that runs in a pool process
    with Galaxy imported already, instead of a set-metadata process per job that imports Galaxy anew (about 8 s
    of CPU each); with Celery on, the fetch API's uploads run there too. Broker and results are sqlite files.
    Jobs are also looked for every 0.2 s instead of every second.
    "job": Galaxy's defaults, metadata set at the end of each job's own script (the baseline of the benchmark).
    """
    if mode == "job":
        return {"enable_celery_tasks": False}
    return {
        "metadata_strategy": "directory_celery",
        "enable_celery_tasks": True,
        "amqp_internal_connection": f"sqlalchemy+sqlite:///{data_dir}/control.sqlite?isolation_level=IMMEDIATE",
        "celery_conf": {"result_backend": f"db+sqlite:///{data_dir}/results.sqlite"},
        "job_handler_monitor_sleep": 0.2,
        "job_runner_monitor_sleep": 0.2,
    }


def galaxy_config(state_dir: Path, port: int, proxy_port: int, admin_email: str, keys: dict[str, str],
                  metadata: str = "celery") -> dict:
    """The galaxy.yml content: everything a network-less, single-process Galaxy needs."""
    data_dir = state_dir / "data"
    return {
        "galaxy": {
            "data_dir": str(data_dir),
            "database_connection": f"sqlite:///{data_dir}/universe.sqlite?isolation_level=IMMEDIATE",
            "tool_config_file": str(state_dir / "tool_conf.xml"),
            "job_config_file": str(state_dir / "job_conf.yml"),
            "tool_data_table_config_path": str(state_dir / "tool_data_table_conf.xml"),
            "conda_auto_init": False,
            "conda_auto_install": False,
            "enable_mulled_containers": False,
            "involucro_auto_init": False,
            "admin_users": admin_email,
            "bootstrap_admin_api_key": keys["bootstrap_admin_api_key"],
            "id_secret": keys["id_secret"],
            "allow_local_account_creation": True,
            "require_login": False,
            "watch_tools": "false",
            "galaxy_infrastructure_url": f"http://127.0.0.1:{port}",
            # keep job directories: a failed test can then be read on disk
            "cleanup_job": "never",
            "interactivetools_enable": True,
            "interactivetools_map": str(data_dir / "interactivetools_map.sqlite"),
            "interactivetools_upstream_proxy": False,
            "interactivetools_proxy_host": f"127.0.0.1:{proxy_port}",
            # HTML outputs of tools not on this list are served as text/plain (sanitize_all_html stays on);
            # run_jupyter_job's HTML report is self-contained and escapes what the user's code names
            # (docs/admin.md "HTML reports")
            "sanitize_allowlist_file": str(state_dir / "sanitize_allowlist.txt"),
            **metadata_settings(data_dir, metadata),
        }
    }


def job_config(runtime_venv: Path, tool_ids: Iterable[str], jupyter_venv: Path | None = None) -> dict:
    """Route this repository's tools to a job environment that runs them with the runtime venv.

    Putting the runtime's bin first on PATH is not enough: the job script re-activates Galaxy's own
    venv (GALAXY_VIRTUAL_ENV, taken from the server's VIRTUAL_ENV) after the environment's entries,
    which puts Galaxy's python back in front. Setting GALAXY_VIRTUAL_ENV to None stops that; the
    job's metadata step then runs `galaxy-set-metadata` (use_metadata_binary), found on PATH after
    the runtime's bin, instead of `python`, which would be the runtime's. Other tools (upload,
    data fetch) keep the plain environment and Galaxy's python.
    With jupyter_venv, the JupyterLab interactive tool gets the same plus its start-up script on PATH,
    the server venv and GXJ_IT_NATIVE=1 (pick a free port, write ../container_runtime.json itself).
    """
    runtime_bin = runtime_venv / "bin"

    def runtime_env(*path_first: Path) -> list[dict[str, str]]:
        path = ":".join([*map(str, path_first), str(runtime_bin), "$PATH"])
        return [
            {"name": "GALAXY_VIRTUAL_ENV", "value": "None"},
            {"name": "VIRTUAL_ENV", "value": str(runtime_venv)},
            {"name": "PATH", "value": path},
        ]

    config = {
        "runners": {"local": {"load": "galaxy.jobs.runners.local:LocalJobRunner", "workers": 2}},
        "execution": {
            "default": PLAIN_ENVIRONMENT,
            "environments": {
                PLAIN_ENVIRONMENT: {"runner": "local"},
                # live_tool_output_reporting: a running job's stdout through /api/jobs/{id}/console_output
                # (the per-cell progress of notebook jobs, docs/interactive.md)
                RUNTIME_ENVIRONMENT: {"runner": "local", "use_metadata_binary": True, "live_tool_output_reporting": True,
                                      "env": runtime_env()},
            },
        },
        "tools": [{"id": tool_id, "environment": RUNTIME_ENVIRONMENT} for tool_id in tool_ids],
    }
    if jupyter_venv is not None:
        config["execution"]["environments"][JUPYTERLAB_ENVIRONMENT] = {
            "runner": "local",
            "use_metadata_binary": True,
            "env": runtime_env(JUPYTERLAB_START_DIR) + [
                {"name": "GXJ_IT_NATIVE", "value": "1"},
                {"name": "GXJ_JUPYTER_PREFIX", "value": str(jupyter_venv)},
                {"name": "GXJ_KERNEL_PYTHON", "value": str(runtime_bin / "python")},
                # the notebook client library (remote_training), importable in the kernels only
                {"name": "GXJ_KERNEL_PYTHONPATH", "value": str(REPO / "interactive" / "client")},
            ],
        }
        for entry in config["tools"]:
            # an installed tool's id ends in the tool's own: host/repos/owner/repository/tool
            if entry["id"].rsplit("/", 1)[-1] in NATIVE_INTERACTIVE_TOOLS:
                entry["environment"] = JUPYTERLAB_ENVIRONMENT
    return config


def tool_conf_xml(upload_tool: Path, tools: list[tuple[Path, str]]) -> str:
    """The toolbox: the upload tool, then the repository's tools in one section."""
    toolbox = ET.Element("toolbox", monitor="false")
    ET.SubElement(ET.SubElement(toolbox, "section", id="getext", name="Get Data"), "tool", file=str(upload_tool))
    # Galaxy's "Extract dataset" (__EXTRACT_DATASET__): workflows/ take the test element out of an H5 list with it
    extract_tool = upload_tool.parents[2] / "extract_dataset.xml"
    if extract_tool.is_file():
        operations = ET.SubElement(toolbox, "section", id="collection_operations", name="Collection Operations")
        ET.SubElement(operations, "tool", file=str(extract_tool))
    section = ET.SubElement(toolbox, "section", id="galaxy_ml_jupyter", name="Machine learning with Jupyter")
    for path, _tool_id in tools:
        ET.SubElement(section, "tool", file=str(path))
    ET.indent(toolbox)
    return '<?xml version="1.0"?>\n' + ET.tostring(toolbox, encoding="unicode") + "\n"


def write_config(
    state_dir: Path,
    port: int,
    proxy_port: int,
    galaxy_venv: Path,
    runtime_venv: Path,
    admin_email: str,
    tool_roots: Iterable[Path],
    jupyter_venv: Path | None = None,
    pulsar: tuple[str, str] | None = None,
    metadata: str = "celery",
    tool_shed: tuple[str, list[str]] | None = None,
    container: tuple[str, str] | None = None,
) -> list[tuple[Path, str]]:
    """Write all config files into state_dir; return the tools put in the toolbox.

    tool_shed: (Tool Shed URL, the installed ids to route) for a Galaxy that installs the tools from
    that Tool Shed; its toolbox then starts without the repository's tools.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "data").mkdir(exist_ok=True)
    tools = find_tools(tool_roots) if tool_shed is None else []
    keys = load_secrets(state_dir)
    galaxy = galaxy_config(state_dir, port, proxy_port, admin_email, keys, metadata)
    if tool_shed is not None:
        galaxy["galaxy"].update(write_shed_files(state_dir, tool_shed[0]))
    routed_ids = [t for _p, t in tools] if tool_shed is None else tool_shed[1]
    jobs = job_config(runtime_venv, routed_ids, jupyter_venv)
    # --- containerized mode (GXJ_CONTAINERS=podman; container_config.py): container: (image, docker_cmd) ---
    if container is not None:
        resolvers_file = state_dir / "container_resolvers.yml"
        resolvers = containerize(galaxy, jobs, [t for _p, t in tools], *container, resolvers_file, galaxy_venv / "bin" / "python")
        resolvers_file.write_text(to_yaml(resolvers) + "\n")
    # --- end of the containerized mode ---
    (state_dir / "galaxy.yml").write_text(to_yaml(galaxy) + "\n")
    if pulsar is not None:  # routed mode: (Pulsar URL, token)
        destinations = state_dir / "tpv_destinations.yml"
        runtime_env = jobs["execution"]["environments"][RUNTIME_ENVIRONMENT]["env"]
        destinations.write_text(to_yaml(tpv_destinations(runtime_env, *pulsar)) + "\n")
        destinations.chmod(0o600)
        route_with_tpv(jobs, RUNTIME_ENVIRONMENT, destinations)
    (state_dir / "job_conf.yml").write_text(to_yaml(jobs) + "\n")
    (state_dir / "tool_conf.xml").write_text(tool_conf_xml(bundled_upload_tool(galaxy_venv), tools))
    (state_dir / "tool_data_table_conf.xml").write_text('<?xml version="1.0"?>\n<tables>\n</tables>\n')
    (state_dir / "sanitize_allowlist.txt").write_text("".join(f"{tool_id}\n" for tool_id in HTML_ALLOWLIST))
    return tools


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proxy-port", type=int, required=True, help="gx-it-proxy port for interactive tools")
    parser.add_argument("--galaxy-venv", type=Path, required=True)
    parser.add_argument("--runtime-venv", type=Path, required=True)
    parser.add_argument("--jupyter-venv", type=Path, help="JupyterLab server venv: run the JupyterLab tool natively")
    parser.add_argument("--admin-email", default="admin@example.org")
    parser.add_argument("--pulsar-url", help="route the ML tools with TPV; the 'gpu' destination is this Pulsar server")
    parser.add_argument("--pulsar-token-file", type=Path, help="file holding that Pulsar server's private token")
    parser.add_argument("--container-image", help="containerized mode: run the container tools in this local image")
    parser.add_argument("--docker-cmd", default="podman", help="containerized mode: Galaxy's docker_cmd")
    parser.add_argument(
        "--tool-root", type=Path, action="append", help="folder to search for tool XMLs (repeatable)"
    )
    parser.add_argument("--tool-shed-url", help="install the tools from this Tool Shed instead of loading the XMLs")
    parser.add_argument(
        "--installed-tool-id", action="append", default=[], help="with --tool-shed-url: an id to give the runtime"
    )
    parser.add_argument("--extra-tool-root", type=Path, action="append", default=[],
                        help="a folder of test-harness tools to load beside the repository's (repeatable)")
    parser.add_argument("--metadata", choices=METADATA_MODES, default="celery",
                        help="set job metadata in Galaxy's Celery worker (default) or at the end of each job")
    args = parser.parse_args(argv)
    roots = (args.tool_root or list(TOOL_ROOTS)) + args.extra_tool_root
    tools = write_config(
        args.state_dir.resolve(),
        args.port,
        args.proxy_port,
        args.galaxy_venv.resolve(),
        args.runtime_venv.resolve(),
        args.admin_email,
        [root.resolve() for root in roots],
        args.jupyter_venv.resolve() if args.jupyter_venv else None,
        (args.pulsar_url, args.pulsar_token_file.read_text().strip()) if args.pulsar_url else None,
        metadata=args.metadata,
        tool_shed=(args.tool_shed_url, args.installed_tool_id) if args.tool_shed_url else None,
        container=(args.container_image, args.docker_cmd) if args.container_image else None,
    )
    print(f"config written to {args.state_dir} ({len(tools)} repository tool(s): {', '.join(t for _p, t in tools)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
