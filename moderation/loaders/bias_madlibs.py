"""bias_madlibs: synthetic identity-term templates, for measuring bias only. Never train on it."""

from __future__ import annotations

from pathlib import Path

from .base import Example, read_csv, source_dir


def load_bias_madlibs(data_dir: Path) -> list[Example]:
    """Rows of en_sentence_templates.csv, split "test", with the identity term in meta."""
    root = source_dir(data_dir, "bias_madlibs")
    examples: list[Example] = []
    for row in read_csv(root / "en_sentence_templates.csv"):
        examples.append(Example(row["phrase"], {"toxic": int(row["toxicity"] == "toxic")},
                                "bias_madlibs", "test", meta={"template": row["template"]}))
    return examples
