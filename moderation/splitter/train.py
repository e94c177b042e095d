"""Training and held-out evaluation of the splitter on real pages, grouped by site.

`train_splitter` fits on the dragnet_train pages whose site is not in the held-out fold
(`dragnet.site_fold`, 5 folds by a hash of the site; fold 0 held out). Each training page is
rendered by one of the renderers, rotating by a hash of its id, so the model meets every
renderer's habits without tripling the lines. Pages whose gold puts a comment thread in
the main part (`dragnet.comments_in_main`, 6 of the 789 training-side pages) are left out:
alignment would teach that a thread is body. Half the real pages with comments (a sixth of
the others) get a generic community-rules block after their comments (`add_rules_block`),
since real sites print one there and dragnet's pages rarely do. 300 pages assembled from
the article and comment pools (`pages.build_pages`, training side) are added: on the held-out
real fold they raised word F1 for body 0.714 -> 0.744 and comment 0.722 -> 0.735 (html-text,
before the changes above). Pass 1 (TF-IDF + LR) gives out-of-fold probabilities by
GroupKFold over sites; pass 2 (boosted trees) is fitted on those. Lines are weighted by
log(1 + words), since long lines carry the words that the word-weighted scores count.
Everything runs on one thread with fixed seeds, the vocabulary's max_features cut breaks
frequency ties by term (`stable_vocabulary`: scikit-learn's sort picks among ties by CPU), and
every number a later stage is built on is rounded (`rounding.stable`): the line weights, the
dense line features, the idf (recomputed in float64, `_stable_idf`), the TF-IDF values, the
first pass's coefficients, the pass-2 features, the scalers and the thread gate. NumPy's math
(log1p, ...) and OpenBLAS pick their SIMD kernels by CPU, so the unrounded fits differed in
their last bits between an AVX-512 and an AVX2 machine, and the trees grown on them split
differently throughout (held-out body word F1 0.840 on one, 0.859 on the other, and the seed
page's first comment boilerplate on one). Rounded, the same data gives the same model on any
x86 machine: `tests/test_splitter.py` fits in a subprocess with other kernels, and the default
recipe fitted with this machine's AVX-512 kernels, with AVX2 ones (OPENBLAS_CORETYPE=Haswell,
NumPy's AVX-512 loops off) and with SSE ones (Sandybridge, NumPy's AVX2 loops off too) gave
the same file, byte for byte. Last, the thread gate
(`thread_gate`) is fitted on out-of-fold pass-2 predictions of the real training pages (three
more pass-2 fits).

Choices since, by site-grouped CV over folds 1-4 only (`bench/split_cv_dev.py`, html-text;
fold 0 neither trained on nor scored), as word F1 body / comment and comment-free pages with
any line called comment (of 579): recipe before 0.853 / 0.783 / 148; line-count comment gate
0.853 / 0.785 / 85; `model.trim_body` (body lines below the main body block) 0.860 / 0.794 /
90; learned thread gate on top 0.860 / 0.797 / 69. Tried and dropped: page-level sums of
pass-1 probabilities as pass-2 features (0.855 / 0.714 / 136 against 0.853 / 0.783 / 148:
constant per page, they let the trees memorise training pages) and a longest run of
capitalised words (teaser headlines) as a line feature (0.858 / 0.784 / 79 against 0.860 /
0.794 / 90).

`evaluate_splitter` reports, per renderer, line-level and word-weighted P/R/F1 per kind on the
held-out real pages (all of them, and again without the pages whose gold puts comments in its
main part, `dragnet.comments_in_main`), the share of comment-free held-out pages with any line
called comment, the worst pages, the seed page (../shared/seeds/wfsb_page.txt) and, beside
them, the assembled-page figures of the older synthetic evaluation (`pages.build_pages`).
"""

from __future__ import annotations

