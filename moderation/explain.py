"""Why a comment got its scores: every n-gram's contribution to every rule.

A rule's score is the logistic of a decision value, and the decision value of a linear model is
exact arithmetic: the intercept plus, for each word or character n-gram in the comment, its
tf-idf value times the rule's weight for it. `explain_text` lists those terms, largest first,
with the thresholds the score is compared with; they add up to the decision value (a test holds
them to it), so nothing here is an approximation. The verdicts' short `reasons` are the same
weights gathered per word (a word's own feature plus its character n-grams). A rule the claim
model scores (be_truthful) is explained on the comment's highest-scoring sentence, which it
names, with the claim model's own weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .fast import FastScorer
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
    claim_columns = model.claim_columns
    for j, rule in enumerate(model.rules):
        limits = model.thresholds.get(rule.id) or {}
        if j in claim_columns and model.claims is not None:
            _, spans = model.claims.sentence_scores([text])
            if spans[0] is None:
                out["rules"][rule.id] = {"score": None, "scored": False}
                continue
            sentence = text[spans[0][0]:spans[0][1]]
            entry = _contributions(model.claims.scorer, 0, sentence, top)
            out["rules"][rule.id] = {**entry, "review": limits.get("review"),
                                     "reject": limits.get("reject"),
                                     "flagged": rule.id in verdict["flags"],
                                     "sentence": sentence}
            continue
        if not scorer.scored[j]:
            out["rules"][rule.id] = {"score": None, "scored": False}
            continue
        out["rules"][rule.id] = {**_contributions(scorer, j, text, top),
                                 "review": limits.get("review"), "reject": limits.get("reject"),
                                 "flagged": rule.id in verdict["flags"]}
    return out


def _contributions(scorer: FastScorer, j: int, text: str, top: int | None) -> dict[str, Any]:
    """Column `j`'s score of `text` as intercept + the tf-idf value times weight of each
    n-gram (the `top` largest by absolute weight listed, the others summed in `rest`)."""
    word, char = scorer.tfidf([text])
    columns = np.concatenate([word.indices, char.indices + scorer.n_word])
    values = np.concatenate([word.data, char.data])
    names = ([scorer.word_terms[k] for k in word.indices.tolist()]
             + [scorer.char_terms[k] for k in char.indices.tolist()])
    kinds = ["word"] * len(word.indices) + ["char"] * len(char.indices)
    weights = values * scorer.coef[columns, j]
    order = np.argsort(-np.abs(weights), kind="stable")
    shown = order if top is None else order[:top]
    intercept = float(scorer.intercept[j])
    decision = intercept + float(weights.sum())
    return {"score": float(1.0 / (1.0 + np.exp(-decision))), "scored": True,
            "decision": decision, "intercept": intercept,
            "contributions": [{"ngram": names[k], "kind": kinds[k], "weight": float(weights[k])}
                              for k in shown.tolist()],
            "rest": float(weights[order[len(shown):]].sum())}
