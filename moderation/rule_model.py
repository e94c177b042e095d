"""Training the rules model, and the object that turns texts into verdicts.

Training path: corpus rows -> `build_pipeline(spec)` (the reference: the FeatureUnion of word
and char_wb TF-IDF that a moderation.features.FeatureSpec describes, then RuleClassifiers, one
logistic regression per rule fitted on the rows labelled for it) fitted on 90% of the rows ->
per-rule thresholds chosen on the other 10% (review: a stated recall; reject: a stated
precision at the rule's prevalence in rules.toml; see REVIEW_RECALL below) -> a `RulesModel`
that keeps the rules, the thresholds and a `FastScorer` made from the fitted pipeline (the
pipeline itself is not saved: the fast scorer computes the same scores). The saved state
records the feature specification; a model without one, or with one the fast scorer does not
implement, is refused on load.

Scoring path: `RulesModel.verdicts(texts)` -> one dict per text:
`{"text", "scores": {rule: p or None}, "flags": [...], "action", "reasons": {rule: [...]}}`.
A violation rule at or over its `reject` threshold rejects, at or over `review` flags for review;
a signal rule (share_with_us, be_truthful) is flagged at its review threshold and never
rejects; it sends the comment to review only when the rules file says `on_flag = "review"`.
Reasons are given for each flagged rule: the words that pushed its score up most, or for a rule
the claim model scores (moderation.claims), the sentence that states the claim and whom it is
about.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve
from sklearn.pipeline import Pipeline

from .claims import ClaimModel, claim_reasons
from .classifiers import RuleClassifiers
from .fast import FastScorer
from .features import FEATURES, FeatureSpec, build_features
from .normalize import GROUP_TOKEN, SLUR_TOKEN, stand_ins, surface_words, tokenize
from .progress import stage
from .review_budget import review_rate_thresholds
from .rules import Rule

# Default operating points. A violation goes to review at the score that catches REVIEW_RECALL
# of breaches in validation (recall needs no assumption about how common breaches are), and is
# rejected only at the score whose precision, at the rule's stated prevalence, reaches
# REJECT_PRECISION. A signal rule is flagged at SIGNAL_PRECISION at its prevalence.
REVIEW_RECALL = 0.8
REJECT_PRECISION = 0.9
# With acceptable real comments to calibrate on (C3 calibration articles, crowd_toxicity_level
# < 2), review thresholds are chosen instead so that at most REVIEW_RATE of them leave approve
# (rules.toml `review_rate`, `moderate train --max-review-rate`).
REVIEW_RATE = 0.05
# A review flag should be right at least this often at the rule's stated prevalence
# (validation rows); below that a rule only fills the queue. It binds for dont_threaten, whose
# breaches are rare (prevalence 0.003): its rate-budget threshold was right one time in 17.
REVIEW_PRECISION_FLOOR = 0.1
SIGNAL_PRECISION = 0.5
SCORE_DIGITS = 4
# Inverse regularisation per rule where 1.0 is not best (dev-split AUC, see corpus.py): the
# threat rule has few positives and gains from a weaker penalty (0.936 -> 0.944).
RULE_C = {"dont_threaten": 3.0}


def _as_written(text: str, names: list[str]) -> list[str]:
    """Reasons with each stand-in token (any group name, any slur) shown as the text has it."""
    if GROUP_TOKEN not in names and SLUR_TOKEN not in names:
        return names
    out: list[str] = []
    for name in names:
        words = surface_words(text, name) if name in (GROUP_TOKEN, SLUR_TOKEN) else [name]
        out.extend(w for w in words or [name] if w not in out)
    return out


def build_pipeline(spec: FeatureSpec = FEATURES, C: float | tuple[float, ...] = 1.0
                   ) -> Pipeline:
    """The reference model: the features `spec` describes, then one logistic regression per
    rule."""
    return Pipeline([
        ("features", build_features(spec)),
        ("rules", RuleClassifiers(C=C)),
    ])


def fast_scorer_from(pipeline: Pipeline) -> FastScorer:
    """The fast scorer of a fitted `build_pipeline` pipeline."""
    clf: RuleClassifiers = pipeline.named_steps["rules"]
    return FastScorer.from_fitted(pipeline.named_steps["features"], clf.coef_, clf.intercept_,
                                  clf.scored_)


def precision_at(tpr: np.ndarray, fpr: np.ndarray, prevalence: float) -> np.ndarray:
    """Precision a site with this prevalence would see, given the true and false positive rates."""
    hits = prevalence * tpr
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(hits + fpr > 0, hits / (hits + (1 - prevalence) * fpr), 1.0)


def threshold_for_precision(y: np.ndarray, p: np.ndarray, precision: float,
                            prevalence: float | None = None) -> float | None:
    """The lowest score whose precision reaches `precision`, or None if none does.

    Precision is read at `prevalence` when given (true and false positive rates are properties
    of the model; precision also depends on how common breaches are), else at y's own rate."""
    if prevalence is None:
        prevalence = float(np.mean(y))
    fpr, tpr, thresholds = roc_curve(y, p, drop_intermediate=False)
    ok = np.flatnonzero(precision_at(tpr, fpr, prevalence)[1:] >= precision) + 1
    return float(thresholds[ok[-1]]) if len(ok) else None


