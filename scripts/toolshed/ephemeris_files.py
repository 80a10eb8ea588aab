#!/usr/bin/env python3
"""Write the two files ephemeris's `shed-tools` reads in the publish-and-install test, from .shed.yml and the XMLs.

- tools.yml (`shed-tools install|update -t`): the suite, from the given Tool Shed, WITH its repository
  dependencies. ephemeris 0.10.11's command-line flag for them never takes effect; the tools file's
  `install_repository_dependencies: true` does.
- client_test_config.yml (`shed-tools test --client_test_config`): the first N tests of each installed tool
  run, the others are skipped (`skip`), so the test phase stays short; the number of tests that must then
  run is printed (sum over the tools of min(N, tests declared in the XML)). Interactive tools are left
  out: ephemeris 0.10.11 tests only panel entries of model class "Tool", never an "InteractiveTool".
Usage: ephemeris_files.py --tool-shed-url URL --tools-file tools.yml --test-config FILE --tests-per-tool N|all
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from shed_repos import installed_tools, suite_repo, tool_repos

# the tool panel section the local Galaxy's toolbox also uses for the repository's tools
SECTION_LABEL = "Machine learning with Jupyter"


def tools_file(tool_shed_url: str) -> dict:
    suite = suite_repo()
    return {
        "install_tool_dependencies": False,
        "install_resolver_dependencies": False,
        "install_repository_dependencies": True,
        "tools": [
            {
                "name": suite.name,
                "owner": suite.owner,
                "tool_shed_url": tool_shed_url,
                "tool_panel_section_label": SECTION_LABEL,
            }
        ],
    }


def client_test_config(tool_shed_url: str, tests_per_tool: int | None) -> tuple[dict, int]:
    """The skip entries beyond the first tests_per_tool tests of each tool (None: run all), and how many run."""
    tools: dict[str, dict] = {}
    to_run = 0
    for installed_id, tool in installed_tools(tool_shed_url):
        if tool.interactive:
            continue
        keep = tool.tests if tests_per_tool is None else min(tests_per_tool, tool.tests)
        to_run += keep
        skipped = {str(index): {"skip": f"beyond the first {keep} tests"} for index in range(keep, tool.tests)}
        if skipped:
            tools[installed_id] = {"default": skipped}
    return {"tools": tools}, to_run


def installed_summary(tool_shed_url: str) -> dict:
    return {
        "suite": suite_repo().name,
        "repositories": [repo.name for repo in tool_repos()],
        "tools": [
            {
                "id": installed_id, "tool_id": tool.tool_id, "version": tool.version, "tests": tool.tests,
                "interactive": tool.interactive,
            }  # fmt: skip
            for installed_id, tool in installed_tools(tool_shed_url)
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool-shed-url", required=True)
    parser.add_argument("--tools-file", type=Path, required=True)
    parser.add_argument("--test-config", type=Path, required=True)
    parser.add_argument("--tests-per-tool", default="all", help="a number, or 'all'")
    parser.add_argument("--installed-json", type=Path)
    args = parser.parse_args(argv)
    if args.tests_per_tool == "all":
        per_tool = None
    elif args.tests_per_tool.isdigit() and int(args.tests_per_tool) > 0:
        per_tool = int(args.tests_per_tool)
    else:
        print(f"error: --tests-per-tool wants a positive number or 'all', not {args.tests_per_tool!r}", file=sys.stderr)
        return 2
    args.tools_file.write_text(yaml.safe_dump(tools_file(args.tool_shed_url), sort_keys=False))
    config, to_run = client_test_config(args.tool_shed_url, per_tool)
    args.test_config.write_text(yaml.safe_dump(config, sort_keys=False))
    if args.installed_json:
        args.installed_json.write_text(json.dumps(installed_summary(args.tool_shed_url), indent=2) + "\n")
    print(to_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
