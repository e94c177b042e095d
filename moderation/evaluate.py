"""`moderate evaluate` as a library call: held-out figures for a trained model, silent.

Every source, weight and feature choice is judged on a suite of evaluation sets, never trained
or tuned on (moderation.corpus keeps them out of training):
- the official Jigsaw test rows (Wikipedia talk): toxicity vs toxic, keep_it_clean vs obscene,
  dont_threaten vs threat, be_nice vs insult or identity_hate;
- the Gab Hate Corpus official test split: be_nice vs human degradation (hd), keep_it_clean vs
  vulgarity (vo), dont_threaten vs call for violence (cv), toxicity vs any of them;
- the official OLID and EDOS test splits (toxicity vs OFF; be_nice and toxicity vs sexist);
- our held-out part of Latent Hatred (implicit_hate): be_nice vs explicit and vs implicit hate,
  each against not_hate;
- C3's held-out articles (Globe and Mail comments): toxicity, be_nice vs personal attack, the
  share of acceptable comments (crowd_toxicity_level < 2) that leave approve, share_with_us vs
  personal_story or evidence and vs constructive, also within comment-length bands beside the
  AUC of length alone, so that a length detector cannot pass for a constructiveness model;
- bias_madlibs templates: overall AUC, and per identity term the subgroup, BPSN and BNSP AUCs
  (Borkan et al. 2019), for toxicity and be_nice;
- be_truthful (moderation.claims_eval): ClaimBuster's test part and our labelled sentences of
  C3 held-out comments, and the share of acceptable C3 comments it tags;
- our functional checklist (data/checklist/): per functionality, the share of cases whose action
  is right, and per rule the share of cases where the rule fires as the case says it should.
Each rule x set cell has ROC AUC, average precision, and precision and recall at the saved
review and reject thresholds (the recall a site gets at its review rate).
Splitter: real pages of held-out sites per renderer, the seed page, and assembled pages beside
them (moderation.splitter.evaluate_splitter).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from . import settings
from .claims_eval import evaluate_claims
from .corpus import build_corpus, is_acceptable
from .hook import Moderator
from .loaders import Example, load_bias_madlibs, load_checklist
from .progress import stage
from .rule_model import rule_metrics

Gold = Callable[[Example], int | None]


def _labels(*names: str) -> Gold:
    """Positive if any of `names` is 1, negative if one is known and none is 1."""
    def gold(ex: Example) -> int | None:
        values = [ex.labels[n] for n in names if n in ex.labels]
        return int(any(values)) if values else None
    return gold


def _sexist(ex: Example) -> int | None:
    return int(ex.meta["label_sexist"] == "sexist")


def _latent(kind: str) -> Gold:
    """`kind` of hate against not_hate; the other kind of hate is left out."""
    def gold(ex: Example) -> int | None:
        cls = ex.meta.get("class")
        return 1 if cls == kind else (0 if cls == "not_hate" else None)
    return gold


def _ghc(*columns: str) -> Gold:
    def gold(ex: Example) -> int | None:
        return int(any(ex.meta[c] == "1" for c in columns))
    return gold


# (evaluation set, rule, gold name, gold function); the set is a key of Corpus.evaluation
CHECKS: list[tuple[str, str, str, Gold]] = [
    ("jigsaw_predibase", "toxicity", "toxic", _labels("toxic")),
    ("jigsaw_predibase", "keep_it_clean", "obscene", _labels("obscene")),
    ("jigsaw_predibase", "dont_threaten", "threat", _labels("threat")),
    ("jigsaw_predibase", "be_nice", "insult or identity_hate", _labels("insult", "identity_hate")),
    ("gab_hate_corpus", "toxicity", "hd or cv or vo", _ghc("hd", "cv", "vo")),
    ("gab_hate_corpus", "keep_it_clean", "vo (vulgarity)", _ghc("vo")),
    ("gab_hate_corpus", "dont_threaten", "cv (call for violence)", _ghc("cv")),
    ("gab_hate_corpus", "be_nice", "hd (human degradation)", _ghc("hd")),
    ("olid", "toxicity", "OFF", _labels("toxic")),
    ("edos", "toxicity", "sexist", _sexist),
    ("edos", "be_nice", "sexist", _sexist),
    ("implicit_hate", "toxicity", "explicit hate", _latent("explicit_hate")),
    ("implicit_hate", "be_nice", "explicit hate", _latent("explicit_hate")),
    ("implicit_hate", "be_nice", "implicit hate", _latent("implicit_hate")),
    ("c3", "toxicity", "toxic", _labels("toxic")),
    ("c3", "be_nice", "personal attack", _labels("insult")),
    ("c3", "share_with_us", "personal_story or evidence", _labels("personal_story", "evidence")),
    ("c3", "share_with_us", "constructive", _labels("constructive")),
]
SET_NAMES = {"jigsaw_predibase": "Jigsaw test", "gab_hate_corpus": "GHC test",
             "olid": "OLID test", "edos": "EDOS test", "implicit_hate": "Latent Hatred held-out",
             "c3": "C3 held-out articles"}
LENGTH_BANDS = ((0, 30), (30, 60), (60, 120), (120, 10**9))  # words


def _gold(examples: list[Example], gold: Gold) -> tuple[np.ndarray, np.ndarray]:
    """(y, mask of rows where the gold is known)."""
    values = [gold(ex) for ex in examples]
    known = np.array([v is not None for v in values], dtype=bool)
    y = np.array([v or 0 for v in values], dtype=int)
    return y, known


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return round(float(roc_auc_score(y, p)), 4) if 0 < y.sum() < len(y) else None


def evaluate_rules(moderator: Moderator, data_dir: Path,
                   keep: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The rules part of `evaluate`. With `keep`, each (set, rule, gold) cell's texts, gold
    and scores are appended to it too (for the report's curves and error lists)."""
    with stage("rules: loading the evaluation sets"):
        corpus = build_corpus(data_dir)
    ids = moderator.rule_ids
    thresholds = moderator.model.thresholds
    rows: list[dict[str, Any]] = []
    proba_cache: dict[str, np.ndarray] = {}
    for dataset, rule, gold_name, gold in CHECKS:
        examples = corpus.evaluation.get(dataset, [])
        if rule not in ids or not examples:
            continue
        if dataset not in proba_cache:
            with stage(f"rules: scoring {SET_NAMES.get(dataset, dataset)}"):
                proba_cache[dataset] = moderator.model.predict_proba(
                    [ex.text for ex in examples])
        p = proba_cache[dataset][:, ids.index(rule)]
        y, known = _gold(examples, gold)
        row = {"data": SET_NAMES.get(dataset, dataset), "rule": rule, "gold": gold_name}
        if np.isnan(p).all():
            rows.append({**row, "scored": False})
            continue
        if keep is not None:
            keep.append({**row, "texts": [ex.text for ex, k in zip(examples, known,
                                                                   strict=True) if k],
                         "y": y[known], "p": p[known]})
        prevalence = next(r.prevalence for r in moderator.model.rules if r.id == rule)
        rows.append({**row, **rule_metrics(y[known], p[known], thresholds.get(rule),
                                           prevalence)})
    with stage("rules: be_truthful on claim sentences"):
        rows.extend(evaluate_claims(moderator.model, data_dir, keep))
    result: dict[str, Any] = {"rules": rows}
    if "c3" in corpus.evaluation:
        result["review_queue"] = review_queue(moderator, corpus.evaluation["c3"])
        if keep is not None and "c3" in proba_cache:
            acceptable = np.array([is_acceptable(ex) for ex in corpus.evaluation["c3"]])
            keep.append({"data": "C3 acceptable", "rule": "*", "gold": "acceptable",
                         "p_all": proba_cache["c3"][acceptable]})
    bands = []
    if "c3" in proba_cache and "share_with_us" in ids:
        bands = _length_bands(corpus.evaluation["c3"],
                              proba_cache["c3"][:, ids.index("share_with_us")])
    result["length_bands"] = bands
    with stage("rules: bias_madlibs"):
        templates = load_bias_madlibs(data_dir)
        proba = moderator.model.predict_proba([ex.text for ex in templates])
        result["bias"] = evaluate_bias(moderator, data_dir, examples=templates, proba=proba)
        result["bias_rules"] = {rule: evaluate_bias(moderator, data_dir, rule, templates, proba)
                                for rule in ("be_nice",) if rule in ids}
    with stage("rules: the functional checklist"):
        result["checklist"] = evaluate_checklist(moderator)
    return result


