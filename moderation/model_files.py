"""Which file holds which model, and turning checked arrays back into model objects.

`load_rules_model` and `load_splitter` read through moderation.persist (arrays + manifest, no
pickle, optional HMAC key) and rebuild the objects from their `from_state` class methods, so a
malformed file is a ModelLoadError naming the file, never a crash in the scoring kernels.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ModelLoadError
from .persist import load_model
from .rule_model import RulesModel
from .settings import rules_model_path, splitter_path  # noqa: F401 (callers import them here)

# Model files of versions before format 3 were pickles; they are never loaded.
_LEGACY_SUFFIX = ".joblib"


def _refuse_legacy(path: Path) -> None:
    legacy = path.with_suffix(_LEGACY_SUFFIX)
    if not path.exists() and legacy.exists():
        raise ModelLoadError(f"{legacy} is a pickle from an earlier version, which is never "
                             "loaded (a pickle can run code); run `moderate train` again")


def _load(path: str | os.PathLike[str], kind: str, from_state: Callable[..., Any],
          key: str | bytes | None) -> tuple[Any, dict[str, Any]]:
    path = Path(path)
    _refuse_legacy(path)
    arrays, manifest = load_model(path, kind, key)
    try:
        return from_state(arrays, manifest["model"]), manifest
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"{path} is not a usable {kind} model: {exc}") from exc


def load_rules_model(path: str | os.PathLike[str], key: str | bytes | None = None
                     ) -> tuple[RulesModel, dict[str, Any]]:
    return _load(path, "rules", RulesModel.from_state, key)


def load_splitter(path: str | os.PathLike[str], key: str | bytes | None = None
                  ) -> tuple[Any, dict[str, Any]]:
    from .splitter import SplitterModel

    return _load(path, "splitter", SplitterModel.from_state, key)
