from pathlib import Path

import numpy as np
import pytest

from moderation.classifiers import RuleClassifiers
from moderation.review_budget import RATE_MARGIN_SE, RESAMPLES, review_rate_thresholds
from moderation.rule_model import threshold_for_precision, threshold_for_recall

from .conftest import needs_data


def test_threshold_for_precision():
    y = np.array([0, 0, 1, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.8, 0.9])
    assert threshold_for_precision(y, p, 1.0) == pytest.approx(0.8)
    assert threshold_for_precision(y, p, 0.75) == pytest.approx(0.3)
    assert threshold_for_precision(np.array([0, 1]), np.array([0.9, 0.1]), 1.1) is None


def test_threshold_for_precision_at_a_stated_prevalence():
    y = np.array([0] * 8 + [1] * 2)
    p = np.array([0.1] * 7 + [0.6, 0.6, 0.9])
    # at y's own rate (20%) precision 0.5 is reached at 0.6; breaches ten times rarer need 0.9
    assert threshold_for_precision(y, p, 0.5) == pytest.approx(0.6)
    assert threshold_for_precision(y, p, 0.5, prevalence=0.02) == pytest.approx(0.9)


def test_threshold_for_recall():
    y = np.array([1, 1, 1, 1, 0])
    p = np.array([0.9, 0.8, 0.7, 0.2, 0.5])
    assert threshold_for_recall(y, p, 0.75) == pytest.approx(0.7)
    assert threshold_for_recall(y, p, 1.0) == pytest.approx(0.2)
    assert threshold_for_recall(np.zeros(3), p[:3], 0.8) is None


def test_review_rate_thresholds_keep_the_union_within_the_rate():
    rng = np.random.default_rng(0)
    scores = rng.random((2000, 3))
    scores[:, 1] = scores[:, 0] * 0.5 + rng.random(2000) * 0.5  # overlapping rules
    found, info = review_rate_thresholds(scores, 0.05)
    flagged = (scores >= found).any(axis=1).mean()
    target = 0.05 - RATE_MARGIN_SE * np.sqrt(0.05 * 0.95 / 2000)
    assert flagged == pytest.approx(info["rate"]) and flagged <= target
    assert flagged > target - 0.005  # the budget is used, not wasted
    looser, _ = review_rate_thresholds(scores, 0.2)
    assert (looser <= found).all() and (looser < found).any()
    # the budget goes to the rule whose breaches it catches: rule 2's positives score just
    # under the top of the acceptable comments, rule 0's far below
    positives = [rng.random(200) * 0.5, rng.random(200) * 0.5, 0.965 + rng.random(200) * 0.035]
    steered, info = review_rate_thresholds(scores, 0.05, positives)
    assert info["validation_recall"][2] > 0.8 and steered[2] < steered[0]
    # comments of one article go together: whole articles flagged widen the margin
    groups = np.repeat(np.arange(100), 20)
    clustered = scores.copy()
    clustered[:100, :] += 1.0  # five articles entirely high
    _, plain = review_rate_thresholds(clustered, 0.05)
    _, grouped = review_rate_thresholds(clustered, 0.05, groups=groups)
    assert grouped["target"] < plain["target"] and grouped["rate"] <= grouped["target"]
    # a floor holds a rule up, and the budget it leaves goes to the others
    floored, info = review_rate_thresholds(scores, 0.05, positives,
                                           floors=np.array([-np.inf, -np.inf, 0.99]))
    assert floored[2] >= 0.99 and (floored[:2] <= steered[:2]).all()
    assert (floored[:2] < steered[:2]).any() and info["rate"] <= info["target"]


def test_a_rule_whose_breaches_lie_a_few_steps_down_still_gets_budget():
    """A rule with few validation breaches gains nothing from its next step and everything a
    few steps on; looking one step ahead left it none of the budget while a smooth rule
    soaked it all up."""
    rng = np.random.default_rng(1)
    scores = rng.random((2000, 2))
    # rule 0: breaches spread evenly, so every step of its threshold buys a little recall;
    # rule 1: all 10 breaches score just under its 30 highest acceptable comments
    ranked = np.sort(scores[:, 1])[::-1]
    positives = [rng.random(500), np.full(10, (ranked[30] + ranked[31]) / 2)]
    found, info = review_rate_thresholds(scores, 0.05, positives)
    assert info["validation_recall"][1] == 1.0 and found[1] <= positives[1][0]
    assert info["validation_recall"][0] > 0 and info["rate"] <= info["target"]


