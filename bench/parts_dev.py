"""Scoring a comment as the max over its whole and its parts: does it resist padding without
costing real dev sets? (issue 12; tried on branch try/parts-max, not kept: see the README's
evasion section). Dev rows only, never evaluation sets.

A model is fitted (features + one logistic regression per rule, as bench/rules_dev.py) without
the Jigsaw train dev tenth and without the GHC and Latent Hatred dev parts; each way of cutting
a comment into parts is then scored on: the Jigsaw dev rows clean and under the padding attack
of moderation.perturb ("benign"), GHC dev, Latent Hatred dev (explicit / implicit), and C3's
calibration articles (toxic vs acceptable AUC; and the recall on Jigsaw dev toxic rows, clean
and padded, at the threshold that flags 5% of acceptable calibration comments).

Also: held-out templates of our own contrast pairs (negated, condemned and reported hate;
bench/rules_dev.py CONTRAST_DEV; AUC of hateful vs clean, "con_hate"), and the
share of acceptable calibration comments flagged at the whole-comment way's 5% threshold
(how much parts alone would grow the queue).

Ways (run the first one listed first: it sets that threshold): full (the whole comment
only), sent (max with each sentence), half (with each half, cut at whitespace), half2 (halves
and quarters), tok4 / tok8 (halves of the tokens, for comments of 8 / 16 tokens or more, as
try/parts-max scored them), win8 / win12 (windows of 8 / 12 words, half overlapping).

Usage: python bench/parts_dev.py [full,tok4,...]   (about 8 minutes on two cores)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rules_dev import dev_split  # noqa: E402

from moderation import evaluate, settings  # noqa: E402
from moderation.classifiers import _fit_one  # noqa: E402
from moderation.corpus import is_acceptable, rule_targets, sample_weights  # noqa: E402
from moderation.features import build_features  # noqa: E402
from moderation.normalize import tokenize  # noqa: E402
from moderation.perturb import perturb  # noqa: E402
from moderation.rule_model import RULE_C  # noqa: E402


def sentences(text):
    out, cur = [], []
    for chunk in text.split():
        cur.append(chunk)
        if chunk[-1] in ".!?":
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out if len(out) > 1 else []


def halves(text, depth=1, min_words=4):
    words = text.split()
    out = []
    parts = [words]
    for _ in range(depth):
        nxt = []
        for p in parts:
            if len(p) >= 2 * min_words:
                m = len(p) // 2
                nxt += [p[:m], p[m:]]
        out += [" ".join(p) for p in nxt]
        parts = nxt
    return out


def token_halves(text, min_tokens):
    """The halves try/parts-max scored: the tokens cut at the middle one."""
    tokens = tokenize(text)
    if len(tokens) < 2 * min_tokens:
        return []
    middle = len(tokens) // 2
    return [" ".join(tokens[:middle]), " ".join(tokens[middle:])]


def windows(text, size=8):
    words = text.split()
    if len(words) <= size:
        return []
    step = size // 2
    return [" ".join(words[i:i + size]) for i in range(0, len(words) - step, step)]


SEGMENTERS = {"full": lambda t: [], "sent": sentences, "half": halves,
              "half2": lambda t: halves(t, 2), "win8": windows,
              "win12": lambda t: windows(t, 12), "tok4": lambda t: token_halves(t, 4),
              "tok8": lambda t: token_halves(t, 8)}


def scores(heads, features, texts, rule, seg):
    extra, owner = [], []
    for i, t in enumerate(texts):
        s = SEGMENTERS[seg](t)
        extra += s
        owner += [i] * len(s)
    d = heads[rule].decision_function(features.transform(list(texts) + extra))
    base = d[:len(texts)].copy()
    if extra:
        np.maximum.at(base, np.array(owner), d[len(texts):])
    return base


def auc(y, p):
    return roc_auc_score(y, p)


def main() -> None:
    t0 = time.time()
    rules, corpus, train, jig, con = dev_split(settings.data_dir())
    ids = [r.id for r in rules]
    con_ih = np.array([ex.labels.get("identity_hate", 0) for ex in con])
    con_hate_side = np.array(["{x}" in (ex.group or "") for ex in con])
    ghc = corpus.dev["gab_hate_corpus"]
    lh = corpus.dev["implicit_hate"]
    cal = corpus.calibration
    features = build_features()
    X = features.fit_transform([ex.text for ex in train])
    targets = rule_targets(train, rules)
    weights = sample_weights(train)
    heads = {}
    for rule in ("toxicity", "be_nice", "keep_it_clean"):
        heads[rule] = _fit_one(X, targets[:, ids.index(rule)], RULE_C.get(rule, 1.0), None, weights)
    print(f"fitted in {time.time() - t0:.0f}s", flush=True)
    jig_texts = [ex.text for ex in jig]
    pad_texts = perturb(jig_texts, "benign")
    gold = {"toxicity": evaluate._gold(jig, evaluate._labels("toxic")),
            "be_nice": evaluate._gold(jig, evaluate._labels("insult", "identity_hate")),
            "keep_it_clean": evaluate._gold(jig, evaluate._labels("obscene"))}
    ghc_y = {"be_nice": np.array([int(ex.meta["hd"]) for ex in ghc]),
             "keep_it_clean": np.array([int(ex.meta["vo"]) for ex in ghc]),
             "toxicity": np.array([int(any(ex.meta[c] == "1" for c in ("hd", "cv", "vo")))
                                   for ex in ghc])}
    lh_cls = np.array([ex.meta["class"] for ex in lh])
    cal_texts = [ex.text for ex in cal]
    cal_ok = np.array([is_acceptable(ex) for ex in cal])
    cal_tox = np.array([ex.labels.get("toxic", 0) == 1 for ex in cal])
    chosen = sys.argv[1].split(",") if len(sys.argv) > 1 else list(SEGMENTERS)
    print("rule seg jig pad drop ghc lh_exp lh_imp cal_auc recall@5%cal(jig,pad) "
          "con_hate cal_flag@full_t")
    for rule in ("toxicity", "be_nice", "keep_it_clean"):
        full_t = None
        for seg in chosen:
            y, k = gold[rule]
            pj = scores(heads, features, jig_texts, rule, seg)
            pp = scores(heads, features, pad_texts, rule, seg)
            pg = scores(heads, features, [ex.text for ex in ghc], rule, seg)
            pl = scores(heads, features, [ex.text for ex in lh], rule, seg)
            pc = scores(heads, features, cal_texts, rule, seg)
            t = np.quantile(pc[cal_ok], 0.95)
            full_t = t if full_t is None else full_t
            pn = scores(heads, features, [ex.text for ex in con], rule, seg)
            con_hate = auc(con_ih[con_hate_side], pn[con_hate_side])
            e = (lh_cls == "explicit_hate") | (lh_cls == "not_hate")
            im = (lh_cls == "implicit_hate") | (lh_cls == "not_hate")
            both = cal_ok | cal_tox
            ca = auc(cal_tox[both], pc[both]) if cal_tox.any() else float("nan")
            print(f"{rule:13} {seg:6} {auc(y[k], pj[k]):.3f} {auc(y[k], pp[k]):.3f} "
                  f"{auc(y[k], pj[k]) - auc(y[k], pp[k]):.3f} {auc(ghc_y[rule], pg):.3f} "
                  f"{auc(lh_cls[e] == 'explicit_hate', pl[e]):.3f} "
                  f"{auc(lh_cls[im] == 'implicit_hate', pl[im]):.3f} {ca:.3f} "
                  f"{(pj[k][y[k] == 1] >= t).mean():.3f},{(pp[k][y[k] == 1] >= t).mean():.3f} "
                  f"{con_hate:.3f} {(pc[cal_ok] >= full_t).mean():.3f}", flush=True)


if __name__ == "__main__":
    main()
