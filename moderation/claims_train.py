"""Training the claim model of the be_truthful signal (moderation.claims).

ClaimBuster's train and dev parts (grouped by debate block; its test part is never trained
on) and our 1,200 labelled comment sentences (data/claims/train_sentences.tsv, C3 training
articles without a dev sentence; left out when C3 is not in the data directory) -> the rules
model's reference pipeline with one column (word + char_wb TF-IDF, logistic
regression, C=CLAIM_C) -> a FastScorer. The flag threshold is chosen on our labelled dev
comment sentences (C3 training articles, data/claims/dev_sentences.tsv, never trained on): the
lowest score whose precision there reaches CLAIM_PRECISION. Without those (no C3 in the data
directory) the rule is scored but has no threshold, so it never flags.

Choices, from `python bench/claims_dev.py` (ClaimBuster dev / comment dev ROC AUC, trained on
ClaimBuster train): C=1 0.937 / 0.804, **C=3 0.939 / 0.806**, C=0.3 0.930 / 0.790; C3
questions, or opinion and advice sentences without a digit, as extra negatives lowered both
(0.932 / 0.791 and 0.933 / 0.787); cue words for capitalised names, numbers, titles and
pronouns appended to each sentence did not help either (0.937 / 0.805 at best). **Our 600
labelled comment sentences added at weight 1: 0.941 / 0.818** (3x 0.941 / 0.818 with a lower
average precision, 10x 0.938 / 0.818). With those, other features were no better (ClaimBuster
dev / comment dev AUC; default 0.941 / 0.818): min_df=1 0.942 / 0.811, char 3-5 0.939 / 0.811,
char 1-4 0.941 / 0.819, 5,000 char n-grams 0.941 / 0.818, word unigrams 0.934 / 0.803, C=10
0.939 / 0.815. **All 1,200 labelled comment sentences** (600 more, labelled after those
runs): 0.943 / 0.829 at weight 1 (2x 0.943 / 0.832, 3x 0.942 / 0.833: within the noise of 220
dev sentences, so weight 1); trained on those 1,200 alone, comment dev 0.801.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from .claims import ClaimModel
from .errors import DataFormatError, DataSourceError
from .features import FeatureSpec
from .loaders.claims import load_claimbuster, load_labelled
from .progress import stage

CLAIM_C = 3.0
# The claim model keeps word n-grams of function words alone ("there were", "it was"): its
# choices above were measured with them.
CLAIM_FEATURES = FeatureSpec(drop_function_ngrams=False)
# Precision on the dev comment sentences the flag threshold is chosen for; 0.65 rather than
# the 0.6 the issue asks of held-out comments, for a margin (220 dev sentences, 56 claims).
CLAIM_PRECISION = 0.65


def train_claim_model(data_dir: Path) -> tuple[ClaimModel, float | None, dict[str, Any]]:
    """(model, flag threshold or None, info). Raises DataSourceError without ClaimBuster."""
    from .rule_model import build_pipeline, fast_scorer_from, threshold_for_precision

    rows = [r for r in load_claimbuster(data_dir) if r.split in ("train", "dev")]
    debate = len(rows)
    try:
        rows += load_labelled(data_dir, "train")
    except (DataSourceError, DataFormatError, OSError):
        pass
    with stage(f"claims: fitting on {debate:,} ClaimBuster and {len(rows) - debate} comment "
               "sentences"):
        pipeline = build_pipeline(CLAIM_FEATURES, C=CLAIM_C)
        pipeline.fit([r.text for r in rows], np.array([[r.claim] for r in rows]))
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        vectorizer.stop_words_ = None
    model = ClaimModel(fast_scorer_from(pipeline))
    info: dict[str, Any] = {"training_sentences": {"claimbuster": debate,
                                                   "comments": len(rows) - debate},
                            "C": CLAIM_C,
                            "precision_target": CLAIM_PRECISION}
    try:
        dev = load_labelled(data_dir, "dev")
    except (DataSourceError, DataFormatError, OSError) as exc:
        info["threshold"] = f"none: no labelled dev comment sentences ({exc})"
        return model, None, info
    y = np.array([s.claim for s in dev])
    p = model.scorer.predict_proba([s.text for s in dev])[:, 0]
    threshold = threshold_for_precision(y, p, CLAIM_PRECISION)
    flagged = p >= threshold if threshold is not None else np.zeros(len(p), dtype=bool)
    info["dev_comment_sentences"] = {
        "rows": len(dev), "claims": int(y.sum()), "roc_auc": round(roc_auc_score(y, p), 4),
        "precision": round(float(y[flagged].mean()), 4) if flagged.any() else None,
        "recall": round(float((y & flagged).sum() / y.sum()), 4)}
    return model, threshold, info
