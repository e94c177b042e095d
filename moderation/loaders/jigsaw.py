"""Jigsaw Toxic Comment Classification (Wikipedia talk pages).

jigsaw_predibase: all six labels; its test.*.csv files are the official test split (evaluation
only). jigsaw_khanhhk: the first 20,000 rows of the official train.csv with `toxic` alone, at the
natural prevalence.
"""

from __future__ import annotations

from pathlib import Path

from .base import Example, read_csv, source_dir, with_toxic

JIGSAW_LABELS = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")


def load_jigsaw_predibase(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "jigsaw_predibase")
    seen: set[str] = set()
    examples: list[Example] = []
    for path in sorted(root.glob("*.csv")):
        split = "test" if path.name.startswith("test.") else "train"
        for row in read_csv(path):
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            labels = {name: int(row[name]) for name in JIGSAW_LABELS}
            examples.append(Example(row["comment_text"], with_toxic(labels), "jigsaw_predibase",
                                    split, group=row["id"]))
    return examples


def load_jigsaw_khanhhk(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "jigsaw_khanhhk")
    examples: list[Example] = []
    for path in sorted(root.glob("text_comment_*.csv")):
        for row in read_csv(path):
            examples.append(Example(row["comment_text"], {"toxic": int(row["labels"])},
                                    "jigsaw_khanhhk"))
    return examples