def review_queue(moderator: Moderator, examples: list[Example]) -> dict[str, Any]:
    """On C3 comments judged acceptable (crowd_toxicity_level < 2): the share that leaves
    approve, and which rules send them there."""
    acceptable = [ex.text for ex in examples if is_acceptable(ex)]
    verdicts = moderator.model.verdicts(acceptable, reasons=False)
    actions = np.array([v["action"] for v in verdicts])
    share = {rule.id: round(float(np.mean([rule.id in v["flags"] for v in verdicts])), 4)
             for rule in moderator.model.rules}
    kinds = moderator.rule_kinds
    per_rule = {rule: v for rule, v in share.items() if kinds[rule] == "violation"}
    tagged = {rule: v for rule, v in share.items() if kinds[rule] == "signal"}
    return {"acceptable_comments": len(acceptable),
            "leave_approve": round(float((actions != "approve").mean()), 4),
            "rejected": round(float((actions == "reject").mean()), 4),
            "flagged_by_rule": per_rule, "tagged_by_signal": tagged}


def evaluate_checklist(moderator: Moderator) -> dict[str, Any]:
    """Per functionality, the share of checklist cases whose action is right (approve for
    "approve" cases, review or reject for "flag" cases); per rule, the share of cases naming
    the rule in `should` / `should_not` where it fires / stays quiet."""
    cases = load_checklist()
    if not cases:
        return {}
    verdicts = moderator.model.verdicts([c["text"] for c in cases], reasons=False)
    right = np.array([(v["action"] == "approve") == (c["action"] == "approve")
                      for c, v in zip(cases, verdicts, strict=True)])
    functionalities: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        functionalities.setdefault(case["functionality"], []).append(i)
    per_functionality = [
        {"functionality": name, "action": cases[idx[0]]["action"], "n": len(idx),
         "right": round(float(right[idx].mean()), 4)} for name, idx in functionalities.items()]
    per_rule = {}
    for rule in moderator.rule_ids:
        fires = [rule in v["flags"] for c, v in zip(cases, verdicts, strict=True)
                 if rule in c["should"]]
        quiet = [rule not in v["flags"] for c, v in zip(cases, verdicts, strict=True)
                 if rule in c["should_not"]]
        per_rule[rule] = {"should_fire": len(fires),
                          "fires": round(float(np.mean(fires)), 4) if fires else None,
                          "should_stay_quiet": len(quiet),
                          "quiet": round(float(np.mean(quiet)), 4) if quiet else None}
    wrong = [{"functionality": c["functionality"], "expected": c["action"],
              "action": v["action"], "text": c["text"]}
             for c, v, ok in zip(cases, verdicts, right, strict=True) if not ok]
    return {"cases": len(cases), "right": round(float(right.mean()), 4),
            "worst_functionality": min(r["right"] for r in per_functionality),
            "per_functionality": per_functionality, "per_rule": per_rule, "wrong": wrong}


