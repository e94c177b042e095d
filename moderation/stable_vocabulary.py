"""Fit a TF-IDF vectoriser whose `max_features` cut is the same on every CPU.

scikit-learn keeps the `max_features` most frequent terms by `argsort` with NumPy's default
(unstable) sort, and NumPy sorts with AVX-512 kernels where the CPU has them: terms tied in
frequency at the cut are kept or dropped differently on an AVX-512 and an AVX2 machine. On the
splitter's training lines that changed which of some 40,000 terms were kept, and so every
fitted number after it. Here the cut is made by a stable sort over the terms in alphabetical
order, so ties go to the alphabetically first term everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer


def top_terms(vectorizer: TfidfVectorizer, texts: list[str]) -> list[str]:
    """The terms `vectorizer` would keep on `texts` (min_df, max_df, max_features), ties at
    the max_features cut broken by term."""
    own = CountVectorizer().get_params()
    counter = CountVectorizer(**{k: v for k, v in vectorizer.get_params().items() if k in own})
    counts = counter.set_params(max_features=None, dtype=np.int64).fit_transform(texts)
    terms = counter.get_feature_names_out()  # sorted by term
    limit = vectorizer.max_features
    if limit is None or len(terms) <= limit:
        return list(terms)
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    return list(terms[np.sort(np.argsort(-frequency, kind="stable")[:limit])])


def fit_stable(vectorizer: TfidfVectorizer, texts: Iterable[str]) -> TfidfVectorizer:
    """A copy of `vectorizer` fitted on `texts` with the vocabulary of `top_terms`: the same
    transform and idf as `vectorizer.fit(texts)` up to which tied terms are kept. Reads the
    texts twice."""
    texts = list(texts)
    terms = top_terms(vectorizer, texts)
    return clone(vectorizer).set_params(vocabulary=terms, max_features=None).fit(texts)
