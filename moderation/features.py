"""The reference featuriser: word 1-2-gram and char_wb 2-5-gram TF-IDF over normalised text.

This scikit-learn FeatureUnion is the definition of what the model computes; moderation.fast
computes the same matrix faster, and tests hold the two to 1e-6 on real comments. Both
vectorisers see `normalize(text)`, whose tokens are joined by single spaces, so that a word
n-gram is a run of tokens and a char_wb n-gram never crosses a token boundary.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from .normalize import normalize

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)


def split_tokens(text: str) -> list[str]:
    """Tokenizer for already-normalised text (module-level so the pipeline pickles)."""
    return text.split()


def build_features(max_word_features: int | None = 200_000,
                   max_char_features: int | None = 300_000,
                   min_df: int = 2) -> FeatureUnion:
    """An unfitted FeatureUnion of the word and char_wb TF-IDF vectorisers."""
    common = dict(preprocessor=normalize, lowercase=False, sublinear_tf=True, min_df=min_df,
                  dtype=np.float64)
    word = TfidfVectorizer(analyzer="word", tokenizer=split_tokens, token_pattern=None,
                           ngram_range=WORD_NGRAMS, max_features=max_word_features, **common)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS,
                           max_features=max_char_features, **common)
    return FeatureUnion([("word", word), ("char", char)])
