"""Page-level gate: does the page hold a comment thread at all?

The line model calls a few lines comment on many pages that have none (teasers, quotes,
pull-quotes, "Tags:" lines). `thread_features` sums up a page's comment-called lines (how
many, their words, confidence, the longest run of them, where they sit, comment headers just
above or anywhere above, name / date / "says:" cues around them, their person and case
habits); `fit_gate` fits a logistic regression of "the gold has comments" on those sums over
out-of-fold pass-2 predictions of the real training pages (`train._fit_thread_gate`).
`gate_comments` takes the comment label back (each line keeps its next kind) from a page
whose thread probability is below GATE_THRESHOLD, or that has fewer than MIN_COMMENT_LINES
comment lines and no comment header ("(2) comments", "Leave a reply") within HEADER_NEAR
lines above the first of them.

Site-grouped CV over dragnet folds 1-4 (html-text, fold 0 never trained on; with
`model.trim_body`): comment-free pages with any comment line, of 579 / word F1 comment /
word F1 body / comment pages (of 210) left with no comment line:
no gate 159 / 0.791 / 0.861 / 13; the line-count rule alone 90 / 0.794 / 0.860 / 27; the
regression alone 110 / 0.796 / 0.861 / 19; both (kept) 69 / 0.797 / 0.860 / 31. The
rule with 8 lines instead of 5 gave 61 / 0.799 / 0.860 / 36: fewer false threads for more
missed short ones, not taken. GATE_THRESHOLD 0.3 -> 0.5 (both with the rule): 69 -> 39 /
0.797 -> 0.802 / 0.860 -> 0.861 / 31 -> 39, taken (on held-out fold 0, html-text, which was
read once at 0.3 before this CV choice and once after: comment-free pages hit 16 -> 11 of
106, word F1 comment 0.913 -> 0.916, body 0.857 -> 0.856).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from .features import CUE_COLUMNS, HEADER_COLUMN

GATE_THRESHOLD = 0.5
GATE_C = 0.1
MIN_COMMENT_LINES = 5
HEADER_NEAR = 3
N_THREAD_FEATURES = 15
_TITLED, _FIRST_SG, _SECOND, _LOWER_START = 7, 8, 10, 28  # features.line_features columns


def thread_features(proba: np.ndarray, dense: np.ndarray) -> np.ndarray | None:
    """The page's comment-called lines summed up (module docstring); None if there are none."""
    called = proba.argmax(axis=1) == 1 if len(proba) else np.zeros(0, dtype=bool)
    n = int(called.sum())
    if not n:
        return None
    first = int(np.argmax(called))
    last = len(called) - 1 - int(np.argmax(called[::-1]))
    words = np.expm1(dense[:, 1])
    cues = (dense[max(0, first - HEADER_NEAR):last + 1][:, CUE_COLUMNS] > 0).any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], called.astype(np.int64), [0]])))
    longest = int((edges[1::2] - edges[::2]).max())
    headers = dense[:, HEADER_COLUMN] > 0
    return np.array([
        np.log1p(n), np.log1p(words[called].sum()), proba[called, 1].mean(),
        (proba[called, 1] > 0.8).mean(), float(headers[max(0, first - HEADER_NEAR):first].any()),
        float(headers[:first].any()), np.log1p(cues.sum()), np.log1p(longest),
        n / len(called), first / len(called), (last - first + 1) / len(called),
        dense[called, _TITLED].mean(), dense[called, _FIRST_SG].mean()
        + dense[called, _SECOND].mean(), dense[called, _LOWER_START].mean(),
        np.log1p((dense[:, CUE_COLUMNS[1]] > 0).sum()),
    ])


def fit_gate(rows: list[np.ndarray], has_thread: list[bool]) -> dict[str, np.ndarray]:
    """Scaler and logistic-regression numbers of the gate, from pages' `thread_features`."""
    X = np.vstack(rows)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    lr = LogisticRegression(C=GATE_C, max_iter=1000).fit((X - mean) / scale, has_thread)
    return {"gate_mean": mean, "gate_scale": scale,
            "gate_coef": np.concatenate([lr.coef_[0], lr.intercept_]).astype(np.float64)}


def thread_probability(features: np.ndarray, arrays: dict[str, np.ndarray]) -> float:
    z = (features - arrays["gate_mean"]) / arrays["gate_scale"]
    coef = arrays["gate_coef"]
    return float(1.0 / (1.0 + np.exp(-(z @ coef[:-1] + coef[-1]))))


def gate_comments(proba: np.ndarray, dense: np.ndarray, arrays: dict[str, np.ndarray],
                  ) -> np.ndarray:
    """`proba` with its comment column zeroed (rows renormalised) if the page's thread
    probability is below GATE_THRESHOLD or its comment lines are few and not under a
    header (module docstring); unchanged otherwise."""
    features = thread_features(proba, dense)
    if features is None:
        return proba
    few = features[0] < np.log1p(MIN_COMMENT_LINES) and not features[4]
    if not few and thread_probability(features, arrays) >= GATE_THRESHOLD:
        return proba
    out = proba.copy()
    out[:, 1] = 0.0
    return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)
