"""The containerized mode's Galaxy config (scripts/galaxy/container_config.py via write_config.py) and the
image's name and inputs (scripts/container/image.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from container_config import CONTAINER_JOBS_ENVIRONMENT, CONTAINER_JUPYTERLAB_ENVIRONMENT
from write_config import write_config

REPO = Path(__file__).resolve().parents[2]
IMAGE = "localhost/gpu-jupyterlab:4.6.6-galaxy0-cpu-0123456789ab"
IT_ID = "interactive_tool_ml_jupyter_notebook"


def fake_galaxy_venv(root: Path) -> Path:
    upload = root / "lib/python3.11/site-packages/galaxy/tools/bundled/data_source/upload.xml"
    upload.parent.mkdir(parents=True)
    upload.write_text("<tool id='upload1'/>")
    return root


def written(tmp_path: Path, container: tuple[str, str] | None) -> tuple[dict, dict, Path]:
    state = tmp_path / "state"
    write_config(state, 8360, 8361, fake_galaxy_venv(tmp_path / "galaxy"), tmp_path / "runtime", "a@b.org",
                 [REPO / "tools", REPO / "interactive"], tmp_path / "jupyter", None, container=container)
    return yaml.safe_load((state / "galaxy.yml").read_text()), yaml.safe_load((state / "job_conf.yml").read_text()), state


def test_container_tools_run_in_the_local_image_through_galaxys_container_support(tmp_path: Path) -> None:
    galaxy, jobs, state = written(tmp_path, (IMAGE, "podman"))
    routed = {entry["id"]: entry["environment"] for entry in jobs["tools"]}
    assert routed["run_jupyter_job"] == routed["onnx_predict"] == CONTAINER_JOBS_ENVIRONMENT
    assert routed[IT_ID] == CONTAINER_JUPYTERLAB_ENVIRONMENT
    assert len(jobs["tools"]) == len(routed)  # one entry per tool, the native ones replaced
    environments = jobs["execution"]["environments"]
    for name, net in ((CONTAINER_JOBS_ENVIRONMENT, "none"), (CONTAINER_JUPYTERLAB_ENVIRONMENT, "bridge")):
        environment = environments[name]
        assert environment["docker_enabled"] is True and environment["require_container"] is True
        assert environment["docker_cmd"] == "podman" and environment["docker_net"] == net
        assert environment["docker_set_user"] == "1000:1000"  # the image's user, not Galaxy's root
        assert "env" not in environment  # no native runtime venv, no GXJ_IT_NATIVE: the image has its own
    # the tools' <container> names the published image; the mapping resolver names the local one
    resolvers = yaml.safe_load((state / "container_resolvers.yml").read_text())
    assert galaxy["galaxy"]["container_resolvers_config_file"] == str(state / "container_resolvers.yml")
    assert [r["type"] for r in resolvers] == ["mapping"]
    assert {(m["tool_id"], m["identifier"], m["container_type"]) for m in resolvers[0]["mappings"]} == {
        (tool_id, IMAGE, "docker") for tool_id in ("run_jupyter_job", "onnx_predict", IT_ID)
    }
    monitor = environments[CONTAINER_JUPYTERLAB_ENVIRONMENT]
    assert monitor["container_monitor_command"] == f"{tmp_path / 'galaxy' / 'bin' / 'python'} -m galaxy_ext.container_monitor.monitor"
    assert monitor["container_monitor_get_ip_method"] == "command:echo 127.0.0.1"
    assert galaxy["galaxy"]["enable_mulled_containers"] is False  # nothing is pulled or built on demand


def test_the_native_mode_is_unchanged(tmp_path: Path) -> None:
    galaxy, jobs, state = written(tmp_path, None)
    assert not (state / "container_resolvers.yml").exists()
    assert "container_resolvers_config_file" not in galaxy["galaxy"]
    assert not any(e.get("docker_enabled") for e in jobs["execution"]["environments"].values())
    assert {entry["id"]: entry["environment"] for entry in jobs["tools"]}[IT_ID] == "jupyterlab_native"


def image_sh(repo: Path, *commands: str) -> str:
    script = f'source "{repo}/scripts/container/image.sh"; ' + "; ".join(commands)
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", "HOME": str(repo)}).stdout


def copy_of_the_inputs(tmp_path: Path) -> Path:
    """The image's inputs and the scripts that name it, outside git (image.sh then lists with find)."""
    copy = tmp_path / "repo"
    for relative in ("scripts/env.sh", "scripts/container/image.sh", "interactive/macros.xml"):
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, copy / relative)
    for relative in image_sh(REPO, "gxj_image_inputs").split():
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, copy / relative)
    return copy


def test_the_image_tag_follows_its_inputs_and_nothing_else(tmp_path: Path) -> None:
    inputs = image_sh(REPO, "gxj_image_inputs").split()
    assert {"requirements/runtime.txt", "requirements/jupyter-server.txt", "interactive/container/Dockerfile",
            "interactive/container/start-jupyterlab", "interactive/client/pyproject.toml"} <= set(inputs)
    assert all(p.startswith(("requirements/", "interactive/container/", "interactive/client/", "interactive/notebooks/")) for p in inputs)
    copy = copy_of_the_inputs(tmp_path)
    ref = image_sh(copy, "gxj_image_ref cpu").strip()
    assert ref.startswith("localhost/gpu-jupyterlab:4.6.6-galaxy0-cpu-") and len(ref.rsplit("-", 1)[1]) == 12
    assert image_sh(REPO, "gxj_image_ref cpu").strip() == ref  # the same files give the same tag anywhere
    assert image_sh(copy, "gxj_image_ref gpu").strip() != ref.replace("-cpu-", "-gpu-")  # the variant is hashed too
    (copy / "README.md").write_text("not an input\n")
    assert image_sh(copy, "gxj_image_ref cpu").strip() == ref
    with (copy / "interactive" / "container" / "start-jupyterlab").open("a") as script:
        script.write("# changed\n")
    assert image_sh(copy, "gxj_image_ref cpu").strip() != ref


def run_script(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=REPO, capture_output=True, text=True, timeout=600, env={**os.environ, **env})


def test_an_unknown_container_engine_or_variant_is_one_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "state"
    result = run_script("scripts/galaxy/up.sh", GXJ_CONTAINERS="docker", GXJ_STATE_DIR=str(state), GXJ_PORT="8369")
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        "error: GXJ_CONTAINERS=docker: only 'podman' (or unset, for the native mode) is supported"
    ]
    assert not state.exists()  # nothing written, nothing started
    result = run_script("scripts/container/build_image.sh", "arm")
    assert result.returncode == 2 and result.stderr.strip() == "usage: scripts/container/build_image.sh [cpu|gpu]"


@pytest.mark.skipif(shutil.which("podman") is None, reason="podman not installed (scripts/container/setup_podman.sh)")
def test_a_cpu_build_without_a_torch_cpu_wheel_stops_before_building(tmp_path: Path) -> None:
    result = run_script("scripts/container/build_image.sh", "cpu", GXJ_TORCH_WHEELS=str(tmp_path),
                        GXJ_IMAGE_NAME="localhost/gxj-test-never-built", GXJ_CONTAINER_CACHE=str(tmp_path / "cache"))
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no CPU wheel of torch 2.13.0" in errors[0] and "GXJ_TORCH_WHEELS" in errors[0]
    assert not (tmp_path / "cache" / "build.lock").exists()  # it stopped before taking the build lock