def threshold_for_recall(y: np.ndarray, p: np.ndarray, recall: float) -> float | None:
    """The highest score at or over which `recall` of the positives in (y, p) lie."""
    positives = np.sort(p[y == 1])[::-1]
    if not len(positives):
        return None
    return float(positives[max(int(np.ceil(recall * len(positives))) - 1, 0)])


def rule_metrics(y: np.ndarray, p: np.ndarray, thresholds: dict | None,
                 prevalence: float | None = None) -> dict[str, Any]:
    """ROC AUC, average precision, and precision/recall at each threshold (and the precision
    expected at `prevalence`, when given)."""
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
        if prevalence is not None and y.sum() and (y == 0).sum():
            tpr, fpr = hit[y == 1].mean(), hit[y == 0].mean()
            expected = precision_at(np.array([tpr]), np.array([fpr]), prevalence)[0]
            out[f"precision@{name}@prevalence"] = round(float(expected), 4)
    return out


# Under this many characters a text may be words-free ("a", "?", ":)"); checked by tokenising.
_SHORT_TEXT = 64


def _without_words(texts: list[str]) -> np.ndarray:
    """True for each text with no token of two or more characters. Such a text carries no
    evidence: its one short token alone fills the L2-normalised tf-idf row, so its score says
    only how that letter was used in training (`a` scored 0.89 toxic). It is not scored."""
    out = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        if len(text) < _SHORT_TEXT and all(len(token) < 2 for token in tokenize(text)):
            out[i] = True
    return out


