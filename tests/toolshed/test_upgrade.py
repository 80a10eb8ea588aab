"""The upgrade path: the test bumped one tool's version suffix in a copy, published it and the suite again,
and ran `shed-tools update`. The new revision is installed beside the old one, new runs get the new
version, and the jobs run before the update (the installed-tool tests) still rerun on the old one."""

from __future__ import annotations

import json

import pytest

WAIT_SECONDS = 1200


def metrics_of(gi, job: dict) -> dict:
    """The job's metrics output, less its run time."""
    metrics = json.loads(gi.datasets.download_dataset(job["outputs"]["metrics"]["id"], use_default_filename=False))
    metrics.pop("seconds", None)
    return metrics


def finished(gi, job_id: str) -> dict:
    gi.jobs.wait_for_job(job_id, maxwait=WAIT_SECONDS, check=False)
    return gi.jobs.show_job(job_id, full_details=True)


@pytest.mark.toolshed
def test_both_revisions_are_installed(shed_galaxy, upgrade: dict) -> None:
    assert upgrade["old"] != upgrade["new"]
    versions = {t["version"] for t in shed_galaxy.tools.get_tools() if t["id"].rsplit("/", 1)[0] == upgrade["id"]}
    assert versions == {upgrade["old"], upgrade["new"]}
    name = upgrade["id"].split("/")[-2]
    revisions = [r for r in shed_galaxy.toolshed.get_repositories() if r["name"] == name and not r["deleted"]]
    assert len(revisions) == 2 and all(r["status"] == "Installed" for r in revisions)


@pytest.mark.toolshed
@pytest.mark.timeout(WAIT_SECONDS * 3)
def test_past_job_reruns_on_the_old_revision_and_new_runs_get_the_new(shed_galaxy, upgrade: dict) -> None:
    old_id, new_id = f"{upgrade['id']}/{upgrade['old']}", f"{upgrade['id']}/{upgrade['new']}"
    past = [
        shed_galaxy.jobs.show_job(j["id"], full_details=True)
        for j in shed_galaxy.jobs.get_jobs(state="ok")
        if j["tool_id"] == old_id
    ]
    past = [job for job in past if "metrics" in job["outputs"]]
    assert past, f"no finished job of {old_id} from before the update"
    job = past[0]

    rerun = shed_galaxy.jobs.rerun_job(job["id"])
    again = finished(shed_galaxy, rerun["jobs"][0]["id"])
    assert again["state"] == "ok", again.get("stderr")
    assert again["tool_id"] == old_id  # an installed tool's id ends in its version
    assert metrics_of(shed_galaxy, again) == metrics_of(shed_galaxy, job)

    inputs = {name: {"src": value["src"], "id": value["id"]} for name, value in job["inputs"].items()}
    params = {name: json.loads(value) for name, value in job["params"].items() if name in ("features", "labels")}
    run = shed_galaxy.tools.run_tool(job["history_id"], upgrade["id"], {**inputs, **params})
    new = finished(shed_galaxy, run["jobs"][0]["id"])
    assert new["state"] == "ok", new.get("stderr")
    assert new["tool_id"] == new_id
    assert metrics_of(shed_galaxy, new) == metrics_of(shed_galaxy, job)
