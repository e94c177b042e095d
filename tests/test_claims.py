"""The be_truthful signal (issue 16): sentences, the claim model in the scoring path, whom a
claim is about, the rules file's on_flag, Coral's mapping, and the labelled data.

The core tests use a claim model trained in a second on tests/fixtures/claims.tsv
(hand-written sentences) attached to the fixture rules model; the data tests train the real
one on ClaimBuster and check held-out figures with a margin below the measured ones."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.claims import ClaimModel, about, claim_reasons, rules_arrays
from moderation.errors import RulesError
from moderation.rule_model import RulesModel, build_pipeline, fast_scorer_from
from moderation.rules import claim_rules, load_rules
from moderation.sentences import sentence_spans, sentences
from moderation.service import coral
from moderation.service.config import ServiceConfig

from .conftest import DATA, SMALL_FEATURES, needs_data
from .test_linear_time import MAX_RATIO, _ratio

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "claims.tsv"


def _fixture_sentences() -> tuple[list[str], np.ndarray]:
    rows = [line.split("\t") for line in FIXTURE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    return [text for _, text in rows], np.array([int(label) for label, _ in rows])


@pytest.fixture(scope="module")
def claim_model() -> ClaimModel:
    texts, y = _fixture_sentences()
    pipeline = build_pipeline(SMALL_FEATURES, C=3.0)
    pipeline.fit(texts, y.reshape(-1, 1))
    return ClaimModel(fast_scorer_from(pipeline))


def with_claims(model: RulesModel, claims: ClaimModel, threshold: float | None,
                on_flag: str = "tag") -> RulesModel:
    """A copy of `model` whose be_truthful rule is scored by `claims`."""
    rules = [dataclasses.replace(r, kind="signal", scored_by="claims", on_flag=on_flag)
             if r.id == "be_truthful" else r for r in model.rules]
    thresholds = {**copy.deepcopy(model.thresholds), "be_truthful": {"review": threshold}}
    return RulesModel(rules, model.scorer, thresholds, claims)


# --- sentences ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith went to Washington. He told us. Then he left!",
     ["Mr. Smith went to Washington.", "He told us.", "Then he left!"]),
    ("The U.S. economy grew 3.5% in 2015. J. Doe said so.",
     ["The U.S. economy grew 3.5% in 2015.", "J. Doe said so."]),
    ("Really?? \"Yes.\" Fine", ["Really??", "\"Yes.\"", "Fine"]),
    ("first line\nsecond line", ["first line", "second line"]),
    ("I think so...but no. Fine", ["I think so...but no.", "Fine"]),
    ("... !!! ???", []),
    ("", []),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize("text, expected", [
    # an invisible character after the mark still ends the sentence
    ("The mayor lied in 2019.\u200b I think so", ["The mayor lied in 2019.\u200b", "I think so"]),
    # every line break str.splitlines knows ends one
    ("claim here\u2028opinion here", ["claim here", "opinion here"]),
    ("one\x85two\u2029three", ["one", "two", "three"]),
    # "I." is a word, not an initial
    ("So do I. The mayor lied.", ["So do I.", "The mayor lied."]),
])
def test_sentences_an_attacker_cannot_glue(text, expected):
    assert sentences(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_sentence_spans_are_ordered_trimmed_pieces_with_words(text):
    spans = sentence_spans(text)
    end = 0
    for s, e in spans:
        assert end <= s < e <= len(text)
        piece = text[s:e]
        assert piece == piece.strip() and any(ch.isalnum() for ch in piece)
        end = e
    # nothing with a word in it is left out of every sentence
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    assert all(i in covered or not ch.isalnum() for i, ch in enumerate(text))


@pytest.mark.parametrize("unit", ["a. ", "Mr. ", ".", "x", "a.b. ", "?! ", "\n"])
def test_sentence_spans_grow_linearly(unit):
    assert _ratio(sentence_spans, unit) < MAX_RATIO


# --- whom a claim is about -------------------------------------------------------------------


@pytest.mark.parametrize("sentence, who", [
    ("the mayor took money from the developer", "the mayor"),
    ("Rob Ford was arrested twice.", "Rob Ford"),
    ("He was arrested twice before.", "He"),
    ("In 2014 the RCMP charged Mike Duffy with fraud.", "the RCMP"),
    ("Police said the suspect fled.", "Police"),
    ("Prices rose 3% last year.", None),
    ("I think it is wrong.", None),
    ("The school cut 40 teachers", None),
    ("", None),
    ("The mayor\u200b lied", "The mayor"),
    ("In Vancouver the council cut 40 jobs.", "the council"),
    ("Canada has 15 million legal guns.", None),
])
def test_about(sentence, who):
    assert about(sentence) == who


def test_claim_reasons_give_the_sentence_as_written_and_whom_it_is_about():
    text = "Great news.  The mayor took $40,000 from the developer! Shame."
    span = sentence_spans(text)[1]
    assert claim_reasons(text, span) == ["The mayor took $40,000 from the developer!",
                                         "about: The mayor"]
    assert claim_reasons(text, None) == []
    long = "The mayor took " + "very " * 200 + "much."
    reasons = claim_reasons(long, (0, len(long)))
    assert len(reasons[0]) == 301 and reasons[0].endswith("…")


def test_a_claim_rule_with_nothing_to_score_is_null_not_nan(fixture_trained, claim_model):
    import json

    model = with_claims(fixture_trained[0], claim_model, 0.5)
    for text in ("!!", "!" * 80, "\U0001f642" * 70):
        verdict = model.verdicts([text])[0]
        assert verdict["scores"]["be_truthful"] is None
        json.dumps(verdict, allow_nan=False)


# --- the claim model in the scoring path -----------------------------------------------------


def test_a_comment_scores_as_its_most_claim_like_sentence(claim_model):
    claim = "The council voted six to three to close the library in March."
    opinion = "What a lovely story, thanks for sharing."
    best, spans = claim_model.sentence_scores([f"{opinion} {claim}", opinion, "", "..."])
    alone = claim_model.scorer.predict_proba([claim, opinion])[:, 0]
    assert best[0] == pytest.approx(alone[0]) and best[1] == pytest.approx(alone[1])
    assert best[0] > best[1]
    assert f"{opinion} {claim}"[slice(*spans[0])] == claim
    assert np.isnan(best[2]) and np.isnan(best[3]) and spans[2] is None


def test_verdicts_tag_a_claim_without_changing_the_action(fixture_trained, claim_model):
    model = with_claims(fixture_trained[0], claim_model, threshold=0.5)
    text = "Thanks for the piece. The mayor took forty thousand dollars from the developer."
    plain = fixture_trained[0].verdicts([text])[0]
    verdict = model.verdicts([text])[0]
    assert verdict["scores"]["be_truthful"] > 0.5 and "be_truthful" in verdict["flags"]
    assert verdict["reasons"]["be_truthful"] == [
        "The mayor took forty thousand dollars from the developer.", "about: The mayor"]
    assert verdict["action"] == plain["action"]
    # every other rule's score is the rules model's own
    assert {k: v for k, v in verdict["scores"].items() if k != "be_truthful"} == {
        k: v for k, v in plain["scores"].items() if k != "be_truthful"}
    assert plain["scores"]["be_truthful"] is None  # without a claim model: not scored


def test_on_flag_review_sends_a_claim_to_review(fixture_trained, claim_model):
    text = "The mayor took forty thousand dollars from the developer."
    tagged = with_claims(fixture_trained[0], claim_model, 0.5).verdicts([text])[0]
    reviewed = with_claims(fixture_trained[0], claim_model, 0.5, "review").verdicts([text])[0]
    assert tagged["action"] == "approve" and reviewed["action"] == "review"
    unflagged = with_claims(fixture_trained[0], claim_model, 0.999, "review").verdicts([text])
    assert unflagged[0]["action"] == "approve"


def test_the_claim_model_is_saved_with_the_rules_model(fixture_trained, claim_model):
    model = with_claims(fixture_trained[0], claim_model, 0.5)
    arrays, meta = model.to_state()
    assert any(name.startswith("claims_") for name in arrays)
    loaded = RulesModel.from_state(arrays, meta)
    texts = ["The bridge was built in 1962.", "I hope so. Who knows?", ""]
    assert loaded.verdicts(texts) == model.verdicts(texts)
    # the rules model alone ignores the claim arrays; without its metadata be_truthful is
    # not scored
    plain = RulesModel.from_state(rules_arrays(arrays), {k: v for k, v in meta.items()
                                                        if k != "claims"})
    assert plain.claims is None
    assert plain.verdicts(texts)[0]["scores"]["be_truthful"] is None


def test_a_malformed_claim_model_is_refused(fixture_trained, claim_model):
    arrays, meta = with_claims(fixture_trained[0], claim_model, 0.5).to_state()
    broken = {**arrays, "claims_coef": arrays["claims_coef"][:-1]}
    with pytest.raises(ValueError, match="disagree"):
        RulesModel.from_state(broken, meta)
    with pytest.raises(ValueError, match="feature specification"):
        RulesModel.from_state(arrays, {**meta, "claims": {}})


# --- the rules file --------------------------------------------------------------------------


def test_the_packaged_be_truthful_is_a_claim_signal_that_only_tags():
    rule = next(r for r in load_rules() if r.id == "be_truthful")
    assert (rule.kind, rule.scored_by, rule.on_flag) == ("signal", "claims", "tag")


@pytest.mark.parametrize("extra, message", [
    ('kind = "violation"\nscored_by = "claims"', "must be of kind"),
    ('kind = "signal"\nscored_by = "oracle"', "scored_by"),
    ('kind = "signal"\non_flag = "reject"', "on_flag"),
])
def test_the_rules_file_checks_scored_by_and_on_flag(tmp_path, extra, message):
    path = tmp_path / "rules.toml"
    path.write_text(f'[[rule]]\nid = "be_truthful"\ntitle = "T"\ntext = "x"\n{extra}\n')
    with pytest.raises(RulesError, match=message):
        load_rules(path)


# --- Coral -----------------------------------------------------------------------------------


def test_coral_never_features_a_claim_and_flags_a_claim_review_as_such():
    kinds = {"toxicity": "violation", "be_truthful": "signal", "share_with_us": "signal"}
    manifest = {"rules": [{"id": "be_truthful", "scored_by": "claims",
                           "thresholds": {"review": 0.5}},
                          {"id": "share_with_us", "scored_by": "rules",
                           "thresholds": {"review": 0.6}}]}
    signals = coral.signal_thresholds(kinds, manifest)
    assert signals == {"share_with_us": 0.6}
    config = ServiceConfig(featured=True)
    violations = frozenset({"toxicity"})
    claims = claim_rules(manifest)
    assert claims == {"be_truthful"}
    claim_only = {"action": "approve", "flags": ["be_truthful"],
                  "scores": {"be_truthful": 0.9, "share_with_us": 0.1}}
    assert coral.decide(claim_only, signals, config, violations, claims) is None
    by_claim = {**claim_only, "action": "review"}
    assert coral.decide(by_claim, signals, config, violations, claims) == {
        "actions": [coral.FLAG_CLAIM]}
    both = {**by_claim, "flags": ["toxicity", "be_truthful"]}
    assert coral.decide(both, signals, config, violations, claims) == {
        "actions": [coral.FLAG_TOXIC]}
    # a review asked for by another signal (share_with_us with on_flag = "review") is not
    # called a claim
    by_story = {**by_claim, "flags": ["share_with_us"]}
    assert coral.decide(by_story, signals, config, violations, claims) == {
        "actions": [coral.FLAG_TOXIC]}


# --- the data --------------------------------------------------------------------------------


@needs_data
def test_claimbuster_split_keeps_each_debate_block_on_one_side():
    from moderation.loaders.claims import load_claimbuster

    rows = load_claimbuster(DATA)
    sides: dict[str, set[str]] = {}
    for row in rows:
        sides.setdefault(row.group, set()).add(row.split)
    assert all(len(s) == 1 for s in sides.values())
    share = {split: np.mean([r.split == split for r in rows]) for split in ("train", "test")}
    assert 0.1 < share["test"] < 0.3 and share["train"] > 0.6


@needs_data
def test_labelled_comment_sentences_all_resolve_and_sets_do_not_share_articles():
    from moderation.loaders.claims import load_labelled

    sets = {which: load_labelled(DATA, which) for which in ("eval", "dev", "train")}
    assert {k: len(v) for k, v in sets.items()} == {"eval": 330, "dev": 220, "train": 1200}
    articles = {k: {s.group for s in v} for k, v in sets.items()}
    assert not articles["eval"] & (articles["dev"] | articles["train"])
    assert not articles["dev"] & articles["train"]
    for rows in sets.values():
        assert all(s.about_person is None for s in rows if s.claim == 0)


@pytest.fixture(scope="module")
def real_claim_model():
    from moderation.claims_train import train_claim_model

    return train_claim_model(DATA)


@needs_data
def test_the_real_claim_model_on_held_out_sentences(real_claim_model):
    """Measured 0.929 (ClaimBuster test) and 0.744 (our eval comment sentences); the margins
    only catch a broken model, not a change of a few hundredths."""
    from sklearn.metrics import roc_auc_score

    from moderation.loaders.claims import load_claimbuster, load_labelled

    model, threshold, info = real_claim_model
    assert threshold is not None and 0.05 < threshold < 0.95
    test = [r for r in load_claimbuster(DATA) if r.split == "test"]
    p = model.sentence_scores([r.text for r in test])[0]
    assert roc_auc_score([r.claim for r in test], p) > 0.88
    comments = load_labelled(DATA, "eval")
    p = model.sentence_scores([s.text for s in comments])[0]
    assert roc_auc_score([s.claim for s in comments], p) > 0.68


# --- hostile input ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(max_size=200), min_size=1, max_size=6))
def test_claim_scores_are_probabilities_and_independent_of_the_batch(claim_model,
                                                                       fixture_trained, texts):
    model = with_claims(fixture_trained[0], claim_model, 0.5)
    together = model.verdicts(texts)
    assert len(together) == len(texts)
    for text, verdict in zip(texts, together, strict=True):
        score = verdict["scores"]["be_truthful"]
        assert score is None or 0.0 <= score <= 1.0
        assert verdict == model.verdicts([text])[0]


def test_scoring_claims_in_a_64_kib_comment_grows_linearly(fixture_trained, claim_model):
    model = with_claims(fixture_trained[0], claim_model, 0.0)  # every comment flagged
    for unit in ("a. ", "Mr. ", "He. ", ".\n"):
        def score(text: str) -> None:
            claim_model.scorer.clear_caches()
            model.verdicts([text])

        assert _ratio(score, unit) < MAX_RATIO, unit


def test_explain_gives_the_claim_sentence_and_weights_that_add_up(fixture_trained,
                                                                    claim_model):
    from moderation.explain import explain_text

    model = with_claims(fixture_trained[0], claim_model, 0.5)
    text = "Nice one. The bridge was built in 1962 and repaired in 1998. Who knew?"
    result = explain_text(model, text, top=None)["rules"]["be_truthful"]
    verdict = model.verdicts([text])[0]
    assert result["sentence"] == "The bridge was built in 1962 and repaired in 1998."
    total = result["intercept"] + sum(c["weight"] for c in result["contributions"])
    assert total == pytest.approx(result["decision"])
    assert result["score"] == pytest.approx(verdict["scores"]["be_truthful"], abs=1e-4)
    assert result["flagged"] == ("be_truthful" in verdict["flags"])


def test_the_report_lists_the_claim_models_own_ngrams(fixture_trained, claim_model):
    from moderation.report import top_ngrams

    model = with_claims(fixture_trained[0], claim_model, 0.5)
    top = top_ngrams(model, "be_truthful", n=5)
    assert all(row["weight"] > 0 for row in top)
    own = set(claim_model.scorer.word_terms) | set(claim_model.scorer.char_terms)
    assert {row["ngram"] for row in top} <= own


def test_attaching_a_claim_model_to_a_used_model_takes_effect(fixture_trained, claim_model):
    model = with_claims(fixture_trained[0], claim_model, None)
    text = "The mayor took forty thousand dollars from the developer."
    assert "be_truthful" not in model.verdicts([text])[0]["flags"]  # thresholds now cached
    model.attach_claims(claim_model, 0.5)
    assert "be_truthful" in model.verdicts([text])[0]["flags"]


def test_a_pronoun_is_shown_with_whom_the_sentence_before_names():
    text = "I know the mayor well. He took 40,000 dollars from the developer in 2015."
    assert claim_reasons(text, sentence_spans(text)[1])[1] == "about: He (the mayor)"
    text = "Nice piece. He took 40,000 dollars."
    assert claim_reasons(text, sentence_spans(text)[1])[1] == "about: He"


def test_reasons_come_in_the_order_of_the_flags(fixture_trained, claim_model):
    model = with_claims(fixture_trained[0], claim_model, 0.0)  # be_truthful always flagged
    verdict = model.verdicts(["You idiot. The mayor took forty thousand dollars."])[0]
    assert list(verdict["reasons"]) == [f for f in verdict["flags"] if f in verdict["reasons"]]
    assert "be_truthful" in verdict["reasons"] and len(verdict["flags"]) > 1
