import shutil

import pytest

from moderation.model_files import load_rules_model, rules_model_path
from moderation.persist import read_manifest, sha256_of
from moderation.thresholds import ThresholdError, set_thresholds


@pytest.fixture()
def model_copy(fixture_model_dir, tmp_path):
    directory = tmp_path / "models"
    shutil.copytree(fixture_model_dir, directory)
    return directory


def test_new_thresholds_are_saved_checked_and_recorded(model_copy):
    path = rules_model_path(model_copy)
    before = read_manifest(path)
    old = load_rules_model(path)[0].thresholds["be_nice"]
    manifest = set_thresholds(model_copy, {"be_nice": {"review": 0.55, "reject": 0.97}})
    model, loaded = load_rules_model(path)  # the checked load accepts the rewritten file
    assert model.thresholds["be_nice"] == {"review": 0.55, "reject": 0.97}
    assert loaded["sha256"] == manifest["sha256"] == sha256_of(path)
    assert loaded["trained_at"] == before["trained_at"]  # not retrained
    entry = next(r for r in loaded["rules"] if r["id"] == "be_nice")
    assert entry["thresholds"] == {"review": 0.55, "reject": 0.97}
    change = loaded["thresholds_history"][-1]["changes"][0]
    assert change == {"rule": "be_nice", "before": old, "after": {"review": 0.55,
                                                                   "reject": 0.97}}
    text = "You are a complete idiot and everyone knows it."
    p = model.predict_proba([text])[0, model.rule_ids.index("be_nice")]
    set_thresholds(model_copy, {"be_nice": {"review": float(p) + 1e-6, "reject": None}})
    assert "be_nice" not in load_rules_model(path)[0].verdicts([text])[0]["flags"]
    set_thresholds(model_copy, {"be_nice": {"review": float(p) - 1e-6}})
    assert "be_nice" in load_rules_model(path)[0].verdicts([text])[0]["flags"]


@pytest.mark.parametrize("changes, message", [
    ({"no_such_rule": {"review": 0.5}}, "no rule"),
    ({"be_nice": {"review": 1.5}}, r"in \[0, 1\]"),
    ({"be_nice": {"review": float("nan")}}, r"in \[0, 1\]"),
    ({"be_nice": {"review": 0.9, "reject": 0.2}}, "above the reject"),
    ({"be_nice": {"maybe": 0.2}}, "not maybe"),
    ({"share_with_us": {"reject": 0.9}}, "takes review"),
    ({"be_truthful": {"review": 0.5}}, "not scored"),
])
def test_a_bad_change_is_refused_and_leaves_the_model_alone(model_copy, changes, message):
    path = rules_model_path(model_copy)
    sha = sha256_of(path)
    valid = {"toxicity": dict(load_rules_model(path)[0].thresholds["toxicity"])}  # unchanged
    with pytest.raises(ThresholdError, match=message):
        set_thresholds(model_copy, {**valid, **changes})
    assert sha256_of(path) == sha
