import json

import pytest

from moderation.errors import ModelLoadError
from moderation.persist import load_artifact, manifest_path, save_artifact


def test_round_trip_and_manifest(tmp_path):
    path = tmp_path / "m.joblib"
    manifest = save_artifact({"weights": [1, 2, 3]}, path, kind="test", info={"note": "x"})
    obj, loaded = load_artifact(path, kind="test")
    assert obj == {"weights": [1, 2, 3]}
    assert loaded == manifest and loaded["note"] == "x" and len(loaded["sha256"]) == 64
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_tampered_file_is_refused(tmp_path):
    path = tmp_path / "m.joblib"
    save_artifact([1], path, kind="test", info={})
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(ModelLoadError, match="does not match its manifest"):
        load_artifact(path, kind="test")


def test_other_library_versions_are_refused(tmp_path):
    path = tmp_path / "m.joblib"
    save_artifact([1], path, kind="test", info={})
    mpath = manifest_path(path)
    manifest = json.loads(mpath.read_text())
    manifest["versions"]["scikit-learn"] = "0.1"
    mpath.write_text(json.dumps(manifest))
    with pytest.raises(ModelLoadError, match="other library versions"):
        load_artifact(path, kind="test")


def test_missing_model_manifest_and_wrong_kind(tmp_path):
    with pytest.raises(ModelLoadError, match="no model"):
        load_artifact(tmp_path / "none.joblib", kind="test")
    path = tmp_path / "m.joblib"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ModelLoadError, match="no manifest"):
        load_artifact(path, kind="test")
    save_artifact([1], path, kind="rules", info={})
    with pytest.raises(ModelLoadError, match="expected 'splitter'"):
        load_artifact(path, kind="splitter")


def test_failed_save_keeps_the_previous_model(tmp_path):
    path = tmp_path / "m.joblib"
    save_artifact("old", path, kind="test", info={})

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        save_artifact(Unpicklable(), path, kind="test", info={})
    assert load_artifact(path, kind="test")[0] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib", "m.joblib.manifest.json"]
