"""The fast scorer must compute what the scikit-learn reference pipeline computes.

Every equivalence test runs twice: on the fixture model with the hand-written comments (no
data directory needed) and on the small real model with real comments (skips without data)."""

from collections import Counter

import numpy as np
import pytest

from moderation.features import FEATURES, build_features, char_ngrams_of
from moderation.loaders import load_c3, load_toxic_spans
from moderation.normalize import normalize, tokenize

from .conftest import DATA, HAS_DATA, NO_DATA

EDGE_CASES = ["", "   ", "!!!", "ｆｕｃｋ", "s t u p i d", "a", "a b c d e", "the the the",
              "I am a b c person", "x y z and a. b. c.", "f*ck f*ck f*ck", "s h i t s h i t",
              # counts over the kernels' small-count table (64), in one token and across many
              "idiot " * 100, "a" * 300, "you are an idiot, " * 80]


def real_texts(n: int = 2000) -> list[str]:
    return ([ex.text for ex in load_c3(DATA)[-n:]] + [ex.text for ex in load_toxic_spans(DATA)[-n:]]
            + EDGE_CASES)


def spread(texts: list[str], n: int) -> list[str]:
    """About n of the texts, taken evenly from all of them (both sources, the edge cases)."""
    return texts[::max(1, len(texts) // n)]


@pytest.fixture(params=["fixture", "real"])
def case(request):
    """(RulesModel, its reference pipeline, comments to score with it)."""
    if request.param == "fixture":
        model, pipeline, _ = request.getfixturevalue("fixture_trained")
        texts = [ex.text for ex in request.getfixturevalue("fixture_corpus")] + EDGE_CASES
        return model, pipeline, texts
    if not HAS_DATA:
        pytest.skip(NO_DATA)
    model, pipeline, _ = request.getfixturevalue("trained")
    return model, pipeline, real_texts()


@pytest.mark.parametrize("token", ["a", "ab", "abc", "abcd", "idiot", "!!!", "identityterm"])
def test_a_tokens_char_ngrams_are_those_the_reference_makes(token):
    vectorizer = build_features().transformer_list[1][1]
    assert char_ngrams_of(FEATURES)(token) == vectorizer.build_analyzer()(token)


def test_fast_scores_equal_the_reference_pipeline_on_real_comments(case):
    model, pipeline, texts = case
    reference = pipeline.predict_proba(texts)
    fast = model.predict_proba(texts)
    scored = model.scorer.scored
    assert scored.sum() >= 4
    np.testing.assert_allclose(fast[:, scored], reference[:, scored], atol=1e-6, rtol=0)
    assert np.isnan(fast[:, ~scored]).all()
    # small batches take another path (array operations only): same scores
    few = np.vstack([model.predict_proba(texts[i:i + 3]) for i in range(0, 300, 3)])
    np.testing.assert_allclose(few[:, scored], reference[:300, scored], atol=1e-6, rtol=0)


def test_fast_tfidf_matrices_equal_the_reference(case):
    model, pipeline, texts = case
    texts = spread(texts, 500)
    union = pipeline.named_steps["features"]
    word, char = model.scorer.tfidf(texts)
    for fast, (_, vectorizer) in zip((word, char), union.transformer_list, strict=True):
        reference = vectorizer.transform(texts)
        assert abs(fast - reference).max() < 1e-9


def test_batch_tokens_are_tokenize_of_each_text(case):
    model, _, texts = case
    texts = spread(texts, 1000)
    batch = model.scorer.score(texts)
    for i, text in enumerate(texts):
        assert batch.tokens(i) == tokenize(text), text
        assert " ".join(batch.tokens(i)) == normalize(text)


def reference_reasons(model, pipeline, texts, row, rule, top=3):
    """The reasons as first defined: from the pipeline's tf-idf rows, one token at a time."""
    union = pipeline.named_steps["features"]
    (_, word_vec), (_, char_vec) = union.transformer_list
    coef = pipeline.named_steps["rules"].coef_
    n_word = len(word_vec.vocabulary_)
    word = word_vec.transform([texts[row]])
    char = char_vec.transform([texts[row]])
    inverse = {col: term for term, col in word_vec.vocabulary_.items()}
    weight: Counter[str] = Counter()
    for col, value in zip(word.indices, word.data, strict=True):
        weight[inverse[col]] += value * coef[col, rule]
    contrib = dict(zip(char.indices, char.data * coef[n_word + char.indices, rule], strict=True))
    for token in set(tokenize(texts[row])):
        cols = [char_vec.vocabulary_[g] for g in char_vec._char_wb_ngrams(token)
                if g in char_vec.vocabulary_]
        if cols:
            weight[token] += sum(contrib.get(c, 0.0) for c in cols)
    return [(name, w) for name, w in weight.most_common() if w > 0][:top]


def test_reasons_equal_those_from_the_reference_tfidf(case):
    model, pipeline, texts = case
    texts = spread(texts, 300)
    batch = model.scorer.score(texts)
    proba = model.predict_proba(texts)
    checked = 0
    for row in range(len(texts)):
        for rule in np.flatnonzero(model.scorer.scored):
            if proba[row, rule] < 0.5:
                continue
            fast = model.scorer.reasons(batch, [row], [rule])[0]
            expected = reference_reasons(model, pipeline, texts, row, rule)
            # same names, up to the order of weights equal within rounding
            assert len(fast) == len(expected)
            for name, (ref_name, ref_weight) in zip(fast, expected, strict=True):
                assert name == ref_name or abs(dict(expected).get(name, -1) - ref_weight) < 1e-9
            checked += 1
    assert checked > 50


def test_rules_model_round_trips_through_arrays_and_keeps_its_verdicts(case, tmp_path):
    from moderation.model_files import load_rules_model
    from moderation.persist import save_model

    model, _, texts = case
    texts = ["you are a complete idiot", "thanks for the thoughtful article"] + spread(texts, 200)
    save_model(tmp_path / "rules.npz", "rules", *model.to_state())
    again, _ = load_rules_model(tmp_path / "rules.npz")
    np.testing.assert_allclose(again.predict_proba(texts), model.predict_proba(texts),
                               atol=1e-12, rtol=0)
    assert again.verdicts(texts) == model.verdicts(texts)
    assert again.thresholds == model.thresholds and again.rules == model.rules


@pytest.mark.parametrize("damage", ["short idf", "coef rows", "nan", "missing", "repeat"])
def test_malformed_scorer_arrays_are_refused_before_the_kernels_see_them(case, damage):
    from moderation.rule_model import RulesModel

    arrays, meta = case[0].to_state()
    arrays = dict(arrays)
    if damage == "short idf":
        arrays["idf"] = arrays["idf"][:-1]
    elif damage == "coef rows":
        arrays["coef"] = arrays["coef"][:-1]
    elif damage == "nan":
        arrays["coef"] = arrays["coef"].copy()
        arrays["coef"][0, 0] = np.nan
    elif damage == "missing":
        del arrays["intercept"]
    else:
        first = arrays["word_terms"].tobytes().split(b"\n")[0]  # a term the model has
        arrays["word_terms"] = np.concatenate([arrays["word_terms"],
                                               np.frombuffer(b"\n" + first, dtype=np.uint8)])
        n_word = int((arrays["word_terms"] == ord("\n")).sum())  # index of the new term
        arrays["idf"] = np.insert(arrays["idf"], n_word, 1.0)
        arrays["coef"] = np.insert(arrays["coef"], n_word, 0.0, axis=0)
    with pytest.raises(ValueError, match=None if damage != "repeat" else "repeat"):
        RulesModel.from_state(arrays, meta)


def test_reasons_worked_out_with_the_scores_equal_those_asked_for_later(case):
    """verdicts() takes reasons from the scoring pass (every rule at or over its review
    threshold); reasons() on a batch scored without them works them out afresh: they must
    agree, on batches and singles (verdicts show a stand-in token, any group name or slur, as
    the text writes it)."""
    from moderation.rule_model import _as_written
    model, _, texts = case
    texts = spread(texts, 300)
    ids = model.rule_ids
    batch = model.scorer.score(texts)
    checked = 0
    for verdicts in (model.verdicts(texts), [model.verdicts([t])[0] for t in texts[:100]]):
        for row, verdict in enumerate(verdicts):
            assert set(verdict["reasons"]) == set(verdict["flags"])
            for rule_id, names in verdict["reasons"].items():
                assert names == _as_written(texts[row], model.scorer.reasons(
                    batch, [row], [ids.index(rule_id)])[0])
                checked += 1
    assert checked > 100


def test_reasons_check_their_arguments_before_the_unchecked_kernels(case):
    """The compiled kernels do not check bounds: the Python side must refuse bad indices."""
    model = case[0]
    batch = model.scorer.score(["you idiot", "thanks for this"])
    n_rules = len(model.rule_ids)
    assert model.scorer.reasons(batch, [0], [0], top=0) == [[]]
    assert model.scorer.reasons(batch, [0, 1], [0, 0], top=0) == [[], []]
    for row, rule in ((2, 0), (-1, 0), (0, n_rules), (0, -1)):
        with pytest.raises(IndexError):
            model.scorer.reasons(batch, [row], [rule])
    with pytest.raises(ValueError):
        model.scorer.reasons(batch, [0, 1], [0])
    assert model.scorer.reasons(batch, [0], [0])[0]  # still works afterwards


def test_a_chunk_is_not_visible_to_other_threads_before_its_rows_are(
        fixture_trained, monkeypatch):
    """`chunk_of` is read without the lock: a chunk added in bulk must appear there only once
    its rows are in the arrays (a reader otherwise gathers uninitialised rows)."""
    import threading

    import moderation.fast.tables as tables_module
    from moderation.fast.batch import assemble
    from moderation.fast.tables import TokenTables

    model, _, _ = fixture_trained
    tables = TokenTables(model.scorer._index)
    reference = assemble(["hello there"], TokenTables(model.scorer._index))
    inside, release = threading.Event(), threading.Event()
    normalize_chunk = tables_module.normalize_chunk

    def slow_normalize(chunk):
        if chunk == "world":
            inside.set()
            release.wait(10)
        return normalize_chunk(chunk)

    monkeypatch.setattr(tables_module, "normalize_chunk", slow_normalize)
    writer = threading.Thread(target=lambda: [tables.lock.acquire(), tables.add_chunks(
        ["hello", "there", "world"]), tables.lock.release()])
    writer.start()
    assert inside.wait(10)  # "hello" and "there" are made, not yet flushed
    assert "hello" not in tables.chunk_of
    found = {}
    reader = threading.Thread(target=lambda: found.setdefault(
        "batch", assemble(["hello there"], tables)))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive()  # waits for the lock rather than reading half-made rows
    release.set()
    writer.join(10)
    reader.join(10)
    batch = found["batch"]
    assert batch.tokens(0) == reference.tokens(0) == tokenize("hello there")
    assert np.array_equal(batch.d_indptr, reference.d_indptr)
    assert [tables.names[s] for s in batch.d_indices] == [
        reference.names[s] for s in reference.d_indices]