import random
import time
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ..progress import stage
from ..stable_vocabulary import top_terms
from . import furniture as fx
from .dragnet import (
    HELD_OUT_FOLD,
    LICENCE,
    N_FOLDS,
    comments_in_main,
    load_dragnet,
    real_pages,
    site_fold,
    static_thread_audit,
)
from .dragnet import labelled_page as _labelled_page
from .features import context_features, page_lines
from .model import KINDS, SplitterModel, make_vectorizer, page_rules, tfidf, vectorizer_from
from .pages import Page
from .render import RENDERERS
from .rounding import COEF_DECIMALS, FEATURE_DECIMALS, SCALE_DECIMALS, stable
from .thread_gate import DEFAULT_THREAD_GATE, fit_gate, thread_features

N_ASSEMBLED_TEST_PAGES = 200
N_ASSEMBLED_TRAIN_PAGES = 300
ASSEMBLED_SCALE = 0.3
BOILER_SHARE = 0.35  # of boilerplate lines that the fits see (all body and comment lines)
N_INNER_FOLDS = 3  # out-of-fold pass-1 probabilities for pass 2, grouped by site
RULES_SHARE = 0.5  # of real training pages with comments that get a rules block after them


def _page_arrays(pages: list[Page]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray,
                                            list[np.ndarray]]:
    """Concatenate the non-empty lines of all pages: texts, dense, labels, page ids, bounds."""
    texts: list[str] = []
    dense, labels, page_ids, bounds = [], [], [], []
    start = 0
    for p, page in enumerate(pages):
        idx, t, d = page_lines(page.lines)
        texts += t
        dense.append(d)
        labels += [page.labels[i] for i in idx]
        page_ids += [p] * len(idx)
        bounds.append(np.arange(start, start + len(idx)))
        start += len(idx)
    return texts, np.vstack(dense), np.array(labels), np.array(page_ids), bounds


class _StableSGD(SGDClassifier):
    """SGDClassifier with its coefficients rounded after each fit (`stable`)."""

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        super().fit(X, y, coef_init=coef_init, intercept_init=intercept_init,
                    sample_weight=sample_weight)
        self.coef_ = stable(self.coef_, COEF_DECIMALS)
        self.intercept_ = stable(self.intercept_, COEF_DECIMALS)
        return self


class _StableScaler(StandardScaler):
    """StandardScaler with its mean and scale rounded (`stable`)."""

    def fit(self, X, y=None, sample_weight=None):
        super().fit(X, y, sample_weight=sample_weight)
        self.mean_ = stable(self.mean_, SCALE_DECIMALS)
        scale = stable(self.scale_, SCALE_DECIMALS)
        self.scale_ = np.where(scale > 0, scale, 1.0)  # a tiny spread can round to 0
        return self


