import numpy as np
import pytest

from moderation.classifiers import RuleClassifiers
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


@needs_data
def test_a_lone_letter_digit_or_mark_is_not_scored_and_approved(trained):
    model = trained[0]
    texts = ["a", "1", "x", "I", "?", ":)", "  a  ", "you idiot"]
    verdicts = model.verdicts(texts)
    for verdict in verdicts[:-1]:
        assert verdict["action"] == "approve" and verdict["flags"] == []
        assert set(verdict["scores"].values()) == {None}
    assert verdicts[-1]["scores"]["toxicity"] is not None
