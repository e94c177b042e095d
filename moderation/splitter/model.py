"""The fitted splitter as plain arrays: TF-IDF + logistic regression per line, stacked trees.

Pass 1 scores each non-empty line from its own words (TF-IDF over word 1-2 grams of the line's
first characters) and dense features with a one-vs-rest logistic regression (fitted by SGD).
Pass 2 is gradient-boosted trees over a window of pass-1 probabilities around the line plus the
page-structure features (`features.context_features`: comment cues, repeated short lines,
position, headers); it was trained on out-of-fold pass-1 probabilities, so at prediction time it
sees probabilities of the same quality as in training. Page-level rules follow
(`page_rules`): a run of posting-rule lines is boilerplate (`rules_blocks`), body lines below
the page's main body block take their next kind (`trim_body`), and a page with
too few or too weak comment lines to hold a thread loses its comment label (a
logistic regression over page sums, `thread_gate`).

Training fits scikit-learn estimators; `SplitterModel.from_estimators` keeps only their numbers:
the vocabulary and idf, the scalers' means and scales, the LR coefficients, the trees'
nodes (`trees.flatten`) and the thread gate's numbers. Predictions are computed from those
arrays (TF-IDF by `tfidf`, one numpy pass over all lines, equal to the vectorizer's
transform), so `to_state` / `from_state`
give the same model back from numeric / fixed-width unicode arrays and JSON metadata, with
no pickle anywhere.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler

from ..stable_vocabulary import StableTfidfVectorizer
from .features import (
    DENSE_FEATURES,
    MAX_CHARS,
    N_DENSE,
    RULE_COLUMN,
    RULE_TITLE_COLUMN,
    context_features,
    is_rules_header,
    line_text,
    page_lines,
)
from .rounding import stable
from .thread_gate import DEFAULT_THREAD_GATE, gate_comments, gate_policy
from .trees import TREE_KEYS, Forest, flatten

KINDS = ("body", "comment", "boilerplate")
_NEWLINE = re.compile(r"\r\n|\r|\n")
TOKEN_PATTERN = r"(?u)\b\w+\b|[()©▲▼|:·!?\"“”@#*…]"
STATE_VERSION = 2
VECTORIZER_PARAMS: dict[str, Any] = {"token_pattern": TOKEN_PATTERN, "ngram_range": (1, 2),
                                     "sublinear_tf": True}


def split_text_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (\\n, \\r\\n or \\r; no other separators)."""
    return _NEWLINE.split(text)


def make_vectorizer() -> TfidfVectorizer:
    return StableTfidfVectorizer(preprocessor=line_text, min_df=2, max_features=40_000,
                                 dtype=np.float32, **VECTORIZER_PARAMS)


def vectorizer_from(vocabulary: np.ndarray, idf: np.ndarray) -> TfidfVectorizer:
    """A fitted vectoriser with this vocabulary (terms in column order) and idf."""
    vec = TfidfVectorizer(preprocessor=line_text, dtype=np.float32,
                          vocabulary={str(t): i for i, t in enumerate(vocabulary)},
                          **VECTORIZER_PARAMS)
    vec._validate_vocabulary()
    vec.idf_ = np.asarray(idf, dtype=np.float64)
    return vec


_TOKEN = re.compile(TOKEN_PATTERN)
_FOLD_DIGITS = re.compile(r"\d")
_SEPARATOR = " 1 "  # a token no line can hold after digits are folded to 0