def _stable_idf(texts: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    """The vectorizer's smooth idf, ln((1 + n) / (1 + df)) + 1, in float64 and rounded: the
    float32 vectorizer computes it with NumPy's float32 log, whose AVX2 and SSE kernels gave
    2,020 of 40,000 values a last bit apart."""
    present = tfidf(texts, vocabulary, np.ones(len(vocabulary)))
    df = np.bincount(present.indices, minlength=len(vocabulary))
    return stable(np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0, SCALE_DECIMALS)


def _first_lr(seed: int) -> SGDClassifier:
    """One-vs-rest logistic regression by SGD, 10 epochs. SGD's arithmetic is sequential
    Cython: the same inputs give the same result on every CPU (the inputs are rounded for
    that, see `stable`); lbfgs calls BLAS and NumPy kernels picked by CPU, and
    two default-recipe fits, one with AVX2 kernels, differed by
    up to 0.05 in pass-1 coefficients even run to convergence (some 1,900 iterations, 70 s
    a fit), and in every tree after them. Site-grouped CV over folds 1-4, html-text, as word
    F1 body / comment and comment-free pages with a comment line (of 579): alpha 1e-5 (the
    old setting, whose probabilities were 0 or 1 for most lines) 0.860 / 0.780 / 44; 1e-4
    0.862 / 0.795 / 39 (seeds 1 and 2: 0.862 / 0.791 / 39 and 0.857 / 0.779 / 44, where
    1e-5 had swung 0.749 to 0.790 in comment F1); 3e-4 0.859 / 0.800 / 43. lbfgs (C=10, 300
    iterations, unrounded) had 0.869 / 0.774 / 37. These were measured before the idf was
    recomputed in float64 (`_stable_idf`); after it, 1e-4 gave 0.861 / 0.788 / 44, and
    averaging three seeds' coefficients did not steady it (0.859 / 0.789 / 41 and 0.862 /
    0.802 / 43 for two sets of seeds)."""
    return _StableSGD(loss="log_loss", alpha=1e-4, max_iter=10, tol=1e-4, average=True,
                      class_weight="balanced", random_state=seed)


def _second_model(seed: int) -> HistGradientBoostingClassifier:
    """Boosted trees over the context features: "a long line between repeated name / date /
    Reply lines, below the article" is an interaction a linear model lacks."""
    return HistGradientBoostingClassifier(max_iter=50, learning_rate=0.25, max_leaf_nodes=31,
                                          max_bins=63, min_samples_leaf=40,
                                          l2_regularization=1.0, early_stopping=False,
                                          random_state=seed)


def _ordered(proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return proba[:, [list(classes).index(k) for k in KINDS]]


def renderer_of(page_id: str, renderers: tuple[str, ...] = RENDERERS) -> str:
    return renderers[zlib.crc32(page_id.encode()) % len(renderers)]


def add_rules_block(page: Page, rng: random.Random) -> Page:
    """`page` with a generic community-rules block (`furniture.rules_block`, boilerplate)
    after its comment section, or after its last body line if it has no comments; the block
    is laid out like the page (blank lines between lines if the page has them)."""
    labels = page.labels
    anchor = max((i for i, k in enumerate(labels) if k == "comment"), default=None)
    if anchor is None:
        anchor = max((i for i, k in enumerate(labels) if k == "body"), default=len(labels) - 1)
    gap = page.kind == "html_text" or rng.random() < 0.3
    block: list[str] = []
    for line in fx.rules_block(rng):
        if block and (gap and rng.random() < 0.5):
            block.append("")
        block.append(line)
    at = anchor + 1
    pad = [""] if gap else []
    lines = page.lines[:at] + pad + block + pad + page.lines[at:]
    new = [None if not x.strip() else "boilerplate" for x in pad + block + pad]
    return Page(lines, labels[:at] + new + labels[at:], page.groups, page.kind, page.name)


def training_pages(data_dir: Path, held_out_fold: int | None = HELD_OUT_FOLD,
                   renderers: tuple[str, ...] = RENDERERS, max_pages: int | None = None,
                   rules_share: float = RULES_SHARE) -> list[Page]:
    """Every dragnet page outside the held-out fold (the first `max_pages` of them, for quick
    runs), each in its rotating renderer, without those whose gold has comments in its main
    part (`dragnet.comments_in_main`). A share of the pages (`rules_share` of those with
    comments, a third of that of the others, by a hash of the page id) get a generic
    community-rules block after their comments (`add_rules_block`): real sites print such
    blocks there, and dragnet's pages rarely do, so the model had not learnt them."""
    chosen = [p for p in load_dragnet(Path(data_dir)) if site_fold(p.site) != held_out_fold
              and not comments_in_main(p)]
    out = []
    for p in chosen[:max_pages]:
        page = _labelled_page(p, renderer_of(p.page_id, renderers))
        rng = random.Random(zlib.crc32(f"rules:{p.page_id}".encode()))
        share = rules_share if p.comments.strip() else rules_share / 3
        if rng.random() < share:
            page = add_rules_block(page, rng)
        out.append(page)
    return out


def fit_splitter(pages: list[Page], seed: int = 0) -> tuple[SplitterModel, dict[str, Any]]:
    """Fit both passes on labelled pages (groups: the page's site); return model, counts."""
    texts, dense, y, _, bounds = _page_arrays(pages)
    dense = stable(dense, FEATURE_DECIMALS)  # logs and ratios, from NumPy's SIMD math
    site_ids = {s: i for i, s in enumerate(sorted({min(p.groups) for p in pages}))}
    groups = np.concatenate([np.full(len(b), site_ids[min(p.groups)])
                             for p, b in zip(pages, bounds, strict=True)])
    weights = stable(np.log1p([max(1, len(t.split())) for t in texts]), SCALE_DECIMALS)
    # most lines are short, easy boilerplate: fit on a fixed random share of them (features
    # are computed on whole pages first), weighted up to stand for the rest
    keep = (y != "boilerplate") | (np.random.default_rng(seed).random(len(y)) < BOILER_SHARE)
    weights = np.where(y == "boilerplate", weights / BOILER_SHARE, weights)
    weights = stable(weights / weights.mean(), SCALE_DECIMALS)
    with threadpool_limits(1), warnings.catch_warnings():
        # one thread: a shared box, and sums in one order (see `stable`); SGD stops at a
        # fixed number of epochs on purpose (see `_first_lr`)
        warnings.simplefilter("ignore", ConvergenceWarning)
        terms = top_terms(make_vectorizer(), texts)
        vocabulary = {t: i for i, t in enumerate(terms)}
        vectorizer = vectorizer_from(np.array(terms), _stable_idf(texts, vocabulary))
        scaler1 = _StableScaler().fit(dense)
        X1 = tfidf(texts, vectorizer.vocabulary_, vectorizer.idf_, FEATURE_DECIMALS)
        X1 = sp.hstack([X1, sp.csr_matrix(scaler1.transform(dense))], format="csr")
        oof = cross_val_predict(_first_lr(seed), X1, y, groups=groups,
                                cv=GroupKFold(n_splits=N_INNER_FOLDS), method="predict_proba",
                                n_jobs=1, params={"sample_weight": weights})
        oof = _ordered(oof, np.array(sorted(set(y))))
        first = _first_lr(seed).fit(X1[keep], y[keep], sample_weight=weights[keep])
        X2 = stable(np.vstack([context_features(oof[b], dense[b]) for b in bounds]),
                    FEATURE_DECIMALS)
        scaler2 = _StableScaler().fit(X2[keep])
        X2 = scaler2.transform(X2)
        second = _second_model(seed).fit(X2[keep], y[keep], sample_weight=weights[keep])
        gate = _fit_thread_gate(pages, texts, X2, y, dense, weights, keep, groups, bounds,
                                seed)
    model = SplitterModel.from_estimators(vectorizer, scaler1, first, scaler2, second, gate)
    counts = {"train_pages": len(pages), "train_lines": int(len(y)),
              "train_line_kinds": {k: int((y == k).sum()) for k in KINDS}}
    return model, counts


def _fit_thread_gate(pages: list[Page], texts: list[str], X2: np.ndarray, y: np.ndarray,
                     dense: np.ndarray, weights: np.ndarray, keep: np.ndarray,
                     groups: np.ndarray, bounds: list[np.ndarray], seed: int
                     ) -> dict[str, np.ndarray]:
    """The page-level thread gate (`thread_gate`), fitted on out-of-fold pass-2
    probabilities (same site-grouped inner folds) of the real training pages."""
    oof2 = np.zeros((len(y), len(KINDS)))
    for train, test in GroupKFold(n_splits=N_INNER_FOLDS).split(X2, y, groups):
        fit = train[keep[train]]
        model = _second_model(seed).fit(X2[fit], y[fit], sample_weight=weights[fit])
        oof2[test] = _ordered(model.predict_proba(X2[test]), model.classes_)
    rows, has_thread = [], []
    for page, b in zip(pages, bounds, strict=True):
        if page.name.startswith("assembled:"):
            continue
        row = thread_features(page_rules(oof2[b], dense[b], [texts[i] for i in b]), dense[b])
        if row is not None:
            rows.append(row)
            has_thread.append("comment" in page.labels)
    return fit_gate(rows, has_thread)


def assembled_pages(data_dir: Path, seed: int = 0, n_pages: int = N_ASSEMBLED_TRAIN_PAGES,
                    scale: float = ASSEMBLED_SCALE) -> list[Page]:
    """Pages assembled from the training side of the article / comment pools, in three
    pseudo-sites so the inner folds split them too."""
    from .pages import build_pages, split_sources
    from .sources import load_sources

    train_side, _ = split_sources(load_sources(Path(data_dir), seed=seed, scale=scale), seed)
    pages = build_pages(train_side, n_pages, seed)
    for k, page in enumerate(pages):
        page.groups = {f"assembled:{k % 3}"}
        page.name = f"assembled:{k}"
    return pages


def train_splitter(data_dir: Path, seed: int = 0, *, held_out_fold: int | None = HELD_OUT_FOLD,
                   renderers: tuple[str, ...] = RENDERERS,
                   n_assembled: int = N_ASSEMBLED_TRAIN_PAGES, max_pages: int | None = None,
                   ) -> tuple[SplitterModel, dict]:
    """Fit the splitter on the real pages of every site outside `held_out_fold`, plus
    `n_assembled` assembled pages (they raised held-out real body and comment F1)."""
    started = time.perf_counter()
    with stage(f"split: rendering the real training pages ({len(renderers)} renderers)"):
        pages = training_pages(Path(data_dir), held_out_fold, renderers, max_pages)
    with stage("split: assembling pages"):
        extra = assembled_pages(Path(data_dir), seed, n_assembled) if n_assembled else []
    rendered = time.perf_counter() - started
    with stage(f"split: fitting the line model and the thread gate on {len(pages + extra)} "
               "pages"):
        model, counts = fit_splitter(pages + extra, seed)
    info = {
        "splitter": {
            "seed": seed,
            "data_dir": str(data_dir),
            "sources": {"dragnet_train": {"pages": len(pages), "renderers": list(renderers),
                                          "skipped_comments_in_main": sum(
                                              site_fold(p.site) != held_out_fold
                                              and comments_in_main(p)
                                              for p in load_dragnet(Path(data_dir))),
                                          "rules_share": RULES_SHARE},
                        "assembled": {"pages": len(extra), "scale": ASSEMBLED_SCALE}},
            "licences": {"dragnet_train": LICENCE,
                         "assembled": "text from the rules-model sources (see README model "
                                      "card: C3 / SFU CTC CC BY-NC-SA 4.0 among them)"},
            "held_out": {"source": "dragnet_train", "fold": held_out_fold, "n_folds": N_FOLDS,
                         "grouped_by": "site (canonical / og:url host)"},
            **counts,
            "render_seconds": round(rendered, 1),
            "fit_seconds": round(time.perf_counter() - started, 1),
        }
    }
    return model, info


def _scores(y_true: list[str], y_pred: list[str], weights: list[float] | None) -> dict:
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(KINDS),
                                                 sample_weight=weights, zero_division=0)
    return {k: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4), "support": round(float(s[i]), 1)}
            for i, k in enumerate(KINDS)}