@dataclass
class RulesModel:
    rules: list[Rule]
    scorer: FastScorer
    thresholds: dict[str, dict[str, float | None] | None]
    claims: ClaimModel | None = None  # scores the rules with scored_by = "claims"

    @property
    def rule_ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    def attach_claims(self, claims: ClaimModel, threshold: float | None) -> None:
        """Score the rules with scored_by = "claims" by `claims`, flagged at `threshold`."""
        self.claims = claims
        for rule in self.rules:
            if rule.scored_by == "claims":
                self.thresholds[rule.id] = {"review": threshold}
        self.__dict__.pop("_limits", None)  # the cached threshold arrays are stale now
        self.__dict__.pop("_explain", None)

    @property
    def claim_columns(self) -> list[int]:
        """Columns of the rules the claim model scores (none when there is no claim model:
        they are then reported as not scored)."""
        if self.claims is None:
            return []
        return [j for j, rule in enumerate(self.rules) if rule.scored_by == "claims"]

    @property
    def scored(self) -> np.ndarray:
        """Per rule, whether it is scored: by the rules model's own weights or by the claim
        model."""
        scored = self.scorer.scored.copy()
        scored[self.claim_columns] = True
        return scored

    def to_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(arrays, JSON metadata) that `from_state` rebuilds this model from."""
        meta = {"rules": [asdict(rule) for rule in self.rules], "thresholds": self.thresholds,
                "stand_ins": stand_ins(), "features": self.scorer.spec.to_json()}
        arrays = self.scorer.to_arrays()
        if self.claims is not None:
            meta["claims"] = self.claims.to_meta()
            arrays.update(self.claims.to_arrays())
        return arrays, meta

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> RulesModel:
        """Rebuild a model saved by `to_state`; ValueError names what is malformed."""
        saved = meta.get("stand_ins", {"group_terms": False, "slurs": False})
        if saved != stand_ins():
            raise ValueError(f"the model reads text with stand-ins {saved}, this version with "
                             f"{stand_ins()}: retrain it")
        if "features" not in meta:
            raise ValueError("it records no feature specification (saved by an earlier "
                             "version): retrain it with `moderate train`")
        scorer = FastScorer.from_arrays(arrays, FeatureSpec.from_json(meta["features"]))
        claims = ClaimModel.from_state(arrays, meta["claims"]) if "claims" in meta else None
        try:
            rules = [Rule(**{**entry, "labels": tuple(entry.get("labels", ()))})
                     for entry in meta["rules"]]
            thresholds = {rule.id: _thresholds_of(meta["thresholds"].get(rule.id))
                          for rule in rules}
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"rules metadata is malformed: {exc!r}") from exc
        if len(rules) != len(scorer.intercept):
            raise ValueError(f"{len(rules)} rules but weights for {len(scorer.intercept)}")
        return cls(rules, scorer, thresholds, claims)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        proba = self.scorer.predict_proba(texts)
        self._claim_scores(texts, proba)
        return proba

    def _claim_scores(self, texts: list[str], proba: np.ndarray
                      ) -> list[tuple[int, int] | None]:
        """Writes the claim model's scores into `proba`'s claim columns; returns each text's
        highest-scoring sentence span (all None without claim columns)."""
        columns = self.claim_columns
        if not columns or self.claims is None:
            return [None] * len(texts)
        best, spans = self.claims.sentence_scores(texts)
        proba[:, columns] = best[:, None]
        return spans

    def verdicts(self, texts: list[str], reasons: bool = True) -> list[dict[str, Any]]:
        """One verdict per text; `reasons=False` skips the explanations (about a quarter of
        the cost) and returns `"reasons": {}`. Thresholds apply to the whole batch at once."""
        review, reject, violation, sends_to_review = self._limit_arrays()
        batch = self.scorer.score(texts, self._explain_from() if reasons else None)
        proba = self.scorer.proba(batch)
        claim_spans = self._claim_scores(texts, proba)
        blank = _without_words(texts)
        if blank.any():
            proba[blank] = np.nan
        with np.errstate(invalid="ignore"):  # NaN (unscored) compares False
            flagged = proba >= review
            rejected = (flagged & (proba >= reject) & violation).any(axis=1)
            reviewed = (flagged & sends_to_review).any(axis=1)
        action = np.where(rejected, "reject", np.where(reviewed, "review", "approve")).tolist()
        ids = self.rule_ids
        scored = self.scored.tolist()
        rounded = np.round(proba, SCORE_DIGITS).tolist()
        flag_rows, flag_cols = np.nonzero(flagged)
        flags: list[list[str]] = [[] for _ in texts]
        explained: list[dict[str, list[str]]] = [{} for _ in texts]
        row_list, col_list = flag_rows.tolist(), flag_cols.tolist()
        for i, j in zip(row_list, col_list, strict=True):
            flags[i].append(ids[j])
        if reasons and row_list:
            by_claims = np.isin(flag_cols, self.claim_columns)
            words = ~by_claims
            found = self.scorer.reasons(batch, flag_rows[words], flag_cols[words])
            for i, j, names in zip(flag_rows[words].tolist(), flag_cols[words].tolist(), found,
                                   strict=True):
                explained[i][ids[j]] = _as_written(texts[i], names)
            for i, j in zip(flag_rows[by_claims].tolist(), flag_cols[by_claims].tolist(),
                            strict=True):
                explained[i][ids[j]] = claim_reasons(texts[i], claim_spans[i])
            if by_claims.any():  # reasons in the rules' order, as the flags are
                explained = [{rule: found_for[rule] for rule in flags[i] if rule in found_for}
                             for i, found_for in enumerate(explained)]
        out: list[dict[str, Any]] = []
        for i, text in enumerate(texts):
            row = rounded[i]
            # NaN (a rule with nothing to score here: a claim rule on a text without a
            # sentence, "!!") is null, as for an unscored rule: JSON has no NaN
            scores = ({rid: row[j] if scored[j] and row[j] == row[j] else None
                       for j, rid in enumerate(ids)} if not blank[i] else dict.fromkeys(ids))
            out.append({"text": text, "scores": scores, "flags": flags[i], "action": action[i],
                        "reasons": explained[i]})
        return out

    def _explain_from(self) -> np.ndarray:
        """Per rule, a decision value just under its review threshold: reasons are worked out
        with the scores for every text at or over it (a flagged text always is; one that is
        not flagged at the boundary is only wasted work)."""
        cached = self.__dict__.get("_explain")
        if cached is None:
            review = self._limit_arrays()[0]
            with np.errstate(divide="ignore", invalid="ignore"):
                logit = np.log(review) - np.log1p(-review)
            cached = np.where(np.isfinite(review), logit - 1e-6, np.inf)
            cached[self.claim_columns] = np.inf  # the claim model gives its own reasons
            self.__dict__["_explain"] = cached
        return cached

    def _limit_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(review, reject, is-violation, a flag sends to review) per rule; a missing
        threshold is +inf (never met)."""
        cached = self.__dict__.get("_limits")
        if cached is None:
            def limit(rule: Rule, name: str) -> float:
                value = (self.thresholds.get(rule.id) or {}).get(name)
                return np.inf if value is None else value

            cached = (np.array([limit(r, "review") for r in self.rules]),
                      np.array([limit(r, "reject") for r in self.rules]),
                      np.array([r.kind == "violation" for r in self.rules]),
                      np.array([r.kind == "violation" or r.on_flag == "review"
                                for r in self.rules]))
            self.__dict__["_limits"] = cached
        return cached


