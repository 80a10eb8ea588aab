"""The config writer gives Galaxy absolute tool paths and routes the repository's tools to the runtime."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from write_config import write_config

TOOL_XML = '<tool id="{id}" name="{id}" version="0.1"><command>true</command></tool>\n'


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A fake Galaxy venv (just the bundled upload tool) and a tool tree with distractors."""
    galaxy_venv = tmp_path / "galaxy-venv"
    upload = galaxy_venv / "lib/python3.11/site-packages/galaxy/tools/bundled/data_source/upload.xml"
    upload.parent.mkdir(parents=True)
    upload.write_text(TOOL_XML.format(id="upload1"))
    tools = tmp_path / "tools"
    (tools / "job" / "test-data").mkdir(parents=True)
    (tools / "job" / "job.xml").write_text(TOOL_XML.format(id="job_tool"))
    (tools / "job" / "macros.xml").write_text("<macros><token name='@X@'>1</token></macros>\n")
    (tools / "job" / "test-data" / "expected.xml").write_text(TOOL_XML.format(id="not_a_tool"))
    (tools / "job" / "other.xml").write_text("<data_manager_conf/>\n")
    interactive = tmp_path / "interactive"
    interactive.mkdir()
    (interactive / "lab.xml").write_text(TOOL_XML.format(id="lab_tool"))
    return {
        "state": tmp_path / "state",
        "galaxy_venv": galaxy_venv,
        "runtime_venv": tmp_path / "runtime-venv",
        "upload": upload,
        "roots": [tools, interactive],
    }


def write(layout: dict[str, Path]) -> list:
    return write_config(
        layout["state"], 8555, 8556, layout["galaxy_venv"], layout["runtime_venv"], "me@example.org", layout["roots"]
    )


def test_tool_conf_lists_absolute_paths_of_tools_only(layout: dict[str, Path]) -> None:
    write(layout)
    files = [el.get("file") for el in ET.parse(layout["state"] / "tool_conf.xml").iter("tool")]
    assert files == [
        str(layout["upload"]),
        str(layout["roots"][0] / "job" / "job.xml"),
        str(layout["roots"][1] / "lab.xml"),
    ]
    assert all(Path(f).is_absolute() for f in files)


def test_job_conf_routes_repo_tools_to_runtime_path(layout: dict[str, Path]) -> None:
    write(layout)
    job_conf = yaml.safe_load((layout["state"] / "job_conf.yml").read_text())
    environments = job_conf["execution"]["environments"]
    assert job_conf["execution"]["default"] == "local"
    assert environments["local"] == {"runner": "local"}
    runtime = environments["tool_runtime"]
    assert runtime["env"] == [
        {"name": "GALAXY_VIRTUAL_ENV", "value": "None"},
        {"name": "VIRTUAL_ENV", "value": str(layout["runtime_venv"])},
        {"name": "PATH", "value": f"{layout['runtime_venv']}/bin:$PATH"},
    ]
    assert runtime["use_metadata_binary"] is True
    assert job_conf["tools"] == [
        {"id": "job_tool", "environment": "tool_runtime"},
        {"id": "lab_tool", "environment": "tool_runtime"},
    ]
    assert job_conf["runners"]["local"]["load"] == "galaxy.jobs.runners.local:LocalJobRunner"


def test_galaxy_yml_is_offline_and_uses_this_state_dir(layout: dict[str, Path]) -> None:
    write(layout)
    state = layout["state"]
    config = yaml.safe_load((state / "galaxy.yml").read_text())["galaxy"]
    secrets = json.loads((state / "secrets.json").read_text())
    assert config["bootstrap_admin_api_key"] == secrets["bootstrap_admin_api_key"]
    assert len(secrets["bootstrap_admin_api_key"]) == 32
    assert config["admin_users"] == "me@example.org"
    assert config["tool_config_file"] == str(state / "tool_conf.xml")
    assert config["job_config_file"] == str(state / "job_conf.yml")
    assert config["database_connection"].startswith(f"sqlite:///{state}/data/")
    assert (config["conda_auto_init"], config["enable_mulled_containers"], config["involucro_auto_init"]) == (
        False,
        False,
        False,
    )
    assert config["interactivetools_proxy_host"] == "127.0.0.1:8556"
    assert config["galaxy_infrastructure_url"] == "http://127.0.0.1:8555"
    assert list(ET.parse(state / "tool_data_table_conf.xml").getroot()) == []
    # run_jupyter_job's HTML report renders; every other tool's HTML stays sanitized (text/plain)
    assert "sanitize_all_html" not in config
    assert Path(config["sanitize_allowlist_file"]).read_text() == "run_jupyter_job\n"


