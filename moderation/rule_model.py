"""Training the rules model, and the object that turns texts into verdicts.

Training path: corpus rows -> `build_pipeline()` (the reference: FeatureUnion of word and char_wb
TF-IDF, then RuleClassifiers, one logistic regression per rule fitted on the rows labelled for
it) fitted on 90% of the rows -> per-rule thresholds chosen on the other 10% for a stated
precision -> a `RulesModel` that keeps the rules, the thresholds and a `FastScorer` made from
the fitted pipeline (the pipeline itself is not saved: the fast scorer computes the same scores).

Scoring path: `RulesModel.verdicts(texts)` -> one dict per text:
`{"text", "scores": {rule: p or None}, "flags": [...], "action", "reasons": {rule: [...]}}`.
A violation rule at or over its `reject` threshold rejects, at or over `review` flags for review;
a signal rule (share_with_us) is flagged at its review threshold but never changes the action.
Reasons are given for each flagged rule: the words that pushed its score up most.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.pipeline import Pipeline

from .classifiers import RuleClassifiers
from .fast import FastScorer
from .features import build_features
from .rules import Rule

REVIEW_PRECISION = 0.6
REJECT_PRECISION = 0.9
SCORE_DIGITS = 4


def build_pipeline(max_word_features: int | None = 200_000,
                   max_char_features: int | None = 300_000, C: float = 1.0) -> Pipeline:
    """The reference model: features, then one logistic regression per rule."""
    return Pipeline([
        ("features", build_features(max_word_features, max_char_features)),
        ("rules", RuleClassifiers(C=C)),
    ])


def fast_scorer_from(pipeline: Pipeline) -> FastScorer:
    union = pipeline.named_steps["features"]
    word, char = (union.transformer_list[i][1] for i in (0, 1))
    clf: RuleClassifiers = pipeline.named_steps["rules"]
    return FastScorer(word, char, clf.coef_, clf.intercept_, clf.scored_)


def threshold_for_precision(y: np.ndarray, p: np.ndarray, precision: float) -> float | None:
    """The lowest score at which precision on (y, p) reaches `precision`, or None if it never
    does."""
    prec, _, thresholds = precision_recall_curve(y, p)
    ok = np.flatnonzero(prec[:-1] >= precision)
    return float(thresholds[ok[0]]) if len(ok) else None


def rule_metrics(y: np.ndarray, p: np.ndarray, thresholds: dict | None) -> dict[str, Any]:
    """ROC AUC, average precision, and precision/recall at each threshold."""
    out: dict[str, Any] = {"positives": int(y.sum()), "negatives": int((y == 0).sum())}
    if 0 < y.sum() < len(y):
        out["roc_auc"] = round(float(roc_auc_score(y, p)), 4)
        out["average_precision"] = round(float(average_precision_score(y, p)), 4)
    for name, t in (thresholds or {}).items():
        if t is None:
            continue
        hit = p >= t
        out[f"precision@{name}"] = round(float(y[hit].mean()), 4) if hit.any() else None
        out[f"recall@{name}"] = round(float(hit[y == 1].mean()), 4) if y.sum() else None
    return out


@dataclass
class RulesModel:
    rules: list[Rule]
    scorer: FastScorer
    thresholds: dict[str, dict[str, float | None] | None]

    @property
    def rule_ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.scorer.predict_proba(texts)

    def verdicts(self, texts: list[str]) -> list[dict[str, Any]]:
        word, char, tokens = self.scorer.featurize(texts)
        proba = self.scorer._proba(self.scorer.decision(word, char))
        return [self._verdict(text, proba[i], word, char, tokens[i], i)
                for i, text in enumerate(texts)]

    def _verdict(self, text, proba, word, char, tokens, row) -> dict[str, Any]:
        scores: dict[str, float | None] = {}
        flags: list[str] = []
        reasons: dict[str, list[str]] = {}
        action = "approve"
        for j, rule in enumerate(self.rules):
            p = proba[j]
            if np.isnan(p):
                scores[rule.id] = None
                continue
            scores[rule.id] = round(float(p), SCORE_DIGITS)
            limits = self.thresholds.get(rule.id) or {}
            review, reject = limits.get("review"), limits.get("reject")
            if review is None or p < review:
                continue
            flags.append(rule.id)
            reasons[rule.id] = self.scorer.explain(word, char, tokens, row, j)
            if rule.kind == "violation":
                if reject is not None and p >= reject:
                    action = "reject"
                elif action == "approve":
                    action = "review"
        return {"text": text, "scores": scores, "flags": flags, "action": action,
                "reasons": reasons}


def train_rules(texts: list[str], targets: np.ndarray, rules: list[Rule],
                sample_weight: np.ndarray | None = None, *, validation_fraction: float = 0.1,
                seed: int = 0, review_precision: float = REVIEW_PRECISION,
                reject_precision: float = REJECT_PRECISION,
                pipeline: Pipeline | None = None) -> tuple[RulesModel, Pipeline, dict[str, Any]]:
    """Fit on all but a random `validation_fraction` of rows; choose thresholds on the rest.

    `targets` is (n_texts, n_rules) with 1, 0 or -1 (unknown). Returns the model, the fitted
    reference pipeline, and an info dict (thresholds and validation metrics per rule)."""
    rng = np.random.default_rng(seed)
    is_val = rng.random(len(texts)) < validation_fraction
    train_idx, val_idx = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    pipeline = pipeline or build_pipeline()
    weight = None if sample_weight is None else sample_weight[train_idx]
    pipeline.fit([texts[i] for i in train_idx], targets[train_idx], rules__sample_weight=weight)
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        vectorizer.stop_words_ = None  # only kept for introspection; large
    scorer = fast_scorer_from(pipeline)
    proba = scorer.predict_proba([texts[i] for i in val_idx])
    thresholds: dict[str, dict[str, float | None] | None] = {}
    metrics: dict[str, Any] = {}
    for j, rule in enumerate(rules):
        y = targets[val_idx, j]
        known = y >= 0
        if not scorer.scored[j] or known.sum() == 0:
            thresholds[rule.id] = None
            metrics[rule.id] = {"scored": False, "labelled_rows": int((targets[:, j] >= 0).sum())}
            continue
        y, p = y[known], proba[known, j]
        limits: dict[str, float | None] = {
            "review": threshold_for_precision(y, p, review_precision)}
        if rule.kind == "violation":
            reject = threshold_for_precision(y, p, reject_precision)
            if reject is not None and limits["review"] is not None:
                reject = max(reject, limits["review"])
            limits["reject"] = reject
        thresholds[rule.id] = limits
        metrics[rule.id] = {"scored": True, **rule_metrics(y, p, limits)}
    info = {
        "validation": {"fraction": validation_fraction, "seed": seed, "rows": int(len(val_idx)),
                       "review_precision": review_precision,
                       "reject_precision": reject_precision, "metrics": metrics},
        "training_rows": int(len(train_idx)),
        "n_features": scorer.n_features,
    }
    return RulesModel(rules, scorer, thresholds), pipeline, info
