import json

import numpy as np
import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.explain import explain_text


@pytest.mark.parametrize("text", ["You are a complete idiot and everyone knows it.",
                                  "Thanks, I was there that night and saw it happen.",
                                  "f*ck1ng idi0t", "Ünïcödé ｆｕｌｌｗｉｄｔｈ and emoji 🙂"])
def test_contributions_add_up_to_the_score_the_verdict_gives(fixture_trained, text):
    model = fixture_trained[0]
    result = explain_text(model, text, top=None)
    proba = model.predict_proba([text])[0]
    for j, rule in enumerate(model.rules):
        entry = result["rules"][rule.id]
        if not entry["scored"]:
            assert np.isnan(proba[j])
            continue
        total = entry["intercept"] + sum(c["weight"] for c in entry["contributions"])
        assert entry["rest"] == 0.0
        assert abs(total - entry["decision"]) < 1e-9
        assert abs(entry["score"] - proba[j]) < 1e-6
        weights = [abs(c["weight"]) for c in entry["contributions"]]
        assert weights == sorted(weights, reverse=True)
    short = explain_text(model, text, top=3)
    for entry in short["rules"].values():
        if entry["scored"]:
            assert len(entry["contributions"]) <= 3
            total = entry["intercept"] + entry["rest"] + sum(
                c["weight"] for c in entry["contributions"])
            assert abs(total - entry["decision"]) < 1e-9


def test_explain_cli_json_and_table(fixture_model_dir):
    runner = CliRunner()
    as_json = runner.invoke(app, ["explain", "you stupid idiot", "-m", str(fixture_model_dir),
                                  "-f", "json", "--top", "4"])
    assert as_json.exit_code == 0, as_json.output
    result = json.loads(as_json.stdout)
    assert result["rules"]["toxicity"]["contributions"][0]["ngram"] in {"idiot", "stupid",
                                                                        "stupid idiot"}
    table = runner.invoke(app, ["explain", "you stupid idiot", "-m", str(fixture_model_dir)])
    assert table.exit_code == 0 and "decision value" in table.stdout
    blank = runner.invoke(app, ["explain", "a", "-m", str(fixture_model_dir)])
    assert blank.exit_code == 0 and "not scored" in blank.stdout
    named = runner.invoke(app, ["explain", "Muslims and f@ggots", "-m", str(fixture_model_dir)])
    assert named.exit_code == 0
    assert "'identityterm' stands for: Muslims" in named.stdout
    assert "'slurterm' stands for: f@ggots" in named.stdout
    missing = runner.invoke(app, ["explain", "x y", "-m", "/nonexistent"])
    assert missing.exit_code == 1 and missing.stderr.startswith("error: ")