def test_secrets_survive_a_rewrite(layout: dict[str, Path]) -> None:
    write(layout)
    first = (layout["state"] / "secrets.json").read_text()
    write(layout)
    assert (layout["state"] / "secrets.json").read_text() == first


def test_missing_galaxy_package_is_one_clear_error(layout: dict[str, Path], tmp_path: Path) -> None:
    layout["galaxy_venv"] = tmp_path / "empty-venv"
    with pytest.raises(SystemExit, match="no Galaxy package in .*empty-venv"):
        write(layout)


def test_metadata_is_set_in_the_celery_worker_unless_asked_for_the_job_default(layout: dict[str, Path]) -> None:
    write(layout)
    galaxy = yaml.safe_load((layout["state"] / "galaxy.yml").read_text())["galaxy"]
    data = layout["state"].resolve() / "data"
    assert (galaxy["metadata_strategy"], galaxy["enable_celery_tasks"]) == ("directory_celery", True)
    assert galaxy["amqp_internal_connection"] == f"sqlalchemy+sqlite:///{data}/control.sqlite?isolation_level=IMMEDIATE"
    assert galaxy["celery_conf"] == {"result_backend": f"db+sqlite:///{data}/results.sqlite"}
    assert galaxy["job_handler_monitor_sleep"] == galaxy["job_runner_monitor_sleep"] == 0.2

    write_config(layout["state"], 8555, 8556, layout["galaxy_venv"], layout["runtime_venv"], "me@example.org",
                 layout["roots"], metadata="job")
    galaxy = yaml.safe_load((layout["state"] / "galaxy.yml").read_text())["galaxy"]
    assert galaxy["enable_celery_tasks"] is False
    assert not {"metadata_strategy", "celery_conf", "job_handler_monitor_sleep"} & set(galaxy)


def test_galaxy_installing_from_a_tool_shed(layout: dict[str, Path]) -> None:
    """--tool-shed-url: the Tool Shed listed, a shed toolbox, no tools from the clone, jobs routed by installed id."""
    installed = [
        "127.0.0.1:9009/repos/owner/job_repo/job_tool",
        "127.0.0.1:9009/repos/owner/interactive_tool_ml_jupyter_notebook/interactive_tool_ml_jupyter_notebook",
    ]
    tools = write_config(
        layout["state"], 8555, 8556, layout["galaxy_venv"], layout["runtime_venv"], "me@example.org",
        layout["roots"], jupyter_venv=layout["runtime_venv"], tool_shed=("http://127.0.0.1:9009", installed),
    )  # fmt: skip
    state = layout["state"]
    assert tools == []
    assert [el.get("file") for el in ET.parse(state / "tool_conf.xml").iter("tool")][0] == str(layout["upload"])
    assert not any("job.xml" in (el.get("file") or "") for el in ET.parse(state / "tool_conf.xml").iter("tool"))
    galaxy = yaml.safe_load((state / "galaxy.yml").read_text())["galaxy"]
    assert galaxy["tool_config_file"].split(",") == [str(state / "tool_conf.xml"), str(state / "shed_tool_conf.xml")]
    assert galaxy["shed_tool_config_file"] == str(state / "shed_tool_conf.xml")
    assert galaxy["interactivetools_enable"] is True
    sheds = ET.parse(galaxy["tool_sheds_config_file"]).getroot()
    assert [el.get("url") for el in sheds.iter("tool_shed")] == ["http://127.0.0.1:9009/"]
    shed_toolbox = ET.parse(state / "shed_tool_conf.xml").getroot()
    assert shed_toolbox.get("tool_path") == str(state / "shed_tools") and (state / "shed_tools").is_dir()
    job_conf = yaml.safe_load((state / "job_conf.yml").read_text())
    assert job_conf["tools"] == [
        {"id": installed[0], "environment": "tool_runtime"},
        {"id": installed[1], "environment": "jupyterlab_native"},
    ]


def test_shed_toolbox_survives_a_rewrite(layout: dict[str, Path]) -> None:
    """shed_tool_conf.xml lists what Galaxy installed: writing the config again must not empty it."""
    def rewrite() -> None:
        write_config(
            layout["state"], 8555, 8556, layout["galaxy_venv"], layout["runtime_venv"], "me@example.org",
            layout["roots"], tool_shed=("http://127.0.0.1:9009", []),
        )  # fmt: skip

    rewrite()
    installed = '<toolbox tool_path="x"><section id="s" name="S"><tool file="x/t.xml"/></section></toolbox>\n'
    (layout["state"] / "shed_tool_conf.xml").write_text(installed)
    rewrite()
    assert (layout["state"] / "shed_tool_conf.xml").read_text() == installed
