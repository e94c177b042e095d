"""The max_features cut of StableTfidfVectorizer breaks frequency ties by term, whatever the
order of the texts, and otherwise it fits what scikit-learn's TfidfVectorizer fits."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from moderation.stable_vocabulary import StableTfidfVectorizer

WORDS = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "haven", "islet",
         "jetty", "knoll", "larch"]


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(WORDS, 3)) for _ in range(200)]


def _tied_texts(rng: random.Random) -> tuple[list[str], Counter]:
    """Some 600 made-up words in shuffled texts, each used 1-4 times: hundreds tie at any
    cut, enough that NumPy's default sort (introsort past 16 items, AVX-512 where the CPU has
    it) does not keep them in order, as it happens to for a handful."""
    words = [f"w{a}{b}{c}".translate(str.maketrans("0123456789", "abcdefghij"))
             for a in range(10) for b in range(10) for c in range(6)]
    uses = [w for w in words for _ in range(rng.randint(1, 4))]
    rng.shuffle(uses)
    texts = [" ".join(uses[i:i + 7]) for i in range(0, len(uses), 7)]
    return texts, Counter(uses)


def test_ties_at_the_cut_go_to_the_first_term():
    texts, frequency = _tied_texts(random.Random(0))
    expected = sorted(frequency, key=lambda w: (-frequency[w], w))[:250]
    fitted = StableTfidfVectorizer(max_features=250).fit(texts)
    assert sorted(fitted.vocabulary_) == sorted(expected)
    assert min(frequency[w] for w in expected) < max(frequency.values())  # the cut is in a tie
    again = StableTfidfVectorizer(max_features=250).fit(list(reversed(texts)))
    assert again.vocabulary_ == fitted.vocabulary_
    # its parameters are as built: it clones and can be fitted again with another cut
    assert fitted.get_params() == StableTfidfVectorizer(max_features=250).get_params()
    assert not fitted.fixed_vocabulary_
    assert len(clone(fitted).set_params(max_features=3).fit(texts).vocabulary_) == 3


def test_same_as_sklearn_when_no_term_ties_at_the_cut():
    # frequencies 1..12 for the twelve words: the 7 most frequent are unambiguous
    texts = [" ".join([w] * (i + 1)) for i, w in enumerate(WORDS)]
    ours = StableTfidfVectorizer(max_features=7).fit(texts)
    theirs = TfidfVectorizer(max_features=7).fit(texts)
    assert ours.vocabulary_ == theirs.vocabulary_ and set(ours.vocabulary_) == set(WORDS[5:])
    np.testing.assert_array_equal(ours.idf_, theirs.idf_)


def test_bad_parameters_are_refused_as_sklearn_does():
    for bad in (-1, 2.5):
        with pytest.raises(ValueError):
            StableTfidfVectorizer(max_features=bad).fit(WORDS)
    with pytest.raises(ValueError, match="files"):
        StableTfidfVectorizer(max_features=3, input="file").fit([])


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
