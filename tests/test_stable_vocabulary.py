"""The max_features cut of `fit_stable` breaks frequency ties by term, whatever the order of
the texts, and otherwise fits what scikit-learn fits."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from moderation.stable_vocabulary import fit_stable

WORDS = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "haven", "islet",
         "jetty", "knoll", "larch"]


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(WORDS, 3)) for _ in range(200)]


def test_ties_at_the_cut_go_to_the_first_term():
    # every word twice, once alone: all twelve tie on frequency; the cut keeps the first five
    texts = WORDS + WORDS
    fitted = fit_stable(TfidfVectorizer(max_features=5), texts)
    assert sorted(fitted.vocabulary_) == WORDS[:5]
    again = fit_stable(TfidfVectorizer(max_features=5), list(reversed(texts)))
    assert again.vocabulary_ == fitted.vocabulary_


def test_kept_terms_are_the_most_frequent():
    texts = _texts(0)
    frequency = Counter(w for t in texts for w in t.split())
    fitted = fit_stable(TfidfVectorizer(max_features=7), texts)
    kept = set(fitted.vocabulary_)
    assert len(kept) == 7
    assert min(frequency[w] for w in kept) >= max(frequency[w] for w in set(WORDS) - kept)


def test_same_transform_as_sklearn_without_a_cut():
    texts = _texts(1)
    ours = fit_stable(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), texts)
    theirs = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
    assert ours.vocabulary_ == theirs.vocabulary_
    np.testing.assert_array_equal(ours.idf_, theirs.idf_)
    assert (ours.transform(texts[:20]) != theirs.transform(texts[:20])).nnz == 0
