import json
import os
import pickle

import numpy as np
import pytest

from moderation.errors import ModelLoadError
from moderation.persist import load_model, manifest_path, save_model


def _save(path, kind="test", key=None, **info):
    arrays = {"weights": np.arange(3.0), "names": np.frombuffer(b"a\nb", dtype=np.uint8)}
    return save_model(path, kind, arrays, {"rules": ["x"]}, info, key=key)


def test_round_trip_keeps_arrays_meta_and_versions(tmp_path):
    path = tmp_path / "m.npz"
    manifest = _save(path, note="x")
    arrays, loaded = load_model(path, kind="test")
    assert arrays["weights"].tolist() == [0.0, 1.0, 2.0]
    assert loaded == manifest and loaded["note"] == "x" and loaded["model"] == {"rules": ["x"]}
    assert set(loaded["versions"]) >= {"numpy", "scikit-learn", "python"}


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_a_pickle_is_refused_before_it_runs(tmp_path, monkeypatch):
    # Whoever can write the model directory can also rewrite the manifest's hash; the loader
    # must still never unpickle.
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m.npz"
    _save(path)
    path.write_bytes(pickle.dumps(_Boom()))
    manifest = json.loads(manifest_path(path).read_text())
    import hashlib

    manifest["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path(path).write_text(json.dumps(manifest))
    with pytest.raises(ModelLoadError, match="pickles are refused"):
        load_model(path, kind="test")
    assert not (tmp_path / "pwned").exists()
    # an npz holding an object array (a pickle inside) is refused the same way
    np.savez(path, weights=np.array([_Boom()], dtype=object))
    manifest["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path(path).write_text(json.dumps(manifest))
    with pytest.raises(ModelLoadError, match="pickles are refused"):
        load_model(path, kind="test")
    assert not (tmp_path / "pwned").exists()


def test_object_arrays_are_never_saved(tmp_path):
    with pytest.raises(TypeError, match="Python objects"):
        save_model(tmp_path / "m.npz", "test", {"x": np.array([{}], dtype=object)}, {})


def test_tampered_file_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    _save(path)
    with open(path, "ab") as handle:
        handle.write(b"evil")
    with pytest.raises(ModelLoadError, match="does not match its manifest"):
        load_model(path, kind="test")


@pytest.mark.parametrize("content", ["[1, 2]", "not json", '"text"', "[" * 100_000])
def test_manifest_that_is_not_an_object_is_one_error(tmp_path, content):
    path = tmp_path / "m.npz"
    _save(path)
    manifest_path(path).write_text(content)
    with pytest.raises(ModelLoadError, match="manifest"):
        load_model(path, kind="test")


def test_other_format_is_refused_with_retrain(tmp_path):
    path = tmp_path / "m.npz"
    _save(path)
    manifest = json.loads(manifest_path(path).read_text())
    manifest["format"] = 2
    manifest_path(path).write_text(json.dumps(manifest))
    with pytest.raises(ModelLoadError, match="format 2.*retrain"):
        load_model(path, kind="test")


def test_missing_model_or_manifest_or_wrong_kind(tmp_path):
    with pytest.raises(ModelLoadError, match="no model"):
        load_model(tmp_path / "none.npz", kind="test")
    path = tmp_path / "m.npz"
    path.write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="no manifest"):
        load_model(path, kind="test")
    _save(path, kind="rules")
    with pytest.raises(ModelLoadError, match="expected 'splitter'"):
        load_model(path, kind="splitter")


def test_signed_models_refuse_unsigned_and_foreign_ones(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    _save(path)  # unsigned
    with pytest.raises(ModelLoadError, match="not signed"):
        load_model(path, kind="test", key="site secret")
    _save(path, key="site secret")
    load_model(path, kind="test", key="site secret")
    load_model(path, kind="test")  # without a key, a signed model still loads
    with pytest.raises(ModelLoadError, match="signature does not match"):
        load_model(path, kind="test", key="another")
    # changing the manifest (say, a threshold) breaks the signature
    manifest = json.loads(manifest_path(path).read_text())
    manifest["model"]["rules"] = ["y"]
    manifest_path(path).write_text(json.dumps(manifest))
    with pytest.raises(ModelLoadError, match="signature does not match"):
        load_model(path, kind="test", key="site secret")
    monkeypatch.setenv("MODERATION_MODEL_KEY", "site secret")
    with pytest.raises(ModelLoadError, match="signature does not match"):
        load_model(path, kind="test")


def test_failed_save_leaves_previous_model(tmp_path):
    path = tmp_path / "m.npz"
    _save(path)
    with pytest.raises(TypeError):
        save_model(path, "test", {"x": np.array([object()], dtype=object)}, {})
    with pytest.raises(TypeError):
        save_model(path, "test", {"x": np.arange(2)}, {"bad": object()})
    arrays, _ = load_model(path, kind="test")
    assert arrays["weights"].tolist() == [0.0, 1.0, 2.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "m.npz.manifest.json"]


def test_edited_or_unchecked_metadata_is_refused(tmp_path):
    """The metadata (rules, thresholds, feature specification) is checked like the arrays: an
    accidental edit, or a manifest without the checksum, is refused with a one-line reason."""
    path = tmp_path / "m.npz"
    _save(path)
    manifest = json.loads(manifest_path(path).read_text())
    edited = {**manifest, "model": {**manifest["model"], "rules": ["y"]}}
    manifest_path(path).write_text(json.dumps(edited))
    with pytest.raises(ModelLoadError, match="does not match its checksum"):
        load_model(path, kind="test")
    unchecked = {k: v for k, v in manifest.items() if k != "model_sha256"}
    manifest_path(path).write_text(json.dumps(unchecked))
    with pytest.raises(ModelLoadError, match="no checksum of its metadata"):
        load_model(path, kind="test")
    manifest_path(path).write_text(json.dumps(manifest))
    load_model(path, kind="test")  # the untouched manifest still loads