def test_train_rules_sets_review_thresholds_on_calibration_comments(fixture_trained):
    from moderation.rule_model import train_rules

    model, _, info = fixture_trained
    ids = model.rule_ids
    rows = 60
    clean = ["Thanks for the article, I learned a lot about the budget."] * rows
    texts = clean + ["You are a stupid idiot and a moron"] * rows
    targets = np.full((len(texts), len(ids)), -1, dtype=np.int8)
    targets[:rows, ids.index("toxicity")] = 0
    targets[rows:, ids.index("toxicity")] = 1
    calibration = [f"I think the council vote on item {i} was reasonable." for i in range(200)]
    model2, _, info2 = train_rules(texts, targets, model.rules, calibration_texts=calibration,
                                   review_rate=0.1, pipeline=None)
    assert info2["calibration"]["rules"] == ["toxicity"]
    assert info2["calibration"]["rate"] <= 0.1
    acted = [v["action"] for v in model2.verdicts(calibration, reasons=False)]
    assert np.mean([a != "approve" for a in acted]) <= 0.1


def test_rule_without_labels_is_not_scored():
    X = np.random.default_rng(0).random((40, 3))
    Y = np.full((40, 2), -1)
    Y[:20, 0] = 0
    Y[20:, 0] = 1
    clf = RuleClassifiers(n_jobs=1).fit(X, Y)
    proba = clf.predict_proba(X)
    assert list(clf.scored_) == [True, False]
    assert np.isnan(proba[:, 1]).all() and not np.isnan(proba[:, 0]).any()


def test_rule_classifiers_rejects_1d_targets():
    with pytest.raises(ValueError, match="n_rules"):
        RuleClassifiers().fit(np.zeros((4, 2)), np.zeros(4))


@needs_data
def test_small_model_learns_and_explains(trained):
    model, _, info = trained
    ids = model.rule_ids
    bad, good = model.verdicts(["You are a stupid fucking idiot",
                                "Thank you for the article, I lived there in the 1970s."])
    assert bad["scores"]["toxicity"] > good["scores"]["toxicity"]
    assert bad["scores"]["be_truthful"] is None  # no labelled data: not scored, not made up
    assert bad["action"] in ("review", "reject") and good["action"] == "approve"
    assert "toxicity" in bad["flags"]
    assert any(w in bad["reasons"]["toxicity"] for w in ("idiot", "stupid", "fucking"))
    assert set(bad["scores"]) == set(ids)
    val = info["validation"]["metrics"]
    assert val["toxicity"]["roc_auc"] > 0.8  # held-out validation rows, not training rows
    assert val["be_truthful"]["scored"] is False


def test_a_lone_letter_digit_or_mark_is_not_scored_and_approved(fixture_trained):
    model = fixture_trained[0]
    texts = ["a", "1", "x", "I", "?", ":)", "  a  ", "you idiot"]
    verdicts = model.verdicts(texts)
    for verdict in verdicts[:-1]:
        assert verdict["action"] == "approve" and verdict["flags"] == []
        assert set(verdict["scores"].values()) == {None}
    assert verdicts[-1]["scores"]["toxicity"] is not None


def test_reasons_name_words_as_written_and_stand_ins_must_match(fixture_trained, monkeypatch):
    from moderation import normalize as normalize_module
    from moderation.rule_model import RulesModel
    model = fixture_trained[0]
    verdict = model.verdicts(["Muslims are filthy animals, all of them"])[0]
    shown = [w for words in verdict["reasons"].values() for w in words]
    assert shown  # flagged, with reasons: else the checks below would hold vacuously
    assert "identityterm" not in shown and "slurterm" not in shown
    arrays, meta = model.to_state()
    assert RulesModel.from_state(arrays, meta).rule_ids == model.rule_ids
    monkeypatch.setattr(normalize_module, "MAP_SLURS", not normalize_module.MAP_SLURS)
    with pytest.raises(ValueError, match="retrain"):
        RulesModel.from_state(arrays, meta)


def test_review_thresholds_do_not_turn_on_a_handful_of_comments():
    """The default model's real calibration scores (1,796 acceptable C3 comments in 86
    articles; 4 rules' validation breaches), saved when it was trained. Noise of 1e-3 in the
    logits, about what refitting the same data on another CPU changes, switches one greedy
    allocation between budget splits a tenth apart in toxicity's threshold; the median of the
    resampled allocations stays put."""
    saved = np.load(Path(__file__).parent / "fixtures" / "review_budget_scores.npz")
    scores, groups, floors = saved["scores"], saved["groups"], saved["floors"]
    positives = [saved[f"positives_{j}"] for j in range(scores.shape[1])]

    def noisy(seed: int, resamples: int) -> np.ndarray:
        rng = np.random.default_rng(seed)

        def shake(p: np.ndarray) -> np.ndarray:
            z = np.log(p / (1 - p)) + rng.normal(0, 1e-3, p.shape)
            return 1 / (1 + np.exp(-z))

        return review_rate_thresholds(shake(scores), 0.05, [shake(p) for p in positives],
                                      groups, floors, resamples=resamples)[0]

    greedy = [noisy(seed, 0) for seed in (100, 101)]
    assert abs(greedy[0][0] - greedy[1][0]) > 0.05  # the data has two near-equal splits
    bagged = [noisy(seed, RESAMPLES) for seed in (100, 101)]
    assert np.abs(bagged[0] - bagged[1]).max() < 0.01
