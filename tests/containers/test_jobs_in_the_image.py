"""run_jupyter_job's tool tests ran inside the image: every job of the tool in the containerized Galaxy was
run by podman from the local image (Galaxy's command line of the job, as an admin sees it), and ended ok.

scripts/container/test_containerized_galaxy.sh runs planemo test on the tool first, then this module.
"""

from __future__ import annotations

import os

import pytest
import requests

pytestmark = [pytest.mark.containers]

CONTAINER_JOB_TOOLS = ("run_jupyter_job",)


def admin_get(url: str, path: str, **params) -> dict | list:
    response = requests.get(f"{url}/api/{path}", params=params, headers={"x-api-key": os.environ["GXJ_CONTAINER_ADMIN_KEY"]}, timeout=60)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("tool_id", CONTAINER_JOB_TOOLS)
def test_every_job_of_the_tool_ran_in_the_local_image(tool_id: str, galaxy_url: str, image: str) -> None:
    jobs = admin_get(galaxy_url, "jobs", tool_id=tool_id, user_details="true", limit=500)
    assert jobs, f"no {tool_id} job in {galaxy_url}: planemo test runs the tool's tests first"
    for listed in jobs:
        job = admin_get(galaxy_url, f"jobs/{listed['id']}", full="true")
        command = job.get("command_line") or ""
        assert "podman run" in command and image in command, (listed["id"], command[:500])
        assert "--user 1000:1000" in command and "--net none" in command
    states = [j["state"] for j in jobs]
    assert set(states) == {"ok"}, states
