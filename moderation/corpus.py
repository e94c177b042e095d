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
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .loaders import LABELS, LOADERS, Example
from .normalize import normalize
from .rules import Rule

SOURCES = tuple(LOADERS)

# Per-source choices. Each was measured by ROC AUC on a dev split of Jigsaw *train* rows (a
# quarter of jigsaw_predibase train ids, held out from training for the experiment; the
# official test rows were not used), pooled model with C=1; figures are dev AUCs:
# - POSITIVES_ONLY: labels for which a source's 1s count but its 0s do not. ToxicSpans raters
#   typed profanity inside insults as Insult, so its obscene/insult zeros are noise; the tweet
#   sources' subtype zeros teach tweet style, not content. With these and the weights below,
#   keep_it_clean 0.947 -> 0.968, be_nice 0.926 -> 0.932, toxicity 0.960 -> 0.965.
# - SOURCE_WEIGHTS: in-domain, fully labelled Jigsaw rows count three times (without them:
#   keep_it_clean 0.964, be_nice 0.926, toxicity 0.960).
# - SOURCE_LABELS: what a source may speak for at all. Davidson, HateXplain and ETHOS "hate"
#   is not Jigsaw's identity_hate (be_nice 0.932 -> 0.941 without it); EDOS and ETHOS threats
#   and incitement are not Jigsaw's threat (dont_threaten 0.922 -> 0.944 with C=3 below);
#   EDOS's sexism and HateXplain's labels on lower-cased, punctuation-free tweets pull
#   toxicity away from news-comment toxicity (0.965 -> 0.974 without them; with identity_hate
#   EDOS also cost be_nice 0.932 -> 0.925). They stay loaded: EDOS's official test split is
#   an evaluation set, and a site may give them back labels by editing this table.
# - Later, on the same dev rows weighted as the official test files are sampled (bad and ok
#   rows half each; this weighting tracks the official test figures far better): ToxicSpans'
#   Insult and Identity-attack spans do not mark what Jigsaw calls insult or identity hate
#   (be_nice 0.920 without windows, 0.926 at weight 0.3, 0.928 at 0.1, 0.929 without them;
#   without its zeros but with its ones, 0.912), so ToxicSpans speaks for neither.
SUBTYPES = frozenset({"obscene", "sexual_explicit", "insult", "identity_hate", "threat",
                      "severe_toxic"})
SOURCE_LABELS: dict[str, frozenset[str]] = {name: frozenset(LABELS) for name in SOURCES}
SOURCE_LABELS["edos"] = frozenset()
SOURCE_LABELS["hatexplain_magpie"] = frozenset()
SOURCE_LABELS["davidson"] = frozenset(LABELS) - {"identity_hate"}
SOURCE_LABELS["ethos"] = frozenset(LABELS) - {"identity_hate", "threat"}
SOURCE_LABELS["toxic_spans"] = frozenset(LABELS) - {"insult", "identity_hate"}
POSITIVES_ONLY: dict[str, frozenset[str]] = {
    "toxic_spans": frozenset({"obscene", "insult"}),
    "olid": SUBTYPES,
    "davidson": SUBTYPES,
    "hatexplain_magpie": SUBTYPES,
    "ethos": SUBTYPES,
}
# Our contrast sentences (loaders/contrasts.py) count three times: on templates of them held
# out of training (bench/rules_dev.py), be_nice separates asserted hate from negated, condemned
# and reported hate at 0.775 (weight 1), 0.803 (3), 0.813 (6); the real dev sets moved by at
# most 0.003 at 3 and 0.005 at 6.
SOURCE_WEIGHTS: dict[str, float] = {"jigsaw_predibase": 3.0, "contrasts": 3.0}

C3_TEST_FRACTION = 0.2
# A further share of C3's articles, never trained on: review thresholds are set on their
# acceptable comments (crowd_toxicity_level < 2), so that the share of real, acceptable news
# comments leaving approve is measured on comments the model has not seen.
C3_CALIBRATION_FRACTION = 0.2


@dataclass
class Corpus:
    train: list[Example]
    evaluation: dict[str, list[Example]]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    calibration: list[Example] = field(default_factory=list)
    dev: dict[str, list[Example]] = field(default_factory=dict)