def _page_summary(page: Page, true: list[str], pred: list[str], w: list[float]) -> dict:
    scores = _scores(true, pred, w)
    moved: dict[str, float] = {}
    for t, p, x in zip(true, pred, w, strict=True):
        if t != p:
            moved[f"{t}->{p}"] = moved.get(f"{t}->{p}", 0) + x
    present = [k for k in ("body", "comment") if k in true or k in pred]
    f1 = float(np.mean([scores[k]["f1"] for k in present])) if present else 1.0
    return {"page": page.name, "site": min(page.groups) if page.groups else "",
            "word_f1": round(f1, 4), "body_f1": scores["body"]["f1"],
            "comment_f1": scores["comment"]["f1"],
            "words_moved": dict(sorted(moved.items(), key=lambda kv: -kv[1])[:3])}


def page_predictions(model: SplitterModel, pages: list[Page],
                     thread_gate: str = DEFAULT_THREAD_GATE) -> Iterator[
        tuple[list[int], np.ndarray, list[str], list[str], list[float]]]:
    """Per page: the scored line indices, their probabilities, gold and predicted kinds, and
    word weights (a line's words, at least 1), as every splitter evaluation counts them."""
    for page in pages:
        idx, proba = model.predict_lines(page.lines, thread_gate)
        true = [page.labels[i] for i in idx]
        pred = [KINDS[int(b)] for b in proba.argmax(axis=1)] if len(idx) else []
        yield idx, proba, true, pred, [float(max(1, len(page.lines[i].split()))) for i in idx]