def _length_bands(examples: list[Example], p: np.ndarray) -> list[dict[str, Any]]:
    """share_with_us AUC overall and within length bands, beside the AUC of length alone."""
    words = np.array([len(ex.text.split()) for ex in examples])
    out = []
    for gold_name, gold in (("constructive", _labels("constructive")),
                            ("personal_story or evidence",
                             _labels("personal_story", "evidence"))):
        y, known = _gold(examples, gold)
        out.append({"gold": gold_name, "band": "all", "n": int(known.sum()),
                    "auc": _auc(y[known], p[known]), "length_auc": _auc(y[known], words[known])})
        for low, high in LENGTH_BANDS:
            band = known & (words >= low) & (words < high)
            out.append({"gold": gold_name, "band": f"{low}-{high if high < 10**9 else ''}",
                        "n": int(band.sum()), "auc": _auc(y[band], p[band]),
                        "length_auc": _auc(y[band], words[band])})
    return out


def identity_terms(examples: list[Example]) -> list[str]:
    """The identity terms of the templates, read off the verb_adj template ("<verb> <term>")."""
    terms = {ex.text.split(" ", 1)[1] for ex in examples if ex.meta.get("template") == "verb_adj"}
    return sorted(terms, key=lambda t: (-len(t), t))


def evaluate_bias(moderator: Moderator, data_dir: Path, rule: str = "toxicity",
                  examples: list[Example] | None = None, proba: np.ndarray | None = None
                  ) -> dict[str, Any]:
    """Overall AUC and, per identity term, subgroup / BPSN / BNSP AUC on bias_madlibs
    (`examples` and their `proba` for every rule, when already at hand)."""
    examples = examples if examples is not None else load_bias_madlibs(data_dir)
    terms = identity_terms(examples)
    term_of = []
    for ex in examples:
        phrase = f" {ex.text.lower()} "
        term_of.append(next((t for t in terms if f" {t} " in phrase), ""))
    term_of = np.array(term_of)
    y = np.array([ex.labels["toxic"] for ex in examples])
    if proba is None:
        proba = moderator.model.predict_proba([ex.text for ex in examples])
    p = proba[:, moderator.rule_ids.index(rule)]
    return {"rule": rule, "rows": len(examples), "overall_auc": _auc(y, p),
            "terms_without_match": int((term_of == "").sum()),
            "per_term": per_term_aucs(y, p, term_of, terms)}


