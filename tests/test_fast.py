"""The fast scorer must compute what the scikit-learn reference pipeline computes."""

import numpy as np
import pytest

from moderation.fast import char_wb_grams
from moderation.features import CHAR_NGRAMS, build_features
from moderation.loaders import load_c3, load_toxic_spans

from .conftest import DATA, needs_data


@pytest.mark.parametrize("token", ["a", "ab", "abc", "abcd", "idiot", "!!!"])
def test_char_wb_grams_match_sklearn(token):
    vectorizer = build_features().transformer_list[1][1]
    assert vectorizer.ngram_range == CHAR_NGRAMS
    assert char_wb_grams(token) == vectorizer._char_wb_ngrams(token)


@needs_data
def test_fast_scores_equal_the_reference_pipeline_on_real_comments(trained):
    model, pipeline, _ = trained
    texts = [ex.text for ex in load_c3(DATA)[-2000:]] + [ex.text for ex in
                                                         load_toxic_spans(DATA)[-2000:]]
    texts += ["", "   ", "!!!", "ｆｕｃｋ", "s t u p i d", "a"]
    reference = pipeline.predict_proba(texts)
    fast = model.predict_proba(texts)
    scored = model.scorer.scored
    assert scored.sum() >= 4
    np.testing.assert_allclose(fast[:, scored], reference[:, scored], atol=1e-6, rtol=0)
    assert np.isnan(fast[:, ~scored]).all()


@needs_data
def test_fast_scorer_pickles_and_keeps_its_scores(trained, tmp_path):
    import joblib

    model = trained[0]
    texts = ["you are a complete idiot", "thanks for the thoughtful article"]
    joblib.dump(model, tmp_path / "m.joblib")
    again = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(again.predict_proba(texts), model.predict_proba(texts))