def evaluate_pages(model: SplitterModel, pages: list[Page], n_worst: int = 5, *,
                   static_threads: dict[str, bool] | None = None,
                   thread_gate: str = DEFAULT_THREAD_GATE) -> dict:
    """Line-level and word-weighted P/R/F1, comment-free pages with a comment line, worst.

    With `static_threads` (`dragnet.static_thread_audit`), also the comment-free share over the
    gold's comment-free pages that the audit found no thread in (only if it covers them all)."""
    y_true: list[str] = []
    y_pred: list[str] = []
    weights: list[float] = []
    errors, per_page = [], []
    free_pages: list[str] = []  # gold has no comment
    hit_pages: list[str] = []  # of those, a line called comment
    thread_pages: list[str] = []  # gold has comments
    missed_threads: list[str] = []  # of those, no line called comment
    for p, (page, (idx, proba, true, pred, w)) in enumerate(
            zip(pages, page_predictions(model, pages, thread_gate), strict=True)):
        y_true += true
        y_pred += pred
        weights += w
        gold_thread, called = "comment" in true, "comment" in pred
        (thread_pages if gold_thread else free_pages).append(page.name)
        if gold_thread and not called:
            missed_threads.append(page.name)
        if called and not gold_thread:
            hit_pages.append(page.name)
        for j, i in enumerate(idx):
            if pred[j] != true[j]:
                errors.append((float(proba[j].max()), p, i, true[j], pred[j]))
        if idx:
            per_page.append(_page_summary(page, true, pred, w))
    errors.sort(reverse=True)
    worst = [{"page": pages[p].name, "line": i + 1, "true": t, "predicted": pr,
              "confidence": round(c, 4), "text": pages[p].lines[i][:300]}
             for c, p, i, t, pr in errors[:n_worst]]
    pairs = Counter(zip(y_true, y_pred, strict=True))
    per_page.sort(key=lambda r: r["word_f1"])
    audited = {}
    if static_threads and all(name in static_threads for name in free_pages):
        no_thread = [name for name in free_pages if not static_threads[name]]
        audited = {"pages": len(no_thread),
                   "with_comment_line": sum(name in hit_pages for name in no_thread)}
        audited["share"] = (round(audited["with_comment_line"] / len(no_thread), 4)
                            if no_thread else 0.0)
    return {
        "pages": len(pages),
        "lines": len(y_true),
        "line_level": _scores(y_true, y_pred, None),
        "word_weighted": _scores(y_true, y_pred, weights),
        "confusion": {t: {p: pairs[t, p] for p in KINDS} for t in KINDS},
        "comment_free_pages": len(free_pages),
        "comment_free_pages_with_comment_line": len(hit_pages),
        "comment_free_share_with_comment": (round(len(hit_pages) / len(free_pages), 4)
                                            if free_pages else 0.0),
        "comment_free_pages_hit": hit_pages,
        "comment_pages": len(thread_pages),
        "comment_pages_without_comment_line": missed_threads,
        "comment_free_by_static_thread_audit": audited,
        "worst_errors": worst,
        "worst_pages": per_page[:n_worst],
    }