def tfidf(texts: list[str], vocabulary: dict[str, int], idf: np.ndarray,
          decimals: int | None = None) -> sp.csr_matrix:
    """What the fitted TfidfVectorizer's `transform` gives (same tokens, 1-2 grams, sublinear
    tf, idf, l2 rows), for all lines at once: the lines are joined with a separator token that
    digit folding makes impossible, tokenised and looked up in one pass each, and the counts
    built with numpy (the vectorizer's per-line Python loop was a third of a 1 MB page's
    time). Training rounds the values to `decimals` before the float32 cast (`rounding.stable`)."""
    n = len(texts)
    joined = _FOLD_DIGITS.sub("0", "\n".join(t[:MAX_CHARS] for t in texts).lower())
    tokens = _TOKEN.findall(joined.replace("\n", _SEPARATOR))
    sep = _SEPARATOR.strip()
    get = vocabulary.get
    uni = np.fromiter(map(get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    line = np.cumsum(np.fromiter(map(sep.__eq__, tokens), dtype=bool, count=len(tokens)))
    bigrams = map(" ".join, zip(tokens, tokens[1:], strict=False))
    bi = np.fromiter(map(get, bigrams, repeat(-1)), dtype=np.int64,
                     count=max(0, len(tokens) - 1))
    cols = np.concatenate([uni, bi])
    rows = np.concatenate([line, line[:-1]])
    keep = cols >= 0
    counts = sp.csr_matrix((np.ones(int(keep.sum()), dtype=np.float64),
                            (rows[keep], cols[keep])), shape=(n, len(idf)))
    counts.sum_duplicates()
    counts.data = (np.log(counts.data) + 1.0) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    counts.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(counts.indptr))
    if decimals is not None:
        counts.data = stable(counts.data, decimals)
    return counts.astype(np.float32)


BODY_GAP = 4  # more non-body lines than this between body lines split the page's body


def trim_body(proba: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """`proba` with the body column zeroed (rows renormalised, so the line takes its next
    kind) on body lines below the page's main body block: body-called lines are grouped
    into blocks wherever more than BODY_GAP non-body lines part them, the block with the
    most words is the article, and blocks under it are teasers of other stories, captions,
    blogroll blurbs or uncued comments far more often than a resumed article. Blocks above
    it stay (titles and standfirsts sit there). Site-grouped CV over folds 1-4, with the
    rule-based comment gate: word F1 body 0.853 -> 0.860, comment 0.785 -> 0.794 (recall 0.899 ->
    0.922), comment-free pages with a comment line 85 -> 90 of 579."""
    body = np.flatnonzero(proba.argmax(axis=1) == 0) if len(proba) else np.zeros(0, int)
    if len(body) < 2:
        return proba
    words = np.expm1(dense[body, 1])
    breaks = np.flatnonzero(np.diff(body) > BODY_GAP + 1) + 1
    block = np.zeros(len(body), dtype=np.int64)
    block[breaks] = 1
    block = np.cumsum(block)
    main = int(np.argmax(np.bincount(block, weights=words)))
    below = body[block > main]
    if not len(below):
        return proba
    out = proba.copy()
    out[below, 0] = 0.0
    return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)


RULES_RUN = 3  # consecutive posting-rule lines that make a rules block


def rules_blocks(proba: np.ndarray, dense: np.ndarray, texts: list[str]) -> np.ndarray:
    """`proba` with lines in a run of RULES_RUN or more consecutive posting-rule lines (a
    short capitalised title, then its explanation: "Be Nice. No racism, ...") set to
    boilerplate, and with them the line just above the run if it is a rules header
    ("Welcome to the discussion.", `features.is_rules_header`). The trees see the rule
    features too, but a rule that reads like a comment ("No racism, sexism or ...") and the
    header under the last comment could still come out comment on the seed page. No line of
    the development folds' real pages (folds 1-4, every renderer) is in such a run; 56 of the
    783 training pages are (their added rules blocks), and the thread gate is fitted after
    this rule. Limits: numbered or bulleted rules ("1. Be nice. ...") do not make a run, and
    a comment that reads like a rule ("No. You are wrong ...") just above a run joins it."""
    rule = (dense[:, RULE_COLUMN] > 0) & (dense[:, RULE_TITLE_COLUMN] > 0)
    if len(rule) < RULES_RUN:
        return proba
    edges = np.flatnonzero(np.diff(np.concatenate([[0], rule.astype(np.int64), [0]])))
    starts, ends = edges[::2], edges[1::2]
    long = ends - starts >= RULES_RUN
    if not long.any():
        return proba
    out = proba.copy()
    for a, b in zip(starts[long], ends[long], strict=True):
        a -= int(a > 0 and is_rules_header(texts[a - 1]))
        out[a:b] = 0.0
        out[a:b, KINDS.index("boilerplate")] = 1.0
    return out


def page_rules(proba: np.ndarray, dense: np.ndarray, texts: list[str]) -> np.ndarray:
    """The page-level rules applied before the thread gate: `rules_blocks`, `trim_body`."""
    return trim_body(rules_blocks(proba, dense, texts), dense)


def _order(classes: Any) -> np.ndarray:
    """Column indices that put an estimator's classes in KINDS order."""
    classes = [str(c) for c in classes]
    return np.array([classes.index(k) for k in KINDS], dtype=np.int64)


class SplitterModel:
    """Labels each non-empty line of a page body, comment or boilerplate."""

    kinds = KINDS

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.vectorizer = vectorizer_from(arrays["vocabulary"], arrays["idf"])
        self.vocabulary = self.vectorizer.vocabulary_
        self.forest = Forest({k: arrays[f"trees_{k}"] for k in TREE_KEYS})

    @classmethod
    def from_estimators(cls, vectorizer: TfidfVectorizer, scaler1: StandardScaler,
                        first: SGDClassifier, scaler2: StandardScaler, second: Any,
                        gate: dict[str, np.ndarray]) -> SplitterModel:
        """Keep the numbers of fitted estimators (pass 2: a HistGradientBoostingClassifier)."""
        vocab = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        o1, o2 = _order(first.classes_), _order(second.classes_)
        arrays = {
            "vocabulary": np.array(vocab, dtype=str),
            "idf": np.asarray(vectorizer.idf_, dtype=np.float64),
            "mean1": scaler1.mean_.astype(np.float64), "scale1": scaler1.scale_.astype(np.float64),
            "coef1": first.coef_[o1].astype(np.float64),
            "intercept1": first.intercept_[o1].astype(np.float64),
            "mean2": scaler2.mean_.astype(np.float64), "scale2": scaler2.scale_.astype(np.float64),
            "order2": o2,
            **{f"trees_{k}": v for k, v in flatten(second).items()},
            **gate,
        }
        return cls(arrays)

    def to_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Numeric / fixed-width unicode arrays and JSON-serialisable metadata."""
        meta = {"kind": "splitter", "state_version": STATE_VERSION, "kinds": list(KINDS),
                "n_dense": N_DENSE, "dense_features": list(DENSE_FEATURES),
                "n_vocabulary": int(len(self.arrays["vocabulary"]))}
        return dict(self.arrays), meta

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> SplitterModel:
        """Rebuild the model `to_state` described; refuse a state of another layout."""
        if meta.get("state_version") != STATE_VERSION or list(meta.get("kinds", [])) != list(
                KINDS) or meta.get("n_dense") != N_DENSE or meta.get(
                "dense_features", list(DENSE_FEATURES)) != list(DENSE_FEATURES):
            raise ValueError(f"splitter state of another layout: {meta!r}")
        needed = {"vocabulary", "idf", "mean1", "scale1", "coef1", "intercept1", "mean2",
                  "scale2", "order2", "gate_mean", "gate_scale", "gate_coef",
                  *(f"trees_{k}" for k in TREE_KEYS)}
        missing = needed - set(arrays)
        if missing:
            raise ValueError(f"splitter state lacks arrays: {sorted(missing)}")
        return cls({k: np.asarray(arrays[k]) for k in needed})

    def first_pass(self, texts: list[str], dense: np.ndarray) -> np.ndarray:
        a = self.arrays
        words = tfidf(texts, self.vocabulary, a["idf"])
        X = sp.hstack([words, sp.csr_matrix((dense - a["mean1"]) / a["scale1"])], format="csr")
        p = expit(np.asarray(X @ a["coef1"].T) + a["intercept1"])
        return p / p.sum(axis=1, keepdims=True)

    def second_pass(self, probs: np.ndarray, dense: np.ndarray) -> np.ndarray:
        a = self.arrays
        X = (context_features(probs, dense) - a["mean2"]) / a["scale2"]
        return self.forest.proba(X)[:, a["order2"]]

    def predict_lines(self, lines: list[str], thread_gate: str = DEFAULT_THREAD_GATE
                      ) -> tuple[list[int], np.ndarray]:
        """Indices of the non-empty lines and their (n, 3) probabilities in KINDS order;
        `thread_gate` names a policy of `thread_gate.THREAD_GATES`."""
        policy = gate_policy(thread_gate)
        idx, texts, dense = page_lines(lines)
        if not idx:
            return idx, np.zeros((0, len(KINDS)))
        proba = self.second_pass(self.first_pass(texts, dense), dense)
        return idx, gate_comments(page_rules(proba, dense, texts), dense, self.arrays, texts,
                                  policy)

    def split_lines(self, lines: list[str], thread_gate: str = DEFAULT_THREAD_GATE
                    ) -> list[dict]:
        """One dict per non-empty line: line (1-based), text, kind, confidence."""
        idx, proba = self.predict_lines(lines, thread_gate)
        best = proba.argmax(axis=1).tolist() if len(idx) else []
        conf = proba.max(axis=1).tolist() if len(idx) else []
        return [
            {"line": i + 1, "text": lines[i], "kind": KINDS[b], "confidence": c}
            for i, b, c in zip(idx, best, conf, strict=True)
        ]

    def split(self, text: str, thread_gate: str = DEFAULT_THREAD_GATE) -> list[dict]:
        """One dict per non-empty line of plain text: line (1-based), text, kind, confidence."""
        return self.split_lines(split_text_lines(text), thread_gate)
