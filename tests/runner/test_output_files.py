"""Delivering ``outputs/`` as one flat folder for a Galaxy list collection: names, types, links, clashes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from notebook_job.deliver.output_files import deliver_output_files, galaxy_name


@pytest.fixture
def outputs(tmp_path: Path):
    """``outputs({relative path: text})`` -> (work dir, destination) with the files written under work/outputs."""
    workdir, destination = tmp_path / "work", tmp_path / "delivered"

    def write(files: dict[str, str]) -> tuple[Path, Path]:
        for relative, text in files.items():
            path = workdir / "outputs" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return workdir, destination
    return write


def listing(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize(("relative", "name"), [
    ("loss.png", "loss.png"),
    ("plots/loss.png", "plots__loss.png"),
    ("a/b/c/table.tsv", "a__b__c__table.tabular"),
    ("photo.JPEG", "photo.jpg"),
    ("notes.log", "notes.txt"),
    ("model.pt", "model.pt.data"),
    ("archive.tar.gz", "archive.tar.gz.data"),
    ("README", "README.data"),
    ("checkpoint.weights.h5", "checkpoint.weights.h5"),
    ("my file (1).csv", "my_file_1_.csv"),
    ("héllo wörld.txt", "héllo_wörld.txt"),
    ("run 1/a;b|c.json", "run_1__a_b_c.json"),
    (".hidden", "hidden.data"),
    ("..", "_.data"),
])
def test_galaxy_names(relative, name):
    assert galaxy_name(Path(relative)) == name


def test_nested_files_are_flattened_with_their_types(outputs):
    workdir, destination = outputs({"plots/loss.png": "png", "model.pt": "torch", "scores.tsv": "a\tb\n",
                                    "deep/er/run 1.csv": "x,y\n"})
    delivered, warnings = deliver_output_files(workdir, destination)
    assert warnings == []
    assert delivered == [
        {"file": "outputs/model.pt", "name": "model.pt.data", "bytes": 5},
        {"file": "outputs/scores.tsv", "name": "scores.tabular", "bytes": 4},
        {"file": "outputs/deep/er/run 1.csv", "name": "deep__er__run_1.csv", "bytes": 4},
        {"file": "outputs/plots/loss.png", "name": "plots__loss.png", "bytes": 3},
    ]
    assert listing(destination) == {"deep__er__run_1.csv": "x,y\n", "model.pt.data": "torch",
                                    "plots__loss.png": "png", "scores.tabular": "a\tb\n"}


def test_delivered_files_are_hard_links_on_the_same_file_system(outputs):
    workdir, destination = outputs({"plots/loss.png": "png"})
    deliver_output_files(workdir, destination)
    source, target = workdir / "outputs" / "plots" / "loss.png", destination / "plots__loss.png"
    assert target.stat().st_ino == source.stat().st_ino and source.stat().st_nlink == 2


def test_a_copy_when_a_hard_link_is_refused(outputs, monkeypatch):
    workdir, destination = outputs({"loss.png": "png"})

    def cross_device(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    delivered, _ = deliver_output_files(workdir, destination)
    target = destination / "loss.png"
    assert [entry["name"] for entry in delivered] == ["loss.png"] and target.read_text() == "png"
    assert target.stat().st_ino != (workdir / "outputs" / "loss.png").stat().st_ino


def test_two_files_with_the_same_name_are_both_delivered(outputs):
    workdir, destination = outputs({"plots__loss.png": "top", "plots/loss.png": "nested", "plots/loss.PNG": "upper"})
    delivered, warnings = deliver_output_files(workdir, destination)
    assert [(entry["file"], entry["name"]) for entry in delivered] == [
        ("outputs/plots__loss.png", "plots__loss.png"), ("outputs/plots/loss.PNG", "plots__loss_2.png"),
        ("outputs/plots/loss.png", "plots__loss_3.png")]
    assert warnings == [
        "outputs/plots/loss.PNG would also be named 'plots__loss.png'; delivered as 'plots__loss_2.png'",
        "outputs/plots/loss.png would also be named 'plots__loss.png'; delivered as 'plots__loss_3.png'"]
    assert listing(destination) == {"plots__loss.png": "top", "plots__loss_2.png": "upper",
                                    "plots__loss_3.png": "nested"}


def test_a_symbolic_link_to_a_system_file_is_not_delivered(outputs):
    workdir, destination = outputs({"kept.txt": "mine"})
    (workdir / "outputs" / "passwd.txt").symlink_to("/etc/passwd")
    (workdir / "outputs" / "dangling.txt").symlink_to(workdir / "nowhere")
    delivered, warnings = deliver_output_files(workdir, destination)
    assert [entry["name"] for entry in delivered] == ["kept.txt"]
    assert warnings == ["outputs/dangling.txt is a symbolic link or not a regular file; not delivered",
                        "outputs/passwd.txt is a symbolic link or not a regular file; not delivered"]
    assert listing(destination) == {"kept.txt": "mine"}


def test_a_symbolic_link_to_a_folder_is_not_followed(outputs, tmp_path):
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "private.txt").write_text("not for Galaxy")
    workdir, destination = outputs({"plots/loss.png": "png"})
    (workdir / "outputs" / "plots" / "linked").symlink_to(secret, target_is_directory=True)
    delivered, warnings = deliver_output_files(workdir, destination)
    assert [entry["name"] for entry in delivered] == ["plots__loss.png"]
    assert warnings == ["outputs/plots/linked is a symbolic link; not delivered"]
    assert listing(destination) == {"plots__loss.png": "png"}


def test_a_fifo_is_not_delivered(outputs):
    workdir, destination = outputs({})
    (workdir / "outputs").mkdir(parents=True)
    os.mkfifo(workdir / "outputs" / "pipe")
    assert deliver_output_files(workdir, destination) == (
        [], ["outputs/pipe is a symbolic link or not a regular file; not delivered"])
    assert not destination.exists()


@pytest.mark.parametrize("make", [
    pytest.param(lambda workdir: None, id="no outputs folder"),
    pytest.param(lambda workdir: (workdir / "outputs" / "empty" / "deeper").mkdir(parents=True), id="empty folders"),
    pytest.param(lambda workdir: (workdir / "outputs").write_text("a file, not a folder"), id="outputs is a file"),
])
def test_nothing_to_deliver_creates_no_destination(tmp_path, make):
    workdir = tmp_path / "work"
    workdir.mkdir()
    make(workdir)
    assert deliver_output_files(workdir, tmp_path / "delivered") == ([], [])
    assert not (tmp_path / "delivered").exists()


def test_an_outputs_folder_that_is_a_link_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "private.txt").write_text("secret")
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "outputs").symlink_to(elsewhere, target_is_directory=True)
    assert deliver_output_files(workdir, tmp_path / "delivered") == (
        [], ["outputs is a symbolic link; nothing in it is delivered (make it a folder)"])
    assert not (tmp_path / "delivered").exists()
