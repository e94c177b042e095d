"""Compare rules-model training choices on dev rows only (never on the evaluation sets).

Dev rows: the "dev" parts the loaders mark (a fifth of GHC train, a tenth of Latent Hatred's
groups), a tenth of Jigsaw train (jigsaw_predibase, by a hash of the text), and as a bias probe
the *intersectional* bias_madlibs file (`moderate evaluate` reports on the other file,
en_sentence_templates.csv), and the Jigsaw dev rows again under the padding attack of
moderation.perturb (12 friendly words appended; columns pad_*). Features are fitted once;
each variant refits only the per-rule logistic regressions with its own targets and weights.

Usage: python bench/rules_dev.py [--variants base,ghc3,...]. Prints one table, variant x dev
figure (ROC AUC). Slow: about a minute per variant on two cores after ~3 minutes of features.
"""

from __future__ import annotations

import argparse
import csv
import time
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from moderation import evaluate, settings
from moderation import normalize as normalize_module
from moderation.classifiers import _fit_one
from moderation.corpus import Corpus, build_corpus, rule_targets, sample_weights
from moderation.features import FEATURES, FUNCTION_WORDS, KEPT_FUNCTION_WORDS, build_features
from moderation.loaders import Example
from moderation.loaders.contrasts import CLEAN, HARMLESS, HATEFUL, THREATENING
from moderation.perturb import perturb
from moderation.rule_model import RULE_C
from moderation.rules import load_rules

JIGSAW_DEV = 0.1
RULES4 = ("toxicity", "keep_it_clean", "dont_threaten", "be_nice")


def _jigsaw_dev(ex: Example) -> bool:
    return ex.source == "jigsaw_predibase" and zlib.crc32(ex.text.encode()) / 2**32 < JIGSAW_DEV


# Held-out templates of our own contrast sentences (never the checklist): how well negated,
# condemned and reported hate, and harmless violent words, generalise to unseen wording.
CONTRAST_DEV = {HATEFUL[1], HATEFUL[4], CLEAN[1], CLEAN[3], CLEAN[6], CLEAN[10],
                THREATENING[0], THREATENING[5], HARMLESS[0], HARMLESS[3], HARMLESS[8]}


def _contrast_dev(ex: Example) -> bool:
    return ex.source == "contrasts" and ex.group in CONTRAST_DEV


def dev_split(data: Path) -> tuple[list, Corpus, list[Example], list[Example], list[Example]]:
    """(rules, the corpus with its dev parts held out, training rows without the Jigsaw dev
    tenth and the held-out contrast templates, those Jigsaw dev rows, those contrast rows)."""
    rules = load_rules(None)
    corpus = build_corpus(data, hold_dev=True)
    train = [ex for ex in corpus.train if not _jigsaw_dev(ex) and not _contrast_dev(ex)]
    jig_dev = [ex for ex in corpus.train if _jigsaw_dev(ex)]
    con_dev = [ex for ex in corpus.train if _contrast_dev(ex)]
    return rules, corpus, train, jig_dev, con_dev


def _intersectional(data) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    path = data / "bias_madlibs" / "intersectional_madlibs.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    terms = sorted({r["phrase"][5:].lower() for r in rows if r["template"] == "am_identity"},
                   key=lambda t: (-len(t), t))  # ties by name: set order varies by process
    texts = [r["phrase"] for r in rows]
    y = np.array([int(r["toxicity"] == "toxic") for r in rows])
    term_of = np.array([next((t for t in terms if f" {t} " in f" {x.lower()} "), "")
                        for x in texts])
    return texts, y, term_of, terms


KEEPING = replace(FEATURES, drop_function_ngrams=False)  # the features before session 9


