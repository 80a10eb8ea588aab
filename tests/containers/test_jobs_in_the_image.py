"""run_jupyter_job's tool tests ran inside the image: every finished job of the tool in the containerized
Galaxy ran in the local image (Galaxy's own record: the core job metrics "Container ID" and "Container
Type", written by the job script that runs `podman run`), and ended as its test expected: as many in error as
the XML has tests that expect a failure (bad input, a failing cell), the others ok.

scripts/container/test_containerized_galaxy.sh runs planemo test on the tool first, then this module.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.containers]

CONTAINER_JOB_TOOLS = ("run_jupyter_job",)
TOOL_XMLS = {"run_jupyter_job": Path(__file__).resolve().parents[2] / "tools" / "jupyter_job" / "run_jupyter_job.xml"}
FINISHED = {"ok", "error", "failed"}


def admin_get(url: str, path: str, **params) -> dict | list:
    response = requests.get(f"{url}/api/{path}", params=params, headers={"x-api-key": os.environ["GXJ_CONTAINER_ADMIN_KEY"]}, timeout=60)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("tool_id", CONTAINER_JOB_TOOLS)
def test_every_job_of_the_tool_ran_in_the_local_image(tool_id: str, galaxy_url: str, image: str) -> None:
    jobs = [j for j in admin_get(galaxy_url, "jobs", tool_id=tool_id, limit=500) if j["state"] in FINISHED]
    assert jobs, f"no finished {tool_id} job in {galaxy_url}: planemo test runs the tool's tests first"
    for job in jobs:
        metrics = {m["name"]: m["raw_value"] for m in admin_get(galaxy_url, f"jobs/{job['id']}/metrics")}
        assert (metrics.get("container_type"), metrics.get("container_id")) == ("docker", image), (job["id"], metrics)
    tests = ET.parse(TOOL_XMLS[tool_id]).getroot().find("tests").findall("test")
    expected_failures = sum(test.get("expect_failure") == "true" for test in tests)
    states = [j["state"] for j in jobs]
    assert (states.count("ok"), len(states) - states.count("ok")) == (len(tests) - expected_failures, expected_failures), \
        [(j["id"], j["state"]) for j in jobs]