def _article_unit(article_id: str) -> float:
    digest = hashlib.sha256(article_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def is_held_out_article(article_id: str, fraction: float = C3_TEST_FRACTION) -> bool:
    """A stable, seed-free choice of held-out C3 articles."""
    return _article_unit(article_id) < fraction


def is_calibration_article(article_id: str) -> bool:
    """C3 articles whose comments choose the review thresholds (never trained on)."""
    u = _article_unit(article_id)
    return C3_TEST_FRACTION <= u < C3_TEST_FRACTION + C3_CALIBRATION_FRACTION


def is_acceptable(example: Example) -> bool:
    """A C3 comment its raters judged acceptable: crowd_toxicity_level below 2."""
    try:
        return float(example.meta.get("crowd_toxicity_level", "nan")) < 2
    except ValueError:
        return False


def build_corpus(data_dir: Path, sources: tuple[str, ...] = SOURCES,
                 extra: list[Example] | None = None, *, hold_dev: bool = False) -> Corpus:
    """Load `sources` (plus a site's own `extra` rows), hold out the evaluation sets, dedupe.

    Rows a loader marks "dev" (a part of a source's training side kept for comparing choices)
    are held out into `Corpus.dev` when `hold_dev`, and trained on otherwise. C3's calibration
    articles always go to `Corpus.calibration`."""
    evaluation: dict[str, list[Example]] = {}
    dev: dict[str, list[Example]] = {}
    calibration: list[Example] = []
    candidates: list[Example] = []
    counts: dict[str, dict[str, int]] = {}
    for name in sources:
        rows = LOADERS[name](data_dir)
        allowed = SOURCE_LABELS.get(name, frozenset(LABELS))
        positives_only = POSITIVES_ONLY.get(name, frozenset())
        for example in rows:
            if name == "c3" and is_held_out_article(example.group):
                example.split = "test"
            elif name == "c3" and is_calibration_article(example.group):
                example.split = "calibration"
            # held-out rows keep every label their source gives, for evaluation
            if example.split == "test":
                evaluation.setdefault(name, []).append(example)
                continue
            if example.split == "calibration":
                calibration.append(example)
                continue
            if example.split == "dev" and hold_dev:
                dev.setdefault(name, []).append(example)
                continue
            example.labels = {k: v for k, v in example.labels.items()
                              if k in allowed and (v == 1 or k not in positives_only)}
            if example.labels:  # a row that speaks for no label would only add noise
                candidates.append(example)
        counts[name] = {"loaded": len(rows)}
    candidates.extend(extra or [])
    held_out = {normalize(ex.text) for group in (evaluation, dev) for rows in group.values()
                for ex in rows}
    held_out.update(normalize(ex.text) for ex in calibration)
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
        if name in dev:
            counts[name]["dev"] = len(dev[name])
    counts.setdefault("c3", {})["calibration"] = len(calibration)
    return Corpus(train, evaluation, counts, calibration, dev)


# Identity terms (after Dixon et al. 2018). In the training data they appear mostly in toxic
# rows, so a model learns "gay" or "muslim" as toxic by itself. Non-toxic rows that mention a
# term are up-weighted until, for that term, non-toxic rows weigh what they would at the
# corpus-wide toxic rate (the "balance" mitigation of that paper, by weighting, not new text).
IDENTITY_TERMS = (
    "gay", "lesbian", "queer", "homosexual", "homosexuals", "bisexual", "transgender", "trans",
    "lgbt", "lgbtq", "heterosexual", "straight", "nonbinary", "black", "white", "african",
    "asian", "hispanic", "latino", "latina", "mexican", "chinese", "japanese", "indian",
    "arab", "muslim", "muslims", "islam", "islamic", "jewish", "jew", "jews", "christian",
    "christians", "catholic", "buddhist", "sikh", "hindu", "atheist", "women", "woman", "female",
    "male", "men", "feminist", "blind", "deaf", "disabled", "elderly", "immigrant", "immigrants",
)
MAX_IDENTITY_WEIGHT = 10.0
_WORDS = re.compile(r"[a-z]+")


def identity_balance(examples: list[Example]) -> np.ndarray:
    """Per-row multipliers that balance toxic and non-toxic rows mentioning each identity term."""
    toxic = np.array([ex.labels.get("toxic", -1) for ex in examples])
    known = toxic >= 0
    overall = toxic[known].mean() if known.any() else 0.0
    terms = set(IDENTITY_TERMS)
    # plain words, not `normalize`: that may read every group name as one token
    mentions = [terms.intersection(_WORDS.findall(ex.text.lower())) for ex in examples]
    weights = np.ones(len(examples))
    for term in IDENTITY_TERMS:
        rows = np.array([term in m for m in mentions]) & known
        n_toxic, n_clean = (toxic[rows] == 1).sum(), (toxic[rows] == 0).sum()
        if n_toxic == 0 or n_clean == 0 or overall <= 0:
            continue
        # weight w on clean rows gives n_toxic / (n_toxic + w * n_clean) == overall
        w = n_toxic * (1 - overall) / (overall * n_clean)
        if w > 1:
            clean_rows = rows & (toxic == 0)
            weights[clean_rows] = np.maximum(weights[clean_rows], min(w, MAX_IDENTITY_WEIGHT))
    return weights


def sample_weights(examples: list[Example], balance_identities: bool = True) -> np.ndarray:
    weights = np.array([SOURCE_WEIGHTS.get(ex.source, 1.0) for ex in examples])
    return weights * identity_balance(examples) if balance_identities else weights


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
