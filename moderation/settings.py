"""Where things live: the data directory, the model directory, the rules file.

The data directory is chosen in this order: an explicit argument (the CLI's --data-dir),
the MODERATION_DATA environment variable, then ../shared/data/raw beside the project root.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ModelLoadError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "raw"
DEFAULT_MODEL_DIR = PROJECT_ROOT / "models"
DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "rules.toml"
RULES_MODEL_NAME = "rules.npz"
SPLITTER_MODEL_NAME = "splitter.npz"
PARTS = ("rules", "split")  # what `moderate train --only` can train: the two models above


def _directory(explicit: str | os.PathLike[str] | None, env: str, default: Path) -> Path:
    return Path(explicit or os.environ.get(env) or default)


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the directory that holds the raw data sets."""
    return _directory(explicit, "MODERATION_DATA", DEFAULT_DATA_DIR)


def model_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the directory models are saved to and loaded from (MODERATION_MODELS overrides)."""
    return _directory(explicit, "MODERATION_MODELS", DEFAULT_MODEL_DIR)


def rules_model_path(model_dir: Path) -> Path:
    """The rules model of a model directory (a file given instead is refused: `-m` and every
    loader take the directory, which also holds the splitter)."""
    if model_dir.is_file():
        raise ModelLoadError(f"{model_dir} is a file: give the model directory (it holds "
                             f"{RULES_MODEL_NAME} and {SPLITTER_MODEL_NAME})")
    return model_dir / RULES_MODEL_NAME


def splitter_path(model_dir: Path) -> Path:
    return model_dir / SPLITTER_MODEL_NAME