def evaluate_real(model: SplitterModel, data_dir: Path, *, fold: int = HELD_OUT_FOLD,
                  renderers: tuple[str, ...] = RENDERERS) -> dict[str, dict[str, dict]]:
    """The held-out fold's real pages, each renderer's rendered once and scored three ways:
    "real" (all pages), "real_without_comments_in_main" (without the pages whose gold puts
    comments in its main part, `dragnet.comments_in_main`) and "real_lenient_gate" (all pages,
    the lenient thread gate); view -> renderer -> `evaluate_pages`."""
    audit = static_thread_audit() if fold == HELD_OUT_FOLD else {}
    in_main = {p.page_id for p in load_dragnet(Path(data_dir)) if comments_in_main(p)}
    views: dict[str, dict[str, dict]] = {
        "real": {}, "real_without_comments_in_main": {}, "real_lenient_gate": {}}
    for r in renderers:
        pages = real_pages(Path(data_dir), r, {fold})
        views["real"][r] = evaluate_pages(model, pages, static_threads=audit)
        views["real_without_comments_in_main"][r] = evaluate_pages(
            model, [p for p in pages if p.name not in in_main], static_threads=audit)
        views["real_lenient_gate"][r] = evaluate_pages(model, pages, static_threads=audit,
                                                       thread_gate="lenient")
    return views


