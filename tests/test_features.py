"""One feature specification drives the reference pipeline and the fast scorer (no data needed).

A tiny model fitted on a few made-up comments is enough to check that every field of
`FeatureSpec` reaches the built vectorisers, that the fast scorer equals the reference it is
built from, and that a model whose specification is missing or not implemented is refused.
"""

from dataclasses import fields, replace

import numpy as np
import pytest

from moderation.errors import ModelLoadError
from moderation.fast import FastScorer
from moderation.features import FEATURES, ContentWordNgrams, FeatureSpec, build_features
from moderation.model_files import load_rules_model
from moderation.normalize import tokenize
from moderation.persist import save_model
from moderation.rule_model import RulesModel, build_pipeline, fast_scorer_from
from moderation.rules import Rule

BAD = ["you are an idiot", "stupid idiot troll", "shut up moron", "you idiot", "what a moron",
       "s t u p i d idiot", "f*ck off idiot", "idiot idiot idiot"]
GOOD = ["thanks for the article", "great point well made", "i agree with this", "nice piece",
        "thanks a lot", "interesting take on the news", "well written", "i learned something"]
UNSEEN = ["a b c d", "x y z and a. b. c.", "", "you are a m o r o n", "thanks, idiot!!",
          "ｆｕｃｋ off", "the the the", "i d i o t", "a b", "s t u p i d and a b c"]
TINY = FeatureSpec(min_df=1)
RULES = [Rule("be_nice", "Be nice", "No insults."), Rule("be_truthful", "Be truthful", "-")]

# a value other than the default for every field, and where the built vectorisers hold it
CHANGES = {
    "word_ngrams": ((1, 1), lambda p: p["word__analyzer"].ngrams),
    "char_ngrams": ((3, 4), lambda p: p["char__ngram_range"]),
    "char_analyzer": ("char", lambda p: p["char__analyzer"]),
    "sublinear_tf": (False, lambda p: p["word__sublinear_tf"]),
    "norm": ("l1", lambda p: p["char__norm"]),
    "min_df": (3, lambda p: p["word__min_df"]),
    "max_word_features": (10, lambda p: p["word__max_features"]),
    "max_char_features": (10, lambda p: p["char__max_features"]),
    "drop_function_ngrams": (False, lambda p: isinstance(p["word__analyzer"],
                                                         ContentWordNgrams)),
}


def fit(spec: FeatureSpec = TINY):
    texts = (BAD + GOOD) * 3
    targets = np.array(([[1, -1]] * len(BAD) + [[0, -1]] * len(GOOD)) * 3)
    return build_pipeline(spec).fit(texts, targets)


@pytest.fixture(scope="module", params=[TINY, replace(TINY, drop_function_ngrams=False)],
                ids=["content-ngrams", "all-ngrams"])
def tiny(request):
    pipeline = fit(request.param)
    model = RulesModel(RULES, fast_scorer_from(pipeline),
                       {"be_nice": {"review": 0.5, "reject": 0.9}, "be_truthful": None})
    return model, pipeline


def test_every_field_of_the_spec_changes_the_built_vectorizers():
    assert set(CHANGES) == {f.name for f in fields(FeatureSpec)}
    default = build_features(FEATURES).get_params()
    for name, (value, held) in CHANGES.items():
        spec = replace(FEATURES, **{name: value})
        built = build_features(spec)
        assert held(built.get_params()) == value != held(default), name
        assert FeatureSpec.of(built) == spec
    old = replace(FEATURES, drop_function_ngrams=False, word_ngrams=(1, 1))
    assert build_features(old).get_params()["word__ngram_range"] == (1, 1)
    assert FeatureSpec.of(build_features(old)) == old


def test_word_ngrams_of_function_words_alone_are_left_out_and_the_rest_kept():
    words = ContentWordNgrams((1, 2))
    assert words("You are a kind person") == ["kind", "person", "a kind", "kind person"]
    assert words("You're a") == []
    # first person, modals and reported speech stay: "I will" marks a threat
    assert words("I will say that they were") == [
        "i", "will", "say", "that", "were", "i will", "will say", "say that", "that they",
        "they were"]
    # without function words, what scikit-learn's own word analyser gives
    plain = build_features(replace(FEATURES, drop_function_ngrams=False))
    sklearn_words = plain.transformer_list[0][1].build_analyzer()
    for text in ("Idiot troll!! Pathetic moron", "thanks moron", "ｆｕｃｋ trolls please", ""):
        assert words(text) == sklearn_words(text)


