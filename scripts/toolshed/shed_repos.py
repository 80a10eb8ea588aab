#!/usr/bin/env python3
"""The Tool Shed repositories of this repository, read from the .shed.yml files and the tool XMLs.

One reading for every step of the publish-and-install test, so nothing there names a repository,
a tool id, a version or a test count: the suite's .shed.yml (at the root) lists its repositories, each
folder with a .shed.yml of that name is one, and its tool XMLs (macros expanded by Galaxy's own
parser) give the ids, versions and number of tests. Runs with the Galaxy venv's Python (PyYAML and
galaxy-tool-util).
Usage: shed_repos.py upload-order | owner | categories | suite | installed-ids TOOL_SHED_URL
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from galaxy.tool_util.parser import get_tool_source

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "galaxy"))
from repo_tools import REPO, find_tools  # noqa: E402
from shed_config import installed_tool_id  # noqa: E402

SEARCH_ROOTS = ("tools", "interactive")


@dataclass
class ShedTool:
    """One tool XML of a repository as Galaxy parses it."""

    path: Path
    tool_id: str
    version: str
    tests: int
    interactive: bool


@dataclass
class ShedRepo:
    """One Tool Shed repository: its folder, its .shed.yml settings and (for a tool repository) its tools."""

    name: str
    owner: str
    folder: Path
    kind: str
    categories: list[str]
    tools: list[ShedTool] = field(default_factory=list)


def read_shed_yml(folder: Path) -> dict:
    return yaml.safe_load((folder / ".shed.yml").read_text()) or {}


def folder_tools(folder: Path) -> list[ShedTool]:
    """The tool XMLs of a repository folder (found as the toolbox finds them), parsed with macros expanded."""
    tools = []
    for path, tool_id in find_tools([folder]):
        source = get_tool_source(str(path))
        tests = source.parse_tests_to_dict().get("tests", [])
        interactive = source.parse_tool_type() == "interactive"
        tools.append(ShedTool(path, tool_id, source.parse_version(), len(tests), interactive))
    return tools


def suite_repo(root: Path = REPO) -> ShedRepo:
    """The suite, defined under `suite:` of the root .shed.yml."""
    config = read_shed_yml(root)
    suite = config["suite"]
    return ShedRepo(suite["name"], config["owner"], root, suite["type"], config.get("categories", []))


def tool_repos(root: Path = REPO) -> list[ShedRepo]:
    """The suite's repositories in the order it lists them, each found by the name in a folder's .shed.yml."""
    by_name: dict[str, ShedRepo] = {}
    for search_root in SEARCH_ROOTS:
        for shed_yml in sorted((root / search_root).glob("**/.shed.yml")):
            config = read_shed_yml(shed_yml.parent)
            by_name[config["name"]] = ShedRepo(
                config["name"], config["owner"], shed_yml.parent, config.get("type", "unrestricted"),
                config.get("categories", []), folder_tools(shed_yml.parent),
            )  # fmt: skip
    listed = read_shed_yml(root)["suite"]["include_repositories"]
    missing = [entry["name"] for entry in listed if entry["name"] not in by_name]
    if missing:
        raise SystemExit(f"error: the suite lists repositories with no folder: {', '.join(missing)}")
    return [by_name[entry["name"]] for entry in listed]


def upload_order(root: Path = REPO) -> list[ShedRepo]:
    """Tool repositories first, the suite last: the suite's upload needs an installable revision of each."""
    return [*tool_repos(root), suite_repo(root)]


def installed_tools(tool_shed_url: str, root: Path = REPO) -> list[tuple[str, ShedTool]]:
    """Every tool of the suite's repositories with its id once installed from that Tool Shed (less the version)."""
    return [
        (installed_tool_id(tool_shed_url, repo.owner, repo.name, tool.tool_id), tool)
        for repo in tool_repos(root)
        for tool in repo.tools
    ]


def main(argv: list[str]) -> int:
    if argv == ["upload-order"]:
        for repo in upload_order():
            print(repo.folder)
    elif argv == ["owner"]:
        print(suite_repo().owner)
    elif argv == ["categories"]:
        for category in sorted({c for repo in upload_order() for c in repo.categories}):
            print(category)
    elif argv == ["suite"]:
        print(suite_repo().name)
    elif len(argv) == 2 and argv[0] == "installed-ids":
        for installed_id, _tool in installed_tools(argv[1]):
            print(installed_id)
    else:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
