"""Saving and loading models safely.

A model is a joblib pickle plus a JSON manifest beside it (`<name>.manifest.json`) that records
the file's sha256, the library versions it was made with, and what the trainer wants to say
about it (rules, thresholds, sources, metrics). Unpickling runs code, so `load_artifact` refuses
a file whose hash or library versions do not match its manifest, before it unpickles anything.

Both files are written to temporary names in the target directory and renamed into place, so a
failed or interrupted training run leaves the previous model intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy
import scipy
import sklearn

from .errors import ModelLoadError

MANIFEST_SUFFIX = ".manifest.json"


def library_versions() -> dict[str, str]:
    """Versions that must match between the process that saved a model and the one loading it."""
    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }


def manifest_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + MANIFEST_SUFFIX)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_artifact(obj: Any, path: str | os.PathLike[str], kind: str, info: dict[str, Any]) -> dict:
    """Write `obj` and its manifest atomically; return the manifest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_model = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_manifest = tmp_model + ".manifest"
    try:
        joblib.dump(obj, tmp_model, compress=3)
        manifest = {
            "kind": kind,
            "file": path.name,
            "sha256": sha256_of(Path(tmp_model)),
            "versions": library_versions(),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **info,
        }
        with open(tmp_manifest, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=False)
            handle.write("\n")
        os.replace(tmp_model, path)
        os.replace(tmp_manifest, manifest_path(path))
    finally:
        for leftover in (tmp_model, tmp_manifest):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return manifest


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a model's manifest, or raise ModelLoadError naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"no model at {path}: run `moderate train` first or pass --model")
    mpath = manifest_path(path)
    if not mpath.exists():
        raise ModelLoadError(f"model {path} has no manifest {mpath.name}; refusing to load it")
    try:
        return json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"manifest {mpath} is unreadable: {exc}") from exc


def load_artifact(path: str | os.PathLike[str], kind: str) -> tuple[Any, dict[str, Any]]:
    """Check `path` against its manifest, then unpickle it. Returns (object, manifest)."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest.get("kind") != kind:
        raise ModelLoadError(f"{path} is a {manifest.get('kind')!r} model, expected {kind!r}")
    actual = sha256_of(path)
    if actual != manifest.get("sha256"):
        raise ModelLoadError(
            f"{path} does not match its manifest (sha256 {actual[:12]}… != "
            f"{str(manifest.get('sha256'))[:12]}…): corrupt or replaced; retrain it"
        )
    saved, here = manifest.get("versions", {}), library_versions()
    differ = [f"{k} {saved.get(k)} != {v}" for k, v in here.items() if saved.get(k) != v]
    if differ:
        raise ModelLoadError(
            f"{path} was saved with other library versions ({'; '.join(differ)}); retrain it"
        )
    try:
        obj = joblib.load(path)
    except Exception as exc:  # a truncated or foreign pickle can raise almost anything
        name = exc.__class__.__name__
        raise ModelLoadError(f"{path} could not be loaded: {name}: {exc}") from exc
    return obj, manifest