def _without_function_ngrams(texts: list[str], X, sets: dict, narrow: bool = False):
    """X and the dev matrices with every word n-gram made of FUNCTION_WORDS alone removed, and
    the word block's rows normalised again (as a vocabulary without them would give)."""
    word = build_features(KEEPING).transformer_list[0][1]
    word.fit(texts)
    names = word.get_feature_names_out()
    words = FUNCTION_WORDS if narrow else FUNCTION_WORDS | KEPT_FUNCTION_WORDS
    drop = np.array([all(t in words for t in n.split(" ")) for n in names])
    print(f"dropping {drop.sum()} of {len(names)} word n-grams, e.g. "
          f"{list(names[drop][:: max(1, drop.sum() // 12)])}", flush=True)
    n_word = len(names)
    keep = np.ones(X.shape[1])
    keep[:n_word][drop] = 0.0

    def fix(M):
        M = sp.csr_matrix(M @ sp.diags(keep))
        block = M[:, :n_word]
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
        rows = sp.diags(np.where(norms > 0, 1 / np.maximum(norms, 1e-12), 1.0))
        word_part = rows @ block
        return sp.hstack([word_part, M[:, n_word:]], format="csr")
    return fix(X), {n: fix(M) for n, M in sets.items()}


def _auc(y, p) -> float:
    found = evaluate._auc(y, p)
    return float("nan") if found is None else found