def evaluate_assembled(model: SplitterModel, data_dir: Path, seed: int = 0, *,
                       scale: float = ASSEMBLED_SCALE, n_pages: int = N_ASSEMBLED_TEST_PAGES,
                       ) -> dict:
    """The older figures: pages assembled from held-out article and comment pools."""
    from .pages import build_pages, split_sources
    from .sources import load_sources

    src = load_sources(Path(data_dir), seed=seed, scale=scale)
    _, test = split_sources(src, seed)
    return evaluate_pages(model, build_pages(test, n_pages, seed + 1))


def evaluate_seed_page(model: SplitterModel, path: Path) -> dict:
    """The seed page's comment lines (between "(2) comments" and "Welcome to the discussion")
    with their kind and confidence, and any other line called comment."""
    rows = model.split(path.read_text(encoding="utf-8"))
    start = next(r["line"] for r in rows if r["text"].strip() == "(2) comments")
    end = next(r["line"] for r in rows if r["text"].startswith("Welcome to the discussion"))
    comments = [r for r in rows if start < r["line"] < end]
    stray = [r for r in rows if not start < r["line"] < end and r["kind"] == "comment"]
    return {"comment_lines": comments, "stray_comment_lines": stray,
            "comments_found": sum(r["kind"] == "comment" for r in comments),
            "min_comment_confidence": round(min(r["confidence"] if r["kind"] == "comment"
                                                else 0.0 for r in comments), 4)}


def evaluate_splitter(model: SplitterModel, data_dir: Path, *, fold: int = HELD_OUT_FOLD,
                      renderers: tuple[str, ...] = RENDERERS, assembled: bool = True,
                      seed_page: Path | None = None) -> dict:
    """Real held-out pages per renderer, the seed page, and the assembled-page figures."""
    out: dict[str, Any] = {**evaluate_real(model, data_dir, fold=fold, renderers=renderers),
                           "held_out_fold": fold}
    if seed_page is not None and seed_page.exists():
        out["seed_page"] = evaluate_seed_page(model, seed_page)
    if assembled:
        out["assembled"] = evaluate_assembled(model, data_dir)
    return out
