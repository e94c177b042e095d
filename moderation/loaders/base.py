"""What every loader returns: labelled examples with the labels each row actually has.

A loader reads one source under the data directory and maps its labels onto the canonical label
names below (the Jigsaw/Perspective vocabulary plus the C3 traits). A label a source does not
speak for is simply absent from `labels`: absent means unknown, never 0. `split` is "train" for
rows we may train on and "test" for official test rows, which stay out of training.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataSourceError

LABELS = (
    "toxic",  # any violation: loaders set it to 1 whenever another violation label is 1
    "severe_toxic",
    "obscene",
    "threat",
    "insult",
    "identity_hate",
    "sexual_explicit",
    "constructive",
    "personal_story",
    "evidence",
)
VIOLATIONS = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate",
              "sexual_explicit")

csv.field_size_limit(sys.maxsize)


@dataclass
class Example:
    text: str
    labels: dict[str, int]
    source: str
    split: str = "train"
    group: str = ""  # e.g. the article a comment belongs to, for grouped splits
    meta: dict[str, str] = field(default_factory=dict)


def source_dir(data_dir: Path, name: str) -> Path:
    path = Path(data_dir) / name
    if not path.is_dir():
        raise DataSourceError(f"data set {name!r} not found at {path} (set --data-dir or "
                              "MODERATION_DATA)")
    return path


def read_csv(path: Path, **kwargs) -> Iterator[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle, **kwargs)


def with_toxic(labels: dict[str, int]) -> dict[str, int]:
    """Set toxic=1 when any other violation label is 1 (toxic means 'any violation')."""
    if any(labels.get(name) == 1 for name in VIOLATIONS):
        labels["toxic"] = 1
    return labels


def all_clean() -> dict[str, int]:
    """Labels for a row a source says breaks no rule at all."""
    return dict.fromkeys(VIOLATIONS, 0)
