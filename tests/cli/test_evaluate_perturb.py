"""`moderate evaluate --perturb` wiring (the table itself: tests/test_perturb.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from moderation.cli import app

ROWS = [{"rule": "toxicity", "rewrite": "clean", "roc_auc": 0.97, "drop": 0.0,
         "recall@review": 0.8, "clean_recall@review": 0.8},
        {"rule": "toxicity", "rewrite": "leet", "roc_auc": 0.96, "drop": 0.01,
         "recall@review": 0.7, "clean_recall@review": 0.8}]


def test_perturb_prints_the_table_or_json(monkeypatch, tmp_path):
    calls = []

    def fake(model, data_dir, seed=0):
        calls.append((model, data_dir))
        return ROWS

    monkeypatch.setattr("moderation.perturb.evaluate_model_perturbations", fake)
    table = CliRunner().invoke(app, ["evaluate", "--perturb", "--data-dir", str(tmp_path)])
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["rule", "rewrite", "roc_auc", "drop", "recall@review",
                                "clean_recall@review"]
    assert lines[2].split()[:4] == ["toxicity", "leet", "0.960", "0.010"]
    as_json = CliRunner().invoke(app, ["evaluate", "--perturb", "--json"])
    assert json.loads(as_json.stdout) == ROWS
    assert calls[0][1] == tmp_path
