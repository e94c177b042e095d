"""Saving and loading models without running code from the model file.

A model is two files: `<name>.npz`, numpy arrays only (loaded with `allow_pickle=False`, so an
object array or a pickle inside is refused, never executed), and `<name>.npz.manifest.json`:
the model's kind, the storage format, the sha256 of the arrays file, the library versions it
was made with, the model's own metadata (rules, thresholds, feature specification, shapes: plain
JSON) with the sha256 of its canonical JSON, and what the trainer wants to say about it
(sources, metrics).

A checksum beside a file only catches accidents: whoever can replace the arrays can replace the
manifest too. A site that wants to refuse models it did not make sets a key
(`MODERATION_MODEL_KEY`, or `--trusted-key` on the CLI): training then signs the manifest with
HMAC-SHA256, and loading with a key refuses a manifest that is unsigned or signed otherwise.
Nothing in either file can run code, signed or not; the signature guards against a swapped
model (other weights, other thresholds), not against code.

Both files are written to temporary names in the target directory and renamed into place, so a
failed or interrupted training run leaves the previous model intact.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import platform
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn

from .errors import ModelLoadError

MANIFEST_SUFFIX = ".manifest.json"
# Bumped when the layout of the arrays or the metadata changes; a model of another format is
# refused with a "retrain" message rather than misread.
FORMAT = 3
KEY_ENV = "MODERATION_MODEL_KEY"
_MAX_MANIFEST_BYTES = 16 << 20


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model was made with (recorded; the arrays do not depend on
    them, so they are not required to match)."""
    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def manifest_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + MANIFEST_SUFFIX)


def model_key(explicit: str | bytes | None = None) -> bytes | None:
    """The signing key: an explicit one, else $MODERATION_MODEL_KEY, else None (unsigned)."""
    key = explicit if explicit is not None else os.environ.get(KEY_ENV)
    if key is None or key == "":
        return None
    return key.encode("utf-8") if isinstance(key, str) else key


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _signature(manifest: dict[str, Any], key: bytes) -> str:
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    canonical = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, canonical.encode("ascii"), hashlib.sha256).hexdigest()


def strings_to_array(strings: list[str]) -> np.ndarray:
    """A list of newline-free strings as one uint8 array (UTF-8, newline-joined)."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def array_to_strings(blob: np.ndarray) -> list[str]:
    text = blob.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def save_model(path: str | os.PathLike[str], kind: str, arrays: dict[str, np.ndarray],
               meta: dict[str, Any], info: dict[str, Any] | None = None,
               key: str | bytes | None = None) -> dict[str, Any]:
    """Write `arrays` and the manifest (with `meta` and `info`) atomically; return the manifest.

    Signed with `key` (or $MODERATION_MODEL_KEY) when one is set."""
    path = Path(path)
    for name, array in arrays.items():
        if np.asarray(array).dtype.hasobject:
            raise TypeError(f"array {name!r} holds Python objects; models store plain arrays")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_model = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_manifest = tmp_model + ".manifest"
    try:
        with open(tmp_model, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        manifest = {
            "kind": kind,
            "format": FORMAT,
            "file": path.name,
            "sha256": sha256_of(Path(tmp_model)),
            "versions": library_versions(),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": meta,
            **(info or {}),
            "model_sha256": metadata_sha256(meta),
        }
        secret = model_key(key)
        if secret is not None:
            manifest["signature"] = _signature(manifest, secret)
        with open(tmp_manifest, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=False, allow_nan=False,
                      default=_jsonable)
            handle.write("\n")
        os.replace(tmp_model, path)
        os.replace(tmp_manifest, manifest_path(path))
    finally:
        for leftover in (tmp_model, tmp_manifest):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return manifest


def metadata_sha256(meta: dict[str, Any]) -> str:
    """sha256 of the model's metadata as canonical JSON: the thresholds, rules and feature
    specification are checked like the arrays are (an edited or damaged manifest is refused;
    only a signature guards against a deliberate swap)."""
    canonical = json.dumps(meta, sort_keys=True, separators=(",", ":"), allow_nan=False,
                           default=_jsonable)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a model's manifest, or raise ModelLoadError naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"no model at {path}: run `moderate train` first or pass --model")
    mpath = manifest_path(path)
    if not mpath.exists():
        raise ModelLoadError(f"model {path} has no manifest {mpath.name}; refusing to load it")
    try:
        if mpath.stat().st_size > _MAX_MANIFEST_BYTES:
            raise ModelLoadError(f"manifest {mpath} is implausibly large; refusing to read it")
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise ModelLoadError(f"manifest {mpath} is unreadable: {exc}") from exc
    if not isinstance(manifest, dict):
        raise ModelLoadError(f"manifest {mpath} is not a JSON object; refusing to load {path}")
    return manifest


def check_manifest(path: Path, manifest: dict[str, Any], kind: str,
                   key: str | bytes | None = None) -> None:
    """Raise ModelLoadError unless `manifest` describes a `kind` model in this format, signed
    with the key when one is set, and matches the file at `path`."""
    if manifest.get("kind") != kind:
        raise ModelLoadError(f"{path} is a {manifest.get('kind')!r} model, expected {kind!r}")
    if manifest.get("format") != FORMAT:
        raise ModelLoadError(f"{path} is in storage format {manifest.get('format')!r}, this "
                             f"version reads format {FORMAT}; retrain it")
    if not isinstance(manifest.get("model"), dict):
        raise ModelLoadError(f"{path}: its manifest has no model metadata; retrain it")
    secret = model_key(key)
    if secret is not None:
        given = manifest.get("signature")
        if not isinstance(given, str):
            raise ModelLoadError(f"{path}: its manifest is not signed and a model key is set; "
                                 "refusing it")
        if not hmac.compare_digest(given, _signature(manifest, secret)):
            raise ModelLoadError(f"{path}: its manifest's signature does not match the model "
                                 "key; refusing it")
    recorded = manifest.get("model_sha256")
    if not isinstance(recorded, str):
        raise ModelLoadError(f"{path}: its manifest has no checksum of its metadata (saved by "
                             "an earlier version); retrain it")
    try:
        metadata_ok = hmac.compare_digest(recorded, metadata_sha256(manifest["model"]))
    except (TypeError, ValueError) as exc:
        raise ModelLoadError(f"{path}: its manifest's metadata is not plain JSON: {exc}") from exc
    if not metadata_ok:
        raise ModelLoadError(f"{path}: its manifest's metadata (rules, thresholds, features) "
                             "does not match its checksum: edited or damaged; retrain it")
    actual = sha256_of(path)
    if actual != manifest.get("sha256"):
        raise ModelLoadError(
            f"{path} does not match its manifest (sha256 {actual[:12]}… != "
            f"{str(manifest.get('sha256'))[:12]}…): corrupt or replaced; retrain it"
        )


def load_model(path: str | os.PathLike[str], kind: str, key: str | bytes | None = None
               ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Check `path` against its manifest, then read its arrays (never unpickling anything).

    Returns (arrays, manifest); the model's own metadata is `manifest["model"]`."""
    path = Path(path)
    manifest = read_manifest(path)
    check_manifest(path, manifest, kind, key)
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("one bare array, not a set of named arrays")
        with data:
            arrays = {name: data[name] for name in data.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise ModelLoadError(f"{path} is not a model's arrays file (pickles are refused): "
                             f"{exc.__class__.__name__}: {exc}") from exc
    return arrays, manifest
