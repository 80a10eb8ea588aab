"""Models in their own formats, zipped: what the archive holds, and that each file loads back and predicts the same."""
from __future__ import annotations

import zipfile

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from notebook_job.deliver.native_models import write_native_archive, zip_folder
from notebook_job.export.models import KERAS, SKLEARN, TORCH, FoundModel


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(20, 4)).astype("float32")


def classifier(X: np.ndarray):
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(X, (X[:, 0] > 0).astype(int))


def not_picklable(X: np.ndarray):
    return make_pipeline(FunctionTransformer(lambda rows: rows), LogisticRegression()).fit(X, X[:, 1] > 0)


@pytest.fixture(scope="module")
def archive(keras, X, tmp_path_factory):
    """One archive of a Keras model, a scikit-learn pipeline at depth in a folder name, and one that cannot be saved."""
    net = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
    pipeline = classifier(X)
    found = [FoundModel("net", net, KERAS), FoundModel("broken", not_picklable(X), SKLEARN),
             FoundModel("pipeline", pipeline, SKLEARN)]
    folder = tmp_path_factory.mktemp("native")
    members, warnings = write_native_archive(found, folder / "models.zip")
    with zipfile.ZipFile(folder / "models.zip") as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        bundle.extractall(folder / "unpacked")
    return {"members": members, "warnings": warnings, "names": names, "dir": folder / "unpacked", "net": net,
            "pipeline": pipeline}


def test_the_archive_holds_every_format_at_depth(archive):
    members = archive["members"]
    assert members == archive["names"]
    assert {"net.keras", "net_savedmodel/saved_model.pb", "net_savedmodel/variables/variables.index",
            "pipeline.joblib"} <= set(members)
    assert any(member.startswith("net_savedmodel/variables/variables.data-") for member in members)
    assert {member.split("/")[0] for member in members} == {"net.keras", "net_savedmodel", "pipeline.joblib"}


def test_a_model_that_cannot_be_saved_is_a_warning_and_left_out(archive):
    (warning,) = archive["warnings"]
    assert warning.startswith("model broken: not saved natively (.joblib): PicklingError: Can't pickle <function")
    assert not any(member.startswith("broken") for member in archive["members"])


def test_the_keras_file_loads_back(archive, keras, X):
    loaded = keras.saving.load_model(archive["dir"] / "net.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), archive["net"].predict(X, verbose=0), rtol=1e-6)


def test_the_saved_model_loads_back(archive, X):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(archive["dir"] / "net_savedmodel"))
    np.testing.assert_allclose(loaded.serve(X).numpy(), archive["net"].predict(X, verbose=0), rtol=1e-5)


def test_the_joblib_file_loads_back(archive, X):
    import joblib

    loaded = joblib.load(archive["dir"] / "pipeline.joblib")
    assert [name for name, _ in loaded.steps] == ["standardscaler", "logisticregression"]
    np.testing.assert_array_equal(loaded.predict_proba(X), archive["pipeline"].predict_proba(X))


def test_a_keras_model_that_cannot_be_exported_keeps_its_keras_file(keras, tmp_path):
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    members, warnings = write_native_archive([FoundModel("unbuilt", unbuilt, KERAS)], tmp_path / "models.zip")
    assert members == ["unbuilt.keras"]
    assert [warning.split(":")[0] for warning in warnings] == ["model unbuilt"]
    assert warnings[0].startswith("model unbuilt: not saved natively (SavedModel): ")


def test_a_torch_module_is_saved_as_its_state_dict(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU())
    members, warnings = write_native_archive([FoundModel("mlp", module, TORCH)], tmp_path / "models.zip")
    assert (members, warnings) == (["mlp.pt"], [])
    with zipfile.ZipFile(tmp_path / "models.zip") as bundle:
        bundle.extract("mlp.pt", tmp_path)
    state = torch.load(tmp_path / "mlp.pt", weights_only=True)
    assert sorted(state) == ["0.bias", "0.weight"]
    assert torch.equal(state["0.weight"], module[0].weight.detach())


def test_no_models_give_an_empty_archive(tmp_path):
    assert write_native_archive([], tmp_path / "models.zip") == ([], [])
    with zipfile.ZipFile(tmp_path / "models.zip") as bundle:
        assert bundle.namelist() == []


def test_zip_folder_walks_every_depth_in_order(tmp_path):
    for relative in ("b.txt", "a/z.txt", "a/deeper/y.txt", "c/x.txt"):
        (tmp_path / "src" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / relative).write_text(relative)
    members = zip_folder(tmp_path / "src", tmp_path / "out.zip")
    assert members == ["b.txt", "a/z.txt", "a/deeper/y.txt", "c/x.txt"]
    with zipfile.ZipFile(tmp_path / "out.zip") as bundle:
        assert {name: bundle.read(name).decode() for name in bundle.namelist()} == {name: name for name in members}
        assert {info.compress_type for info in bundle.infolist()} == {zipfile.ZIP_DEFLATED}
