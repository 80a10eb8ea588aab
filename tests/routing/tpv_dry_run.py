"""Map tools to destinations with TPV as Galaxy would, without a Galaxy: a dry run of the routing rules.

Runs in the GALAXY venv (TPV and galaxy's tool parser live there; the tests run in the runtime venv and
call this as a subprocess). Each tool is read from its real XML, macros expanded, so TPV sees the same
<resource> requests a running Galaxy gives it.
Usage: python tpv_dry_run.py --scenario NAME=TPV_FILE[,TPV_FILE...] [--scenario ...] TOOL.xml [TOOL.xml...]
(one Galaxy import for all scenarios: it takes most of the time). Prints one JSON object:
{scenario: {tool_id: {"destination", "runner", "params", "env"} or {"error": "..."}}}.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from galaxy.tool_util.deps.requirements import parse_requirements_from_xml
from galaxy.tool_util.parser import get_tool_source
from tpv.commands.test import mock_galaxy
from tpv.core.resource_pool import InMemoryAllocationStore
from tpv.rules import gateway


def mock_tool(path: str) -> mock_galaxy.Tool:
    source = get_tool_source(path)
    parsed = parse_requirements_from_xml(source.root, parse_resources_and_credentials=True)
    return mock_galaxy.Tool(source.parse_id(), version=source.parse_version(), resource_requirements=parsed[2])


def route(config_files: list[str], tool_paths: list[str]) -> dict:
    mapper = gateway.load_destination_mapper(config_files, resource_pool_store=InMemoryAllocationStore())
    user = mock_galaxy.User("tester", "tester@example.org")
    routes: dict[str, dict] = {}
    for path in tool_paths:
        tool = mock_tool(path)
        try:
            destination = mapper.map_to_destination(None, tool, user, mock_galaxy.Job())
        except Exception as err:  # JobMappingException: no destination can take the job
            routes[tool.id] = {"error": f"{type(err).__name__}: {err}"}
            continue
        routes[tool.id] = {
            "destination": destination.id,
            "runner": destination.runner,
            "params": {k: v for k, v in destination.params.items() if k != "private_token"},
            "env": destination.env,
        }
    return routes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", required=True, help="NAME=TPV_FILE[,TPV_FILE...]")
    parser.add_argument("tools", nargs="+")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # galaxy and TPV log every ranking step at DEBUG
    scenarios = dict(item.split("=", 1) for item in args.scenario)
    routes = {name: route(files.split(","), args.tools) for name, files in scenarios.items()}
    print(json.dumps(routes, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
