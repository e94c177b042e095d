"""Why a comment got its scores: every n-gram's contribution to every rule.

A rule's score is the logistic of a decision value, and the decision value of a linear model is
exact arithmetic: the intercept plus, for each word or character n-gram in the comment, its
tf-idf value times the rule's weight for it. `explain_text` lists those terms, largest first,
with the thresholds the score is compared with; they add up to the decision value (a test holds
them to it), so nothing here is an approximation. The verdicts' short `reasons` are the same
weights gathered per word (a word's own feature plus its character n-grams).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .normalize import GROUP_TOKEN, SLUR_TOKEN, surface_words
from .rule_model import RulesModel, _without_words


def explain_text(model: RulesModel, text: str, top: int | None = 15) -> dict[str, Any]:
    """{"text", "action", "flags", "rules": {rule_id: {"score", "decision", "intercept",
    "review", "reject", "flagged", "contributions": [{"ngram", "kind", "weight"}], "rest"}}}.

    `contributions` are the `top` largest by absolute weight (all with None); `rest` is the sum
    of the others, so that intercept + contributions + rest = decision."""
    verdict = model.verdicts([text], reasons=False)[0]
    scorer = model.scorer
    out: dict[str, Any] = {"text": text, "action": verdict["action"], "flags": verdict["flags"],
                           "rules": {}}
    # the model reads every group name as one token and every slur as another: say which
    # words of this comment those tokens stand for
    legend = {token: words for token in (GROUP_TOKEN, SLUR_TOKEN)
              if (words := surface_words(text, token, limit=10))}
    if legend:
        out["stand_ins"] = legend
    if _without_words([text])[0]:
        out["note"] = "no word of two or more characters: not scored"
        return out
    word, char = scorer.tfidf([text])
    columns = np.concatenate([word.indices, char.indices + scorer.n_word])
    values = np.concatenate([word.data, char.data])
    names = ([scorer.word_terms[j] for j in word.indices.tolist()]
             + [scorer.char_terms[j] for j in char.indices.tolist()])
    kinds = ["word"] * len(word.indices) + ["char"] * len(char.indices)
    for j, rule in enumerate(model.rules):
        if not scorer.scored[j]:
            out["rules"][rule.id] = {"score": None, "scored": False}
            continue
        weights = values * scorer.coef[columns, j]
        order = np.argsort(-np.abs(weights), kind="stable")
        shown = order if top is None else order[:top]
        intercept = float(scorer.intercept[j])
        decision = intercept + float(weights.sum())
        limits = model.thresholds.get(rule.id) or {}
        out["rules"][rule.id] = {
            "score": float(1.0 / (1.0 + np.exp(-decision))),
            "scored": True,
            "decision": decision,
            "intercept": intercept,
            "review": limits.get("review"),
            "reject": limits.get("reject"),
            "flagged": rule.id in verdict["flags"],
            "contributions": [{"ngram": names[k], "kind": kinds[k], "weight": float(weights[k])}
                              for k in shown.tolist()],
            "rest": float(weights[order[len(shown):]].sum()),
        }
    return out
