"""The fitted splitter: TF-IDF + logistic regression per line, then a stacked second pass.

Pass 1 scores each non-empty line from its own words and dense features. Pass 2 is a small
gradient-boosted tree model over a window of pass-1 probabilities around the line plus position
and section features (see `features.context_features`); it was trained on out-of-fold pass-1
probabilities, so at prediction time it sees probabilities of the same quality as in training.

Everything is plain scikit-learn objects and module-level functions, so the model pickles.
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from .features import context_features, line_text, page_lines

KINDS = ("body", "comment", "boilerplate")
_NEWLINE = re.compile(r"\r\n|\r|\n")
TOKEN_PATTERN = r"(?u)\b\w+\b|[()©▲▼|:·!?\"“”@#*…]"


def split_text_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (\\n, \\r\\n or \\r; no other separators)."""
    return _NEWLINE.split(text)


def make_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(preprocessor=line_text, token_pattern=TOKEN_PATTERN,
                           ngram_range=(1, 2), min_df=2, max_features=40_000,
                           sublinear_tf=True, dtype=np.float32)


def first_pass_matrix(vectorizer: TfidfVectorizer, scaler: StandardScaler, texts: list[str],
                      dense: np.ndarray) -> sp.csr_matrix:
    words = vectorizer.transform(texts)
    return sp.hstack([words, sp.csr_matrix(scaler.transform(dense))], format="csr")


class SplitterModel:
    """Labels each non-empty line of a page body, comment or boilerplate."""

    def __init__(self, vectorizer: TfidfVectorizer, scaler1: StandardScaler,
                 first: LogisticRegression | SGDClassifier, scaler2: StandardScaler,
                 second: LogisticRegression | HistGradientBoostingClassifier) -> None:
        self.vectorizer = vectorizer
        self.scaler1 = scaler1
        self.first = first
        self.scaler2 = scaler2
        self.second = second
        self.kinds = KINDS

    def _ordered(self, proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
        order = [list(classes).index(k) for k in KINDS]
        return proba[:, order]

    def first_pass(self, texts: list[str], dense: np.ndarray) -> np.ndarray:
        X = first_pass_matrix(self.vectorizer, self.scaler1, texts, dense)
        return self._ordered(self.first.predict_proba(X), self.first.classes_)

    def second_pass(self, probs: np.ndarray, dense: np.ndarray) -> np.ndarray:
        X = self.scaler2.transform(context_features(probs, dense))
        with threadpool_limits(1):  # thread start-up and contention cost more than they save
            proba = self.second.predict_proba(X)
        return self._ordered(proba, self.second.classes_)

    def predict_lines(self, lines: list[str]) -> tuple[list[int], np.ndarray]:
        """Indices of the non-empty lines and their (n, 3) probabilities in KINDS order."""
        idx, texts, dense = page_lines(lines)
        if not idx:
            return idx, np.zeros((0, len(KINDS)))
        return idx, self.second_pass(self.first_pass(texts, dense), dense)

    def split(self, text: str) -> list[dict]:
        """One dict per non-empty line: line (1-based), text, kind, confidence."""
        lines = split_text_lines(text)
        idx, proba = self.predict_lines(lines)
        best = proba.argmax(axis=1) if len(idx) else []
        return [
            {"line": i + 1, "text": lines[i], "kind": KINDS[int(b)],
             "confidence": float(proba[j, b])}
            for j, (i, b) in enumerate(zip(idx, best, strict=True))
        ]
