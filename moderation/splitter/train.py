"""Training and held-out evaluation of the splitter.

`train_splitter` loads the sources, splits them by group (documents never cross the split),
assembles training pages, fits pass 1 (TF-IDF + LR), computes out-of-fold pass-1 probabilities
with `cross_val_predict` grouped by page, fits pass 2 on those, and finally evaluates on pages
assembled from the held-out documents. `evaluate_splitter` rebuilds exactly those held-out
pages (same seed) for any model and reports line-level and word-weighted P/R/F1 per kind plus
the most confident mistakes with their surrounding lines.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler

from .features import context_features, page_lines
from .model import KINDS, SplitterModel, first_pass_matrix, make_vectorizer
from .pages import Page, build_pages, split_sources
from .sources import load_sources

N_TRAIN_PAGES = 900
N_TEST_PAGES = 400


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


def _first_lr() -> SGDClassifier:
    """Logistic regression fitted by SGD: lbfgs/liblinear take minutes on 100k x 60k lines."""
    return SGDClassifier(loss="log_loss", alpha=2e-6, max_iter=20, tol=1e-4,
                         class_weight="balanced", random_state=0)


def _second_lr() -> LogisticRegression:
    return LogisticRegression(C=1.0, max_iter=300)


def _ordered(proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return proba[:, [list(classes).index(k) for k in KINDS]]


def _held_out_pages(data_dir: Path, seed: int, scale: float, n_pages: int) -> tuple[list[Page],
                                                                                 dict]:
    src = load_sources(data_dir, seed=seed, scale=scale)
    _, test = split_sources(src, seed)
    return build_pages(test, n_pages, seed + 1), test.counts()


def train_splitter(data_dir: Path, seed: int = 0, *, scale: float = 1.0,
                   n_pages: int = N_TRAIN_PAGES, n_test_pages: int = N_TEST_PAGES,
                   ) -> tuple[SplitterModel, dict]:
    """Fit a splitter on pages built from the training documents; return (model, info)."""
    started = time.perf_counter()
    src = load_sources(Path(data_dir), seed=seed, scale=scale)
    train_side, test_side = split_sources(src, seed)
    pages = build_pages(train_side, n_pages, seed)
    texts, dense, y, page_ids, bounds = _page_arrays(pages)

    vectorizer = make_vectorizer().fit(texts)
    scaler1 = StandardScaler().fit(dense)
    X1 = first_pass_matrix(vectorizer, scaler1, texts, dense)
    oof = cross_val_predict(_first_lr(), X1, y, groups=page_ids, cv=GroupKFold(n_splits=3),
                            method="predict_proba", n_jobs=2)
    oof = _ordered(oof, np.array(sorted(set(y))))
    first = _first_lr().fit(X1, y)

    X2 = np.vstack([context_features(oof[b], dense[b]) for b in bounds])
    scaler2 = StandardScaler().fit(X2)
    second = _second_lr().fit(scaler2.transform(X2), y)
    model = SplitterModel(vectorizer, scaler1, first, scaler2, second)
    fit_seconds = time.perf_counter() - started

    test_pages = build_pages(test_side, n_test_pages, seed + 1)
    metrics = _evaluate_pages(model, test_pages)
    info = {
        "splitter": {
            "seed": seed,
            "scale": scale,
            "data_dir": str(data_dir),
            "sources": {"train": train_side.counts(), "test": test_side.counts()},
            "train_pages": len(pages),
            "train_lines": int(len(y)),
            "train_line_kinds": {k: int((y == k).sum()) for k in KINDS},
            "test_pages": len(test_pages),
            "fit_seconds": round(fit_seconds, 1),
            "held_out": metrics,
        }
    }
    return model, info


def _scores(y_true: list[str], y_pred: list[str], weights: list[float] | None) -> dict:
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(KINDS),
                                                 sample_weight=weights, zero_division=0)
    return {k: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4), "support": round(float(s[i]), 1)}
            for i, k in enumerate(KINDS)}


def _evaluate_pages(model: SplitterModel, pages: list[Page], n_worst: int = 5) -> dict:
    y_true: list[str] = []
    y_pred: list[str] = []
    weights: list[float] = []
    errors = []
    for p, page in enumerate(pages):
        idx, proba = model.predict_lines(page.lines)
        for j, i in enumerate(idx):
            pred = KINDS[int(proba[j].argmax())]
            true = page.labels[i]
            y_true.append(true)
            y_pred.append(pred)
            weights.append(float(max(1, len(page.lines[i].split()))))
            if pred != true:
                errors.append((float(proba[j].max()), p, i, true, pred))
    errors.sort(reverse=True)
    worst = []
    for conf, p, i, true, pred in errors[:n_worst]:
        page = pages[p]
        context = [
            {"line": k + 1, "true": page.labels[k], "text": page.lines[k][:160]}
            for k in range(max(0, i - 3), min(len(page.lines), i + 4)) if page.lines[k].strip()
        ]
        worst.append({"page": p, "page_kind": page.kind, "line": i + 1, "true": true,
                      "predicted": pred, "confidence": round(conf, 4),
                      "text": page.lines[i][:300], "context": context})
    return {
        "pages": len(pages),
        "lines": len(y_true),
        "line_level": _scores(y_true, y_pred, None),
        "word_weighted": _scores(y_true, y_pred, weights),
        "accuracy": round(float(np.mean(np.array(y_true) == np.array(y_pred))), 4)
        if y_true else 0.0,
        "worst_errors": worst,
    }


def evaluate_splitter(model: SplitterModel, data_dir: Path, seed: int = 0, *,
                      scale: float = 1.0, n_pages: int = N_TEST_PAGES) -> dict:
    """Metrics on held-out pages rebuilt from documents the model (same seed) never saw."""
    pages, counts = _held_out_pages(Path(data_dir), seed, scale, n_pages)
    return {"seed": seed, "test_sources": counts, **_evaluate_pages(model, pages)}