def _print_errors(title: str, texts: list[str], y: np.ndarray, p: np.ndarray,
                  n: int = 25) -> None:
    order = np.argsort(p)
    print(f"-- {title}: highest-scored negatives")
    for i in [i for i in order[::-1] if y[i] == 0][:n]:
        print(f"  {p[i]:.3f}  {texts[i][:160]!r}")
    print(f"-- {title}: lowest-scored positives")
    for i in [i for i in order if y[i] == 1][:n]:
        print(f"  {p[i]:.3f}  {texts[i][:160]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="")
    parser.add_argument("--cache", default="", help="directory for the feature matrices")
    parser.add_argument("--no-group-terms", action="store_true",
                        help="read group names as themselves (normalize.MAP_GROUP_TERMS off)")
    parser.add_argument("--no-slurs", action="store_true",
                        help="read slurs as themselves (normalize.MAP_SLURS off)")
    parser.add_argument("--dump", default="", help="variant whose worst dev errors to print")
    parser.add_argument("--drop-function-ngrams", choices=("", "all", "narrow"), default="",
                        help="remove word n-grams made of function words alone (all: "
                             "features.FUNCTION_WORDS and KEPT_FUNCTION_WORDS; narrow: the "
                             "first only, as the rules model does), from features fitted "
                             "with them kept (a --cache made without this option will not do)")
    args = parser.parse_args()
    data = settings.data_dir()
    normalize_module.MAP_GROUP_TERMS = not args.no_group_terms
    normalize_module.MAP_SLURS = not args.no_slurs
    started = time.perf_counter()
    rules, corpus, train, jig_dev, con_dev = dev_split(data)
    ids = [r.id for r in rules]
    ghc = corpus.dev["gab_hate_corpus"]
    lh = corpus.dev["implicit_hate"]
    bias_texts, bias_y, bias_term, terms = _intersectional(data)
    cache = Path(args.cache) if args.cache else None
    names = ("train", "jig", "ghc", "lh", "bias", "con", "pad")
    if cache and all((cache / f"{n}.npz").exists() for n in names):
        X, *rest = (sp.load_npz(cache / f"{n}.npz") for n in names)
        sets = dict(zip(names[1:], rest, strict=True))
    else:
        features = build_features(KEEPING if args.drop_function_ngrams else FEATURES)
        X = features.fit_transform([ex.text for ex in train])
        sets = {name: features.transform([ex.text for ex in rows])
                for name, rows in (("jig", jig_dev), ("ghc", ghc), ("lh", lh))}
        sets["bias"] = features.transform(bias_texts)
        sets["con"] = features.transform([ex.text for ex in con_dev])
        # the padding attack of moderation.perturb on the Jigsaw dev rows
        sets["pad"] = features.transform(perturb([ex.text for ex in jig_dev], "benign"))
        if cache:
            cache.mkdir(parents=True, exist_ok=True)
            for n, M in zip(names, [X, *sets.values()], strict=True):
                sp.save_npz(cache / f"{n}.npz", M.tocsr())
    if args.drop_function_ngrams:
        X, sets = _without_function_ngrams([ex.text for ex in train], X, sets,
                                           narrow=args.drop_function_ngrams == "narrow")
    print(f"features: {X.shape} in {time.perf_counter() - started:.0f}s; dev rows "
          f"jigsaw {len(jig_dev)} ghc {len(ghc)} lh {len(lh)} bias {len(bias_texts)}", flush=True)
    base_targets = rule_targets(train, rules)
    base_weights = sample_weights(train)
    source = np.array([ex.source for ex in train])
    known_clean = np.array([ex.labels.get("toxic", -1) == 0 for ex in train])
    ih_target = np.array([ex.labels.get("identity_hate", -1) for ex in train])
    ih_target = np.where(known_clean & (ih_target < 0), 0, ih_target)
    col_of = {i: j for j, i in enumerate(ids)}
    fitted: dict[tuple, dict[str, np.ndarray]] = {}

    def head(target: str = "", C: float | None = None, neg_scale: float = 1.0,
             **per_source: float):
        """One logistic regression: a rule's column (or "ih" for identity hate alone),
        with per-source weight factors, its negative weights scaled by `neg_scale` after the
        fit (friendly words then pull a comment down less: the padding attack); its dev
        probabilities are cached."""
        key = (target, C, neg_scale, tuple(sorted(per_source.items())))
        if key not in fitted:
            y = ih_target if target == "ih" else base_targets[:, col_of[target]]
            w = base_weights.copy()
            for name, factor in per_source.items():
                w[source == name] *= factor
            model = _fit_one(X, y, C if C is not None else RULE_C.get(target, 1.0), None, w)
            if neg_scale != 1.0:
                model.coef_ = np.where(model.coef_ < 0, model.coef_ * neg_scale, model.coef_)
            fitted[key] = {n: model.predict_proba(M)[:, 1] for n, M in sets.items()}
        return fitted[key]

    def variant(**changes):
        """Each rule's head as in the base model, except the rules given: a dict of head
        arguments, or a callable combining heads."""
        def make() -> dict[str, dict[str, np.ndarray]]:
            out = {}
            for rule in RULES4:
                change = changes.get(rule, {})
                out[rule] = change() if callable(change) else head(rule, **change)
            return out
        return make

    def maximum(*heads):
        return lambda: {n: np.max([h[n] for h in heads], axis=0) for n in sets}

    variants = {
        "base": variant(),
        "con3": variant(**{r: {"contrasts": 3.0} for r in ("toxicity", "be_nice",
                                                           "dont_threaten")}),
        "con6": variant(**{r: {"contrasts": 6.0} for r in ("toxicity", "be_nice",
                                                           "dont_threaten")}),
        "bn_ghc3": variant(be_nice={"gab_hate_corpus": 3.0}),
        "bn_hate3": variant(be_nice={"gab_hate_corpus": 3.0, "implicit_hate": 3.0,
                                     "contrasts": 3.0}),
        "bn_jig1": variant(be_nice={"jigsaw_predibase": 1 / 3}),
        "bn_C0.5": variant(be_nice={"C": 0.5}),
        "bn_C2": variant(be_nice={"C": 2.0}),
        "kic_ghc3": variant(keep_it_clean={"gab_hate_corpus": 3.0}),
        "kic_C2": variant(keep_it_clean={"C": 2.0}),
        "kic_C0.5": variant(keep_it_clean={"C": 0.5}),
        "neg0.7": variant(**{r: {"neg_scale": 0.7} for r in RULES4}),
        "neg0.5": variant(**{r: {"neg_scale": 0.5} for r in RULES4}),
        "neg0.3": variant(**{r: {"neg_scale": 0.3} for r in RULES4}),
    }
    variants["bn_max_ih"] = lambda: {**variants["base"](), "be_nice": maximum(
        head("be_nice"), head("ih"))()}
    variants["bn_max_ih3"] = lambda: {**variants["base"](), "be_nice": maximum(
        head("be_nice"), head("ih", gab_hate_corpus=3.0, implicit_hate=3.0))()}
    all_sources = sorted(set(source))

    def only(*keep: str) -> dict[str, float]:
        """per-source factors that train a head on `keep` alone"""
        return {s: 0.0 for s in all_sources if s not in keep}

    def blend(a: dict, b: dict, share: float):
        """each dev row's logit: `share` of head a's plus the rest of head b's; a mean of two
        linear models' logits is itself one linear model (mean weights, mean intercept)"""
        def logit(p):
            p = np.clip(p, 1e-9, 1 - 1e-9)
            return np.log(p / (1 - p))
        return lambda: {n: 1 / (1 + np.exp(-(share * logit(a[n]) + (1 - share) * logit(b[n]))))
                        for n in sets}

    hate = ("gab_hate_corpus", "implicit_hate", "contrasts")
    for share in (0.5, 0.7, 0.85):
        variants[f"bn_avg_hate{share}"] = (lambda share=share: {**variants["base"](), "be_nice":
            blend(head("be_nice"), head("ih", **only(*hate)), share)()})
        variants[f"bn_avg_ghcbn{share}"] = (lambda share=share: {**variants["base"](), "be_nice":
            blend(head("be_nice"), head("be_nice", **only("gab_hate_corpus")), share)()})
        variants[f"kic_avg_ghc{share}"] = (lambda share=share: {**variants["base"](),
            "keep_it_clean": blend(head("keep_it_clean"),
                                   head("keep_it_clean", **only("gab_hate_corpus")), share)()})
    chosen = args.variants.split(",") if args.variants else list(variants)
    jig_gold = {rule: evaluate._gold(jig_dev, evaluate._labels(*names)) for rule, names in (
        ("toxicity", ("toxic",)), ("keep_it_clean", ("obscene",)),
        ("dont_threaten", ("threat",)), ("be_nice", ("insult", "identity_hate")))}
    header = None
    for name in chosen:
        t0 = time.perf_counter()
        heads = variants[name]()
        out: dict[str, float] = {}
        for set_name in sets:
            col = {rule: h[set_name] for rule, h in heads.items()}
            if set_name in ("jig", "pad"):
                for rule, (y, k) in jig_gold.items():
                    out[f"{set_name}_{rule[:6]}"] = _auc(y[k], col[rule][k])
            elif set_name == "ghc":
                for rule, c in (("be_nice", "hd"), ("keep_it_clean", "vo"),
                                ("dont_threaten", "cv")):
                    y = np.array([int(ex.meta[c]) for ex in ghc])
                    out[f"ghc_{c}"] = _auc(y, col[rule])
                    if name == args.dump and c in ("hd", "vo"):
                        _print_errors(f"GHC dev {rule} vs {c}", [ex.text for ex in ghc], y,
                                      col[rule])
            elif set_name == "con":
                ih = np.array([ex.labels.get("identity_hate", 0) for ex in con_dev])
                th = np.array([ex.labels.get("threat", 0) for ex in con_dev])
                hate_side = np.array(["{x}" in (ex.group or "") for ex in con_dev])
                out["con_hate"] = _auc(ih[hate_side], col["be_nice"][hate_side])
                out["con_threat"] = _auc(th[~hate_side], col["dont_threaten"][~hate_side])
            elif set_name == "lh":
                cls = np.array([ex.meta["class"] for ex in lh])
                for kind in ("explicit_hate", "implicit_hate"):
                    k = (cls == kind) | (cls == "not_hate")
                    out[f"lh_{kind[:4]}"] = _auc((cls[k] == kind).astype(int), col["be_nice"][k])
            else:
                for rule in ("toxicity", "be_nice"):
                    p_r = col[rule]
                    out[f"bias_{rule[:4]}"] = _auc(bias_y, p_r)
                    bpsn = [t["bpsn_auc"] for t in evaluate.per_term_aucs(
                        bias_y, p_r, bias_term, terms) if t["n"] and t["bpsn_auc"] is not None]
                    out[f"bpsn_{rule[:4]}"] = min(bpsn, default=1.0)
        if header is None:
            header = list(out)
            print("variant".ljust(12) + " ".join(h.rjust(11) for h in header) + "   secs")
        print(name.ljust(12) + " ".join(f"{out[h]:11.3f}" for h in header)
              + f"   {time.perf_counter() - t0:.0f}", flush=True)


if __name__ == "__main__":
    main()
