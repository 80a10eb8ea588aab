"""run_jupyter_job as a user runs it from Galaxy's form: datasets chosen in the drop-downs, a typed
parameter, Run Tool, and the outputs in the history with names that tell the run apart and summaries
that say what each holds; a second visit to the form does not offer the first run's report as code.
"""

from __future__ import annotations

import json
import time

import pytest

from galaxy_ui import (
    JOB_MS,
    REPO,
    choose_datasets,
    history_item,
    open_tool_form,
    run_tool,
    screenshot,
    selected_text,
    use_history,
)

pytestmark = [pytest.mark.galaxy, pytest.mark.timeout(1800)]

PAGE_MS = 120_000


@pytest.fixture(scope="module")
def history(galaxy_instance, page, galaxy_url: str) -> dict:
    name = f"run_jupyter_job from the web UI {time.strftime('%H%M%S')}"
    history = galaxy_instance.histories.create_history(name=name)
    for file_name, file_type in (("keras_train.ipynb", "ipynb"), ("train.h5", "h5"), ("test.h5", "h5")):
        upload = galaxy_instance.tools.upload_file(str(REPO / "test-data" / file_name), history["id"], file_type=file_type)
        galaxy_instance.datasets.wait_for_dataset(upload["outputs"][0]["id"], maxwait=JOB_MS / 1000)
    use_history(page, galaxy_url, history["id"], name)
    return history


@pytest.fixture(scope="module")
def finished_job(page, history: dict, galaxy_url: str, galaxy_instance) -> dict:
    open_tool_form(page, galaxy_url, "run_jupyter_job")
    assert "keras_train.ipynb" in selected_text(page, "code")
    choose_datasets(page, "h5_inputs", ["train.h5", "test.h5"])
    page.click("text=Insert Parameter")
    name = page.locator("div.ui-form-element[id='form-element-parameters_repeat_0|name'] input")
    name.wait_for(timeout=PAGE_MS)
    # nothing typed yet: once Galaxy has validated the form (Run Tool enabled) it shows no error
    page.locator("button#execute:not(.g-disabled)").first.wait_for(timeout=PAGE_MS)
    assert page.locator(".ui-form-error-text:visible").count() == 0
    name.fill("epochs")
    page.locator("div.ui-form-element[id='form-element-parameters_repeat_0|value_type|value'] input").fill("3")
    screenshot(page, "run_jupyter_job_form")
    run_tool(page)
    deadline = time.monotonic() + 120
    jobs = []
    while not jobs and time.monotonic() < deadline:
        time.sleep(0.5)
        jobs = [j for j in galaxy_instance.jobs.get_jobs(history_id=history["id"]) if j["tool_id"] == "run_jupyter_job"]
    assert jobs, "no run_jupyter_job job after Run Tool"
    galaxy_instance.jobs.wait_for_job(jobs[0]["id"], maxwait=JOB_MS / 1000, check=False)
    return galaxy_instance.jobs.show_job(jobs[0]["id"], full_details=True)


def test_the_form_runs_the_notebook_with_the_typed_parameter(finished_job: dict, galaxy_instance) -> None:
    assert finished_job["state"] == "ok", finished_job.get("stderr", "")[-2000:]
    report = json.loads(galaxy_instance.datasets.download_dataset(finished_job["outputs"]["report"]["id"], use_default_filename=False))
    assert report["status"] == "ok"
    assert report["parameters"]["epochs"] == 3
    assert {item["name"] for item in report["inputs"]} == {"train.h5", "test.h5"}
    assert report["models"][0]["parity"]["ok"] is True


def test_the_outputs_show_in_the_history_with_names_and_summaries(page, finished_job: dict, galaxy_instance) -> None:
    # the JSON report, not the "report (HTML)" item beside it
    report_item = history_item(page, r"keras_train\.ipynb epochs=3 on .*: report(?! \(HTML\))")
    history_item(page, r"keras_train\.ipynb epochs=3 on .*: report \(HTML\)")
    history_item(page, r"keras_train\.ipynb epochs=3 on .*: results")
    history_item(page, r"keras_train\.ipynb epochs=3 on .*: ONNX models")
    report_item.click()  # expanded: the summary Galaxy shows under the title
    summary = galaxy_instance.datasets.show_dataset(finished_job["outputs"]["report"]["id"])["misc_info"]
    assert summary.startswith("ok: finished; ONNX models: model") and "started" not in summary
    page.locator("#current-history-panel").get_by_text(summary[:40]).first.wait_for(timeout=PAGE_MS)
    results = galaxy_instance.datasets.show_dataset(finished_job["outputs"]["results"]["id"])["misc_info"]
    assert "result(s):" in results and "history" in results
    screenshot(page, "run_jupyter_job_outputs")


def test_a_second_run_is_not_offered_the_report_as_code(page, finished_job: dict, galaxy_url: str) -> None:
    open_tool_form(page, galaxy_url, "run_jupyter_job")
    assert "keras_train.ipynb" in selected_text(page, "code")
    page.click("div.ui-form-element[id='form-element-code'] .multiselect")
    options = page.locator("div.ui-form-element[id='form-element-code'] .multiselect__option")
    options.first.wait_for(timeout=PAGE_MS)
    offered = options.all_inner_texts()
    assert any("keras_train.ipynb" in text for text in offered)
    assert not any("report" in text or ".h5" in text for text in offered), offered
