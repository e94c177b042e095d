"""Held-out figures of the be_truthful signal (part of `moderate evaluate`).

- ClaimBuster's test part (debate blocks never trained on): ROC AUC and the rest of
  `rule_metrics` at the saved threshold, each sentence scored as a comment of its own;
- our labelled comment sentences from C3's held-out articles (data/claims/eval_sentences.tsv,
  evaluation only): the same, and how often the `about:` reason is right (its precision and
  recall against `about_person` on the sentences labelled claims);
- the share of C3 held-out acceptable comments the signal tags (a moderator's extra reading).
Each sentence goes through the scoring path a comment does (RulesModel.predict_proba), so what
is measured is what a site gets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .claims import about
from .errors import DataFormatError, DataSourceError
from .loaders.claims import load_claimbuster, load_labelled
from .rule_model import RulesModel, rule_metrics


def evaluate_claims(model: RulesModel, data_dir: Path,
                    keep: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Rows in the shape of `evaluate_rules`' rows, one per claim rule and set; with `keep`,
    each cell's texts, gold and scores are appended to it (for the report's curves and
    most confident errors)."""
    columns = model.claim_columns
    if not columns:
        return []
    rows: list[dict[str, Any]] = []
    sets: list[tuple[str, str, list]] = []
    try:
        sets.append(("ClaimBuster test", "check-worthy",
                     [s for s in load_claimbuster(data_dir) if s.split == "test"]))
    except DataSourceError:
        pass
    try:
        sets.append(("C3 comment sentences (ours)", "claim of fact",
                     load_labelled(data_dir, "eval")))
    except (DataSourceError, DataFormatError, OSError):
        pass
    for name, gold, sentences in sets:
        proba = model.predict_proba([s.text for s in sentences])
        y = np.array([s.claim for s in sentences])
        for j in columns:
            rule = model.rules[j]
            row = {"data": name, "rule": rule.id, "gold": gold,
                   **rule_metrics(y, proba[:, j], model.thresholds.get(rule.id), None)}
            if keep is not None:
                keep.append({"data": name, "rule": rule.id, "gold": gold,
                             "texts": [s.text for s in sentences], "y": y, "p": proba[:, j]})
            if any(s.about_person is not None for s in sentences):
                row["about"] = about_figures(sentences)
            rows.append(row)
    return rows


def about_figures(sentences: list) -> dict[str, Any]:
    """Precision and recall of the `about:` reason against `about_person`, on claims."""
    labelled = [s for s in sentences if s.claim == 1 and s.about_person is not None]
    gold = np.array([s.about_person for s in labelled], dtype=bool)
    said = np.array([about(s.text) is not None for s in labelled], dtype=bool)
    return {"claims": len(labelled), "about_person": int(gold.sum()),
            "precision": round(float(gold[said].mean()), 4) if said.any() else None,
            "recall": round(float(said[gold].mean()), 4) if gold.any() else None}