def test_a_spec_saved_before_function_ngrams_were_dropped_loads_as_keeping_them():
    saved = {k: v for k, v in FEATURES.to_json().items() if k != "drop_function_ngrams"}
    assert FeatureSpec.from_json(saved) == replace(FEATURES, drop_function_ngrams=False)


def test_a_union_not_built_from_a_spec_is_not_taken_for_one():
    union = build_features(FEATURES).set_params(word__lowercase=True)
    with pytest.raises(ValueError, match="not built by build_features"):
        FeatureSpec.of(union)


def test_the_spec_round_trips_through_json_and_malformed_ones_are_refused():
    assert FeatureSpec.from_json(FEATURES.to_json()) == FEATURES
    good = FEATURES.to_json()
    for bad in (None, [], {**good, "extra": 1}, {k: v for k, v in good.items() if k != "norm"},
                {**good, "word_ngrams": [1]}, {**good, "min_df": "2"},
                {**good, "sublinear_tf": 1}):
        with pytest.raises(ValueError):
            FeatureSpec.from_json(bad)


def test_fast_scores_and_tfidf_equal_the_reference_it_is_built_from(tiny):
    model, pipeline = tiny
    texts = BAD + GOOD + UNSEEN
    np.testing.assert_allclose(model.scorer.predict_proba(texts)[:, 0],
                               pipeline.predict_proba(texts)[:, 0], atol=1e-6, rtol=0)
    batch = model.scorer.score(texts)
    assert [batch.tokens(i) for i in range(len(texts))] == [tokenize(t) for t in texts]
    union = pipeline.named_steps["features"]
    for fast, (_, vectorizer) in zip(model.scorer.tfidf(texts), union.transformer_list,
                                     strict=True):
        assert abs(fast - vectorizer.transform(texts)).max() < 1e-9


@pytest.mark.parametrize("change", [{"sublinear_tf": False}, {"norm": "l1"}, {"norm": None},
                                    {"char_analyzer": "char"}, {"word_ngrams": (1, 3)}])
def test_the_fast_scorer_refuses_a_spec_it_does_not_implement(change):
    spec = replace(TINY, **change)
    with pytest.raises(ValueError, match="does not implement .*" + next(iter(change))):
        FastScorer.check_spec(spec)
    with pytest.raises(ValueError, match="does not implement"):
        fast_scorer_from(fit(spec))


def test_a_saved_model_records_its_spec_and_loads_with_the_same_scores(tiny, tmp_path):
    model = tiny[0]
    manifest = save_model(tmp_path / "rules.npz", "rules", *model.to_state())
    assert manifest["model"]["features"] == model.scorer.spec.to_json()
    again, _ = load_rules_model(tmp_path / "rules.npz")
    assert again.scorer.spec == model.scorer.spec
    texts = BAD + GOOD + UNSEEN
    assert again.verdicts(texts) == model.verdicts(texts)


def test_a_model_saved_without_a_spec_is_refused_with_one_line_saying_retrain(tiny, tmp_path):
    arrays, meta = tiny[0].to_state()
    del meta["features"]
    save_model(tmp_path / "rules.npz", "rules", arrays, meta)
    with pytest.raises(ModelLoadError, match="no feature specification.*retrain") as caught:
        load_rules_model(tmp_path / "rules.npz")
    assert "\n" not in str(caught.value)


def test_a_model_whose_spec_is_not_implemented_is_refused_on_load(tiny, tmp_path):
    arrays, meta = tiny[0].to_state()
    meta["features"] = {**meta["features"], "sublinear_tf": False}
    save_model(tmp_path / "rules.npz", "rules", arrays, meta)
    with pytest.raises(ModelLoadError, match="does not implement .*sublinear_tf"):
        load_rules_model(tmp_path / "rules.npz")
