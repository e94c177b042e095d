"""A TF-IDF vectoriser whose `max_features` cut is the same on every CPU.

scikit-learn keeps the `max_features` most frequent terms by `argsort` with NumPy's default
(unstable) sort, and NumPy sorts with AVX-512 kernels where the CPU has them: terms tied in
frequency at the cut are kept or dropped differently on an AVX-512 and an AVX2 machine. On the
splitter's training lines that changed which of some 40,000 terms were kept, and so every
fitted number after it, and 154 of the rules model's 200,000 word terms. Here the cut
is made by a stable sort over the terms in alphabetical order, so ties go to the
alphabetically first term everywhere.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer


def top_terms(vectorizer: TfidfVectorizer, texts: list[str]) -> list[str]:
    """The terms `vectorizer` keeps on `texts` (min_df, max_df, max_features), ties at the
    max_features cut broken by term."""
    own = CountVectorizer().get_params()
    counter = CountVectorizer(**{k: v for k, v in vectorizer.get_params().items() if k in own})
    counts = counter.set_params(max_features=None, vocabulary=None,
                                dtype=np.int64).fit_transform(texts)
    terms = counter.get_feature_names_out()  # sorted by term
    limit = vectorizer.max_features
    if limit is None or len(terms) <= limit:
        return list(terms)
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    return list(terms[np.sort(np.argsort(-frequency, kind="stable")[:limit])])


class StableTfidfVectorizer(TfidfVectorizer):
    """TfidfVectorizer whose fit keeps the vocabulary of `top_terms`: the same transform and
    idf as TfidfVectorizer's up to which tied terms are kept. With `max_features` set it reads
    the texts twice (so only `input="content"`), and during that fit its `vocabulary` and
    `max_features` parameters are swapped (one fit at a time per object); after it they are
    as given, so it clones and compares like the vectoriser it was built as."""

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        if self.max_features is None or self.vocabulary is not None:
            return super().fit_transform(raw_documents, y)
        self._validate_params()
        if self.input != "content":
            raise ValueError("StableTfidfVectorizer with max_features reads texts, not files")
        texts = list(raw_documents)
        limit = self.max_features
        terms = top_terms(self, texts)
        try:
            self.set_params(vocabulary=terms, max_features=None)
            return super().fit_transform(texts, y)
        finally:
            self.set_params(vocabulary=None, max_features=limit)
            self.fixed_vocabulary_ = False  # as a fit that chose its own vocabulary leaves it
