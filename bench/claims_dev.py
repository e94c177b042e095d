"""Record of the claim model's choices (issue 16), on dev data only.

Trains on ClaimBuster's train part (grouped by debate block) and reports ROC AUC and average
precision on ClaimBuster's dev part and on our labelled dev comment sentences (C3 training
articles, data/claims/dev_sentences.tsv). Neither ClaimBuster's test part nor our eval
sentences are read. Variants: the logistic regression's C, and weak negatives from C3
sentences (questions, opinion and advice without a digit) drawn from training articles; our 600
labelled comment sentences of other training articles (data/claims/train_sentences.tsv: the
first 600, then all 1,200) at several weights.

    python bench/claims_dev.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from moderation.claims import ClaimModel
from moderation.claims_train import CLAIM_FEATURES
from moderation.loaders.claims import c3_sentences, load_claimbuster, load_labelled
from moderation.rule_model import build_pipeline, fast_scorer_from
from moderation.settings import data_dir

OPINION = ("i think", "i feel", "i hope", "i wish", "i agree", "i disagree", "i love",
           "i hate", "in my opinion", "imo", "imho", "should", "must", "need to", "let's",
           "please", "lol", "good luck", "well said", "thank you", "thanks")


def weak_negative(sentence: str, kind: str) -> bool:
    low = sentence.lower()
    if any(ch.isdigit() for ch in sentence):
        return False
    question = sentence.rstrip().endswith("?")
    opinion = any(marker in low for marker in OPINION)
    return {"questions": question, "opinion": opinion and not question,
            "both": question or opinion}[kind]


def fit(texts: list[str], y: np.ndarray, C: float, weight: np.ndarray | None = None
        ) -> ClaimModel:
    pipeline = build_pipeline(CLAIM_FEATURES, C=C)
    pipeline.fit(texts, y.reshape(-1, 1), rules__sample_weight=weight)
    return ClaimModel(fast_scorer_from(pipeline))


def main() -> None:
    root = Path(data_dir(sys.argv[1] if len(sys.argv) > 1 else None))
    cb = load_claimbuster(root)
    train = [r for r in cb if r.split == "train"]
    dev = [r for r in cb if r.split == "dev"]
    comments = load_labelled(root, "dev")
    labelled = {c.text for c in comments}
    pool = [s for _, _, s in c3_sentences(root, "dev") if s not in labelled]
    print(f"ClaimBuster train {len(train)}, dev {len(dev)}; comment dev {len(comments)} "
          f"({sum(c.claim for c in comments)} claims)")
    ours = load_labelled(root, "train")
    print(f"our labelled training comment sentences {len(ours)} ({sum(c.claim for c in ours)} "
          "claims)")
    print("| variant | ClaimBuster dev AUC / AP | comment dev AUC / AP |")
    print("|---|---|---|")
    variants = [("C=1", 1.0, None, 0), ("C=3", 3.0, None, 0), ("C=0.3", 0.3, None, 0),
                ("C=1 + C3 questions as 0", 1.0, "questions", 0),
                ("C=1 + C3 opinion and advice as 0", 1.0, "opinion", 0),
                ("C=1 + both", 1.0, "both", 0),
                ("C=3 + our first 600 labelled comment sentences", 3.0, None, 1, 600),
                ("C=3 + the first 600 weighted 3x", 3.0, None, 3, 600),
                ("C=3 + the first 600 weighted 10x", 3.0, None, 10, 600),
                ("C=1 + the first 600 weighted 3x", 1.0, None, 3, 600),
                ("C=3 + all 1,200", 3.0, None, 1, 1200),
                ("C=3 + all 1,200 weighted 2x", 3.0, None, 2, 1200),
                ("C=3 + all 1,200 weighted 3x", 3.0, None, 3, 1200)]
    for name, C, extra, weight, *n_ours in variants:
        texts = [r.text for r in train]
        y = [r.claim for r in train]
        w = [1.0] * len(texts)
        if weight:
            some = ours[:n_ours[0]]
            texts += [c.text for c in some]
            y += [c.claim for c in some]
            w += [float(weight)] * len(some)
        if extra:
            negatives = [s for s in pool if weak_negative(s, extra)]
            texts += negatives
            y += [0] * len(negatives)
            w += [1.0] * len(negatives)
            name += f" ({len(negatives):,} sentences)"
        model = fit(texts, np.array(y), C, np.array(w))
        row = [name]
        for rows in (dev, comments):
            gold = np.array([r.claim for r in rows])
            p = model.scorer.predict_proba([r.text for r in rows])[:, 0]
            row.append(f"{roc_auc_score(gold, p):.3f} / {average_precision_score(gold, p):.3f}")
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
