"""After `shed-tools install` of the suite: its repositories are installed, their tools in the toolbox."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest


@pytest.mark.toolshed
def test_suite_installed_its_repositories(shed_galaxy, installed: dict) -> None:
    repositories = shed_galaxy.toolshed.get_repositories()
    live = {(r["name"], r["status"]) for r in repositories if not r["deleted"]}
    expected = {installed["suite"], *installed["repositories"]}
    assert {name for name, _status in live} >= expected
    assert all(status == "Installed" for name, status in live if name in expected)
    shed_hosts = {r["tool_shed"] for r in repositories}
    assert shed_hosts == {urlparse("//" + installed["tools"][0]["id"]).netloc}


@pytest.mark.toolshed
def test_installed_tools_are_in_the_toolbox_and_panel(shed_galaxy, installed: dict) -> None:
    """Every tool of the XMLs, the JupyterLab interactive tool included, by installed id and XML version."""
    toolbox = {tool["id"]: tool for tool in shed_galaxy.tools.get_tools()}
    panel = [
        tool["id"]
        for entry in shed_galaxy.tools.get_tool_panel()
        for tool in (entry.get("elems", []) if entry.get("model_class") == "ToolSection" else [entry])
    ]
    for tool in installed["tools"]:
        full_id = f"{tool['id']}/{tool['version']}"
        assert full_id in toolbox, f"{full_id} not in the toolbox"
        assert toolbox[full_id]["version"] == tool["version"]
        assert toolbox[full_id]["tool_shed_repository"]["name"] == tool["id"].split("/")[-2]
        assert any(panel_id.rsplit("/", 1)[0] == tool["id"] for panel_id in panel), f"{tool['id']} not in the panel"