def _thresholds_of(entry: Any) -> dict[str, float | None] | None:
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise TypeError(f"thresholds {entry!r} are not a mapping")
    out: dict[str, float | None] = {}
    for name, value in entry.items():
        if value is not None and not isinstance(value, int | float):
            raise TypeError(f"threshold {name} = {value!r} is not a number")
        out[str(name)] = None if value is None else float(value)
    return out


def train_rules(texts: list[str], targets: np.ndarray, rules: list[Rule],
                sample_weight: np.ndarray | None = None, *, validation_fraction: float = 0.1,
                seed: int = 0, review_recall: float = REVIEW_RECALL,
                reject_precision: float = REJECT_PRECISION,
                pipeline: Pipeline | None = None, calibration_texts: list[str] | None = None,
                calibration_groups: list[str] | None = None, review_rate: float = REVIEW_RATE
                ) -> tuple[RulesModel, Pipeline, dict[str, Any]]:
    """Fit on all but a random `validation_fraction` of rows; choose thresholds on the rest.

    `targets` is (n_texts, n_rules) with 1, 0 or -1 (unknown). Review thresholds of violation
    rules come from `calibration_texts` when given (acceptable real comments never trained on:
    at most `review_rate` of them leave approve, see `review_rate_thresholds`), else from
    `review_recall` on the validation rows. Returns the model, the fitted reference pipeline,
    and an info dict (thresholds and validation metrics per rule)."""
    # Each row's side is a hash of its text and the seed, not of its position: adding or
    # dropping two rows elsewhere reshuffled a tenth of the split and moved the thresholds of
    # rare rules (dont_threaten's review threshold went from 0.016 to 0.038).
    is_val = np.fromiter((zlib.crc32(f"{seed}:{text}".encode("utf-8", "surrogatepass"))
                          / 0xFFFFFFFF < validation_fraction for text in texts),
                         dtype=bool, count=len(texts))
    train_idx, val_idx = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    pipeline = pipeline or build_pipeline(C=tuple(RULE_C.get(r.id, 1.0) for r in rules))
    weight = None if sample_weight is None else sample_weight[train_idx]
    with stage(f"rules: fitting word and character features and {len(rules)} models on "
               f"{len(train_idx):,} rows"):
        pipeline.fit([texts[i] for i in train_idx], targets[train_idx],
                     rules__sample_weight=weight)
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        vectorizer.stop_words_ = None  # only kept for introspection; large
    scorer = fast_scorer_from(pipeline)
    with stage("rules: scoring the validation rows"):
        proba = scorer.predict_proba([texts[i] for i in val_idx])
    thresholds: dict[str, dict[str, float | None] | None] = {}
    metrics: dict[str, Any] = {}
    by_rate: dict[str, float] = {}
    calibration: dict[str, Any] | None = None
    if calibration_texts:
        columns = [j for j, r in enumerate(rules) if r.kind == "violation" and scorer.scored[j]]
        floors = []
        for j in columns:
            y = targets[val_idx, j]
            known = y >= 0
            t = None
            if 0 < (y[known] == 1).sum() < known.sum():  # both classes in validation
                t = threshold_for_precision(y[known], proba[known, j],
                                            REVIEW_PRECISION_FLOOR, rules[j].prevalence)
            floors.append(-np.inf if t is None else t)
        found, calibration = review_rate_thresholds(
            scorer.predict_proba(calibration_texts)[:, columns], review_rate,
            positives=[proba[targets[val_idx, j] == 1, j] for j in columns],
            groups=None if calibration_groups is None else np.array(calibration_groups),
            floors=np.array(floors))
        calibration["floors"] = [round(float(f), 4) if np.isfinite(f) else None for f in floors]
        by_rate = {rules[j].id: float(t) for j, t in zip(columns, found, strict=True)}
        calibration["rules"] = [rules[j].id for j in columns]
    for j, rule in enumerate(rules):
        y = targets[val_idx, j]
        known = y >= 0
        if not scorer.scored[j] or known.sum() == 0:
            thresholds[rule.id] = None
            metrics[rule.id] = {"scored": False, "labelled_rows": int((targets[:, j] >= 0).sum())}
            continue
        y, p = y[known], proba[known, j]
        if rule.kind == "signal":
            limits: dict[str, float | None] = {
                "review": threshold_for_precision(y, p, SIGNAL_PRECISION, rule.prevalence)}
        else:
            limits = {"review": by_rate.get(rule.id, threshold_for_recall(y, p, review_recall))}
            reject = threshold_for_precision(y, p, reject_precision, rule.prevalence)
            if reject is not None and limits["review"] is not None:
                reject = max(reject, limits["review"])
            limits["reject"] = reject
        thresholds[rule.id] = limits
        metrics[rule.id] = {"scored": True, "prevalence": rule.prevalence,
                            **rule_metrics(y, p, limits, rule.prevalence)}
    info = {
        "validation": {"fraction": validation_fraction, "seed": seed, "rows": int(len(val_idx)),
                       "review_recall": review_recall, "reject_precision": reject_precision,
                       "signal_precision": SIGNAL_PRECISION, "metrics": metrics},
        "calibration": calibration,
        "training_rows": int(len(train_idx)),
        "n_features": scorer.n_features,
    }
    return RulesModel(rules, scorer, thresholds), pipeline, info