def per_term_aucs(y: np.ndarray, p: np.ndarray, term_of: np.ndarray, terms: list[str]
                  ) -> list[dict[str, Any]]:
    """Per identity term (`term_of`: each row's term), subgroup / BPSN / BNSP ROC AUC
    (Borkan et al. 2019), worst BPSN first; an AUC without both classes is None."""
    per_term = []
    for term in terms:
        sub = term_of == term
        bpsn = (sub & (y == 0)) | (~sub & (y == 1))
        bnsp = (sub & (y == 1)) | (~sub & (y == 0))
        per_term.append({"term": term, "n": int(sub.sum()), "subgroup_auc": _auc(y[sub], p[sub]),
                         "bpsn_auc": _auc(y[bpsn], p[bpsn]), "bnsp_auc": _auc(y[bnsp], p[bnsp])})
    per_term.sort(key=lambda r: r["bpsn_auc"] if r["bpsn_auc"] is not None else 1.0)
    return per_term


def evaluate(model_dir: Path | None, data_dir: Path, only: str | None = None,
             keep: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The held-out suite (module docstring); `keep` as in `evaluate_rules`."""
    result: dict[str, Any] = {}
    splitter = None
    if only in (None, "rules"):
        moderator = Moderator.load(model_dir)
        result.update(evaluate_rules(moderator, data_dir, keep))
        splitter = moderator.splitter
    else:  # the splitter alone needs no rules model
        from .model_files import load_splitter, splitter_path

        splitter, _ = load_splitter(splitter_path(settings.model_dir(model_dir)))
    if only in (None, "split") and splitter is not None:
        from .splitter import evaluate_splitter

        seed_page = settings.PROJECT_ROOT.parent / "shared" / "seeds" / "wfsb_page.txt"
        with stage("split: rendering and splitting the held-out real pages"):
            result["splitter"] = evaluate_splitter(splitter, data_dir, seed_page=seed_page)
    return result
