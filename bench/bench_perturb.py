"""Evasion rewrites on the official Jigsaw test rows: our rules model beside alt-profanity-check.

Usage: python bench/bench_perturb.py [--model-dir DIR] [--data-dir DIR] [--seed 0]

Each rewrite of moderation.perturb (leetspeak, masking, spaced letters, repeated letters,
punctuation inside words, look-alike letters, invisible characters, case, removed spaces,
appended friendly words) is applied, separately, to every one of the 1,200 official test rows.
Printed: one markdown table, per rule and rewrite, ROC AUC, its drop from the clean figure and
recall at the saved review threshold, ours beside alt-profanity-check's `predict_prob` (one
score for every rule; its recall is at 0.5, the threshold of its `predict`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from moderation import settings
from moderation.hook import Moderator
from moderation.perturb import (
    evaluate_perturbations,
    jigsaw_test_rows,
    review_thresholds,
    rules_scorer,
)


def profanity_check_scorer(rules: list[str]):
    from profanity_check import predict_prob

    def score(texts: list[str]) -> dict[str, np.ndarray]:
        p = np.asarray(predict_prob(texts), dtype=float)
        return {rule: p for rule in rules}
    return score


def _fmt(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value + 0.0:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    texts, labels = jigsaw_test_rows(settings.data_dir(args.data_dir))
    model = Moderator.load(args.model_dir).model
    ours = evaluate_perturbations(rules_scorer(model), texts, labels, review_thresholds(model),
                                  args.seed)
    try:
        theirs = evaluate_perturbations(profanity_check_scorer(list(labels)), texts, labels,
                                        dict.fromkeys(labels, 0.5), args.seed)
    except ImportError:
        theirs = []
    other = {(r["rule"], r["rewrite"]): r for r in theirs}
    print(f"Official Jigsaw test rows: {len(texts)}; seed {args.seed}\n")
    print("| rule | rewrite | ours AUC | ours drop | ours recall@review | apc AUC | apc drop "
          "| apc recall@0.5 |")
    print("|---|---|---|---|---|---|---|---|")
    for row in ours:
        o = other.get((row["rule"], row["rewrite"]), {})
        print(f"| {row['rule']} | {row['rewrite']} | {_fmt(row['roc_auc'])} | "
              f"{_fmt(row['drop'], 4)} | {_fmt(row['recall@review'])} | {_fmt(o.get('roc_auc'))} | "
              f"{_fmt(o.get('drop'), 4)} | {_fmt(o.get('recall@review'))} |")


if __name__ == "__main__":
    main()
