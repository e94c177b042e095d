"""A fixed sample of real comments, for checks that scores did not move (bench/same_verdicts.py,
tests/saved_model.py): the same texts on every run and machine, given the same data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .hate import load_gab_hate_corpus
from .jigsaw import load_jigsaw_predibase
from .news_comments import load_c3


def real_comment_sample(data_dir: Path, per_set: int, seed: int = 13) -> list[str]:
    """Up to `per_set` comments from each of the Jigsaw official test rows, C3 and GHC's test
    file, drawn without replacement and kept in file order."""
    sets = [
        [ex.text for ex in load_jigsaw_predibase(data_dir) if ex.split == "test"],
        [ex.text for ex in load_c3(data_dir)],
        [ex.text for ex in load_gab_hate_corpus(data_dir) if ex.split == "test"],
    ]
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for texts in sets:
        picks = rng.choice(len(texts), min(per_set, len(texts)), replace=False)
        out.extend(texts[i] for i in sorted(picks))
    return out
