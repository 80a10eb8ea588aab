"""RemoteJob.output_files/download: the files of outputs/ come back under their names WITH the extension.

Galaxy's collection keeps 'metrics.json' as element 'metrics' of type json; without the extension put
back, a notebook that wrote outputs/metrics.json would find outputs/metrics after the download.
"""
from __future__ import annotations

from types import SimpleNamespace

from remote_training.jobs import RemoteJob

ELEMENTS = [("metrics", "json", "d1"), ("predictions", "png", "d2"), ("checkpoint.weights", "h5", "d3"),
            ("notes.txt", "txt", "d4"), ("blob", "data", "d5")]


class FakeGalaxy:
    """Just enough of remote_training.connection.Galaxy for a finished job's outputs."""

    def __init__(self):
        self.downloaded = {}
        self.gi = SimpleNamespace(
            jobs=SimpleNamespace(show_job=self.show_job),
            histories=SimpleNamespace(show_dataset_collection=self.show_dataset_collection),
            datasets=SimpleNamespace(download_dataset=self.download_dataset))

    def call(self, function, *args, **kwargs):
        return function(*args, **kwargs)

    def show_job(self, job_id, full_details=False):
        return {"outputs": {"results": {"id": "r"}, "report": {"id": "p"}},
                "output_collections": {"output_files": {"src": "hdca", "id": "c1"}}}

    def show_dataset_collection(self, history_id, collection_id):
        assert collection_id == "c1"
        return {"elements": [{"element_identifier": name, "object": {"id": dataset, "file_ext": extension}}
                             for name, extension, dataset in ELEMENTS]}

    def download_dataset(self, dataset_id, file_path, use_default_filename, require_ok_state):
        self.downloaded[dataset_id] = file_path
        with open(file_path, "w") as handle:
            handle.write(dataset_id)


def test_output_files_get_their_extension_back():
    job = RemoteJob(FakeGalaxy(), "job1", "history1")
    assert job.output_files() == {"metrics.json": "d1", "predictions.png": "d2", "checkpoint.weights.h5": "d3",
                                  "notes.txt": "d4", "blob": "d5"}
    assert job.collection("output_files")["metrics"] == "d1"  # the collection itself keeps Galaxy's identifiers


def test_download_writes_the_output_files_under_those_names(tmp_path):
    galaxy = FakeGalaxy()
    paths = RemoteJob(galaxy, "job1", "history1").download(tmp_path)
    assert paths["file:metrics.json"] == tmp_path / "outputs" / "metrics.json"
    assert (tmp_path / "outputs" / "predictions.png").read_text() == "d2"
    assert sorted(path.name for path in (tmp_path / "outputs").iterdir()) == [
        "blob", "checkpoint.weights.h5", "metrics.json", "notes.txt", "predictions.png"]
