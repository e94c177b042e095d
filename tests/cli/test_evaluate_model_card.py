"""`moderate evaluate --model-card`: the card is written from the manifests and the run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from moderation.cli import app

RESULT = {
    "rules": [
        {"data": "Jigsaw test", "rule": "toxicity", "gold": "toxic", "roc_auc": 0.9123,
         "recall@review": 0.6543},
        {"data": "GHC test", "rule": "be_nice", "gold": "hd", "roc_auc": 0.8111,
         "recall@review": 0.4222},
    ],
    "review_queue": {"acceptable_comments": 999, "leave_approve": 0.0432, "rejected": 0.001,
                     "flagged_by_rule": {}},
    "bias": {"rule": "toxicity", "rows": 10, "overall_auc": 0.9333,
             "per_term": [{"term": "queer", "n": 5, "bpsn_auc": 0.7777}]},
    "checklist": {"cases": 60, "right": 0.85,
                  "per_functionality": [
                      {"functionality": "negated_hate", "action": "approve", "n": 30,
                       "right": 0.4},
                      {"functionality": "slurs", "action": "flag", "n": 30, "right": 1.0}],
                  "per_rule": {}},
    "length_bands": [],
}
RULES_MANIFEST = {
    "kind": "rules", "file": "rules.npz", "sha256": "ab" * 32, "trained_at": "2026-12-02",
    "versions": {"scikit-learn": "1.9"}, "training_rows": 1234, "n_features": 5678,
    "calibration": {"review_rate": 0.05, "rows": 321},
    "rules": [{"id": "toxicity", "title": "Overall", "kind": "violation", "scored": True,
               "thresholds": {"review": 0.6111, "reject": 0.9555}}],
    "sources": {"c3": {"train": 77, "evaluation": 11}, "ethos": {"train": 5}},
    "non_commercial_sources": ["c3"],
}
SPLITTER_MANIFEST = {
    "kind": "splitter", "file": "splitter.npz", "sha256": "cd" * 32, "versions": {},
    "splitter": {"sources": {"dragnet_train": {"pages": 42}},
                 "licences": {"dragnet_train": "AGPL-3.0"}},
}


def _model_dir(tmp_path, splitter: bool = True):
    for name, manifest in (("rules.npz", RULES_MANIFEST), ("splitter.npz", SPLITTER_MANIFEST)):
        if name == "splitter.npz" and not splitter:
            continue
        (tmp_path / name).write_bytes(b"")
        (tmp_path / f"{name}.manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_the_card_carries_the_runs_figures_and_the_licences(monkeypatch, tmp_path):
    monkeypatch.setattr("moderation.evaluate.evaluate", lambda *a, **k: RESULT)
    card = tmp_path / "MODEL_CARD.md"
    out = CliRunner().invoke(app, ["evaluate", "-m", str(_model_dir(tmp_path)),
                                   "--model-card", str(card)])
    assert out.exit_code == 0, out.stderr
    text = card.read_text()
    for figure in ("0.912", "0.654", "0.811", "4.3%", "0.611", "0.956", "85.0%", "1234",
                   "0.778", "abababababab"):
        assert figure in text, figure
    assert "negated_hate`: 40%" in text and "slurs`" not in text  # only those below 60%
    assert "**Non-commercial data**" in text and "GPL" in text and "AGPL-3.0" in text
    assert "| c3 | 77 | 11 |" in text


def test_without_a_splitter_or_non_commercial_data_the_card_says_neither(monkeypatch,
                                                                          tmp_path):
    monkeypatch.setattr("moderation.evaluate.evaluate", lambda *a, **k: RESULT)
    monkeypatch.setitem(RULES_MANIFEST, "non_commercial_sources", [])
    card = tmp_path / "card.md"
    out = CliRunner().invoke(app, ["evaluate", "-m", str(_model_dir(tmp_path, splitter=False)),
                                   "--model-card", str(card)])
    assert out.exit_code == 0, out.stderr
    text = card.read_text()
    assert "Page splitter" not in text and "**Non-commercial data**" not in text


def test_a_failed_card_leaves_the_old_one(monkeypatch, tmp_path):
    monkeypatch.setattr("moderation.evaluate.evaluate", lambda *a, **k: RESULT)
    model_dir = _model_dir(tmp_path)
    (model_dir / "rules.npz.manifest.json").write_text("{not json")
    card = tmp_path / "card.md"
    card.write_text("old card")
    out = CliRunner().invoke(app, ["evaluate", "-m", str(model_dir), "--model-card", str(card)])
    assert out.exit_code != 0
    assert "unreadable" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert card.read_text() == "old card"
