"""The max_features cut of StableTfidfVectorizer breaks frequency ties by term, whatever the
order of the texts, and otherwise it fits what scikit-learn's TfidfVectorizer fits."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from moderation.stable_vocabulary import StableTfidfVectorizer

WORDS = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "haven", "islet",
         "jetty", "knoll", "larch"]


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(WORDS, 3)) for _ in range(200)]


def test_ties_at_the_cut_go_to_the_first_term():
    # every word twice, once alone: all twelve tie on frequency; the cut keeps the first five
    texts = WORDS + WORDS
    fitted = StableTfidfVectorizer(max_features=5).fit(texts)
    assert sorted(fitted.vocabulary_) == WORDS[:5]
    again = StableTfidfVectorizer(max_features=5).fit(list(reversed(texts)))
    assert again.vocabulary_ == fitted.vocabulary_
    # its parameters are as built: it clones and can be fitted again with another cut
    assert fitted.get_params() == StableTfidfVectorizer(max_features=5).get_params()
    assert len(clone(fitted).set_params(max_features=3).fit(texts).vocabulary_) == 3


def test_kept_terms_are_the_most_frequent():
    texts = _texts(0)
    frequency = Counter(w for t in texts for w in t.split())
    fitted = StableTfidfVectorizer(max_features=7).fit(texts)
    kept = set(fitted.vocabulary_)
    assert len(kept) == 7
    assert min(frequency[w] for w in kept) >= max(frequency[w] for w in set(WORDS) - kept)


def test_same_transform_as_sklearn_without_a_cut():
    texts = _texts(1)
    ours = StableTfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
    theirs = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
    assert ours.vocabulary_ == theirs.vocabulary_
    np.testing.assert_array_equal(ours.idf_, theirs.idf_)
    assert (ours.transform(texts[:20]) != theirs.transform(texts[:20])).nnz == 0


def test_fit_transform_is_fit_then_transform():
    texts = _texts(2)
    vec = StableTfidfVectorizer(max_features=6, ngram_range=(1, 2))
    direct = vec.fit_transform(texts)
    assert (direct != vec.transform(texts)).nnz == 0
    assert direct.shape == (len(texts), 6)
