"""`moderate evaluate` as a library call: held-out figures for a trained model, silent.

Rules model, on data never trained on (moderation.corpus keeps them out):
- the official Jigsaw test rows: toxicity vs toxic, keep_it_clean vs obscene, dont_threaten vs
  threat, be_nice vs insult or identity_hate; ROC AUC, average precision, and precision and
  recall at the saved thresholds;
- the official OLID and EDOS test splits (toxicity vs OFF; be_nice and toxicity vs sexist);
- C3's held-out articles: toxicity, share_with_us vs personal_story or evidence and vs
  constructive_binary, also within comment-length bands, beside the AUC of length alone, so that
  a length detector cannot pass for a constructiveness model;
- bias_madlibs templates: overall AUC, and per identity term the subgroup, BPSN and BNSP AUCs
  (Borkan et al. 2019).
Splitter: real pages of held-out sites per renderer, the seed page, and assembled pages beside
them (moderation.splitter.evaluate_splitter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from . import settings
from .corpus import build_corpus
from .hook import Moderator
from .loaders import Example, load_bias_madlibs
from .rule_model import rule_metrics

# (data set, rule, gold label names: positive if any is 1)
CHECKS: list[tuple[str, str, tuple[str, ...]]] = [
    ("jigsaw_predibase", "toxicity", ("toxic",)),
    ("jigsaw_predibase", "keep_it_clean", ("obscene",)),
    ("jigsaw_predibase", "dont_threaten", ("threat",)),
    ("jigsaw_predibase", "be_nice", ("insult", "identity_hate")),
    ("olid", "toxicity", ("toxic",)),
    ("edos", "toxicity", ("sexist",)),
    ("edos", "be_nice", ("sexist",)),
    ("c3", "toxicity", ("toxic",)),
    ("c3", "be_nice", ("insult",)),
    ("c3", "share_with_us", ("personal_story", "evidence")),
    ("c3", "share_with_us", ("constructive",)),
]
LENGTH_BANDS = ((0, 30), (30, 60), (60, 120), (120, 10**9))  # words


def _gold(examples: list[Example], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(y, mask of rows where the gold is known)."""
    y = np.zeros(len(examples), dtype=int)
    known = np.zeros(len(examples), dtype=bool)
    for i, ex in enumerate(examples):
        labels = dict(ex.labels)
        if "label_sexist" in ex.meta:
            labels = {"sexist": int(ex.meta["label_sexist"] == "sexist")}
        values = [labels[n] for n in names if n in labels]
        if values:
            known[i] = True
            y[i] = int(any(values))
    return y, known


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return round(float(roc_auc_score(y, p)), 4) if 0 < y.sum() < len(y) else None


def evaluate_rules(moderator: Moderator, data_dir: Path) -> dict[str, Any]:
    corpus = build_corpus(data_dir)
    ids = moderator.rule_ids
    thresholds = moderator.model.thresholds
    rows: list[dict[str, Any]] = []
    proba_cache: dict[str, np.ndarray] = {}
    for dataset, rule, gold in CHECKS:
        examples = corpus.evaluation.get(dataset, [])
        if rule not in ids or not examples:
            continue
        if dataset not in proba_cache:
            proba_cache[dataset] = moderator.model.predict_proba([ex.text for ex in examples])
        p = proba_cache[dataset][:, ids.index(rule)]
        y, known = _gold(examples, gold)
        if np.isnan(p).all():
            rows.append({"data": dataset, "rule": rule, "gold": " or ".join(gold),
                         "scored": False})
            continue
        prevalence = next(r.prevalence for r in moderator.model.rules if r.id == rule)
        metrics = rule_metrics(y[known], p[known], thresholds.get(rule), prevalence)
        rows.append({"data": dataset, "rule": rule, "gold": " or ".join(gold), **metrics})
    bands = []
    if "c3" in proba_cache and "share_with_us" in ids:
        bands = _length_bands(corpus.evaluation["c3"],
                              proba_cache["c3"][:, ids.index("share_with_us")])
    return {"rules": rows, "length_bands": bands, "bias": evaluate_bias(moderator, data_dir)}


def _length_bands(examples: list[Example], p: np.ndarray) -> list[dict[str, Any]]:
    """share_with_us AUC overall and within length bands, beside the AUC of length alone."""
    words = np.array([len(ex.text.split()) for ex in examples])
    out = []
    for gold in (("constructive",), ("personal_story", "evidence")):
        y, known = _gold(examples, gold)
        out.append({"gold": " or ".join(gold), "band": "all", "n": int(known.sum()),
                    "auc": _auc(y[known], p[known]), "length_auc": _auc(y[known], words[known])})
        for low, high in LENGTH_BANDS:
            band = known & (words >= low) & (words < high)
            out.append({"gold": " or ".join(gold), "band": f"{low}-{high if high < 10**9 else ''}",
                        "n": int(band.sum()), "auc": _auc(y[band], p[band]),
                        "length_auc": _auc(y[band], words[band])})
    return out


def identity_terms(examples: list[Example]) -> list[str]:
    """The identity terms of the templates, read off the verb_adj template ("<verb> <term>")."""
    terms = {ex.text.split(" ", 1)[1] for ex in examples if ex.meta.get("template") == "verb_adj"}
    return sorted(terms, key=lambda t: (-len(t), t))


def evaluate_bias(moderator: Moderator, data_dir: Path, rule: str = "toxicity"
                  ) -> dict[str, Any]:
    """Overall AUC and, per identity term, subgroup / BPSN / BNSP AUC on bias_madlibs."""
    examples = load_bias_madlibs(data_dir)
    terms = identity_terms(examples)
    term_of = []
    for ex in examples:
        phrase = f" {ex.text.lower()} "
        term_of.append(next((t for t in terms if f" {t} " in phrase), ""))
    term_of = np.array(term_of)
    y = np.array([ex.labels["toxic"] for ex in examples])
    p = moderator.model.predict_proba([ex.text for ex in examples])[
        :, moderator.rule_ids.index(rule)]
    per_term = []
    for term in terms:
        sub = term_of == term
        bpsn = (sub & (y == 0)) | (~sub & (y == 1))
        bnsp = (sub & (y == 1)) | (~sub & (y == 0))
        per_term.append({"term": term, "n": int(sub.sum()), "subgroup_auc": _auc(y[sub], p[sub]),
                         "bpsn_auc": _auc(y[bpsn], p[bpsn]), "bnsp_auc": _auc(y[bnsp], p[bnsp])})
    per_term.sort(key=lambda r: r["bpsn_auc"] if r["bpsn_auc"] is not None else 1.0)
    return {"rule": rule, "rows": len(examples), "overall_auc": _auc(y, p),
            "terms_without_match": int((term_of == "").sum()), "per_term": per_term}


def evaluate(model_dir: Path | None, data_dir: Path, only: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    splitter = None
    if only in (None, "rules"):
        moderator = Moderator.load(model_dir)
        result.update(evaluate_rules(moderator, data_dir))
        splitter = moderator.splitter
    else:  # the splitter alone needs no rules model
        from .persist import load_artifact

        path = settings.model_dir(model_dir) / settings.SPLITTER_MODEL_NAME
        splitter, _ = load_artifact(path, kind="splitter")
    if only in (None, "split") and splitter is not None:
        from .splitter import evaluate_splitter

        seed_page = settings.PROJECT_ROOT.parent / "shared" / "seeds" / "wfsb_page.txt"
        result["splitter"] = evaluate_splitter(splitter, data_dir, seed_page=seed_page)
    return result
