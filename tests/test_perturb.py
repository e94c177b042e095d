"""The evasion rewrites (moderation.perturb) and their evaluation table."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.normalize import normalize
from moderation.perturb import INVISIBLES, REWRITES, evaluate_perturbations, perturb

TEXTS = ["You are a stupid idiot, fuck off.", "Thanks for the lovely article about gardens",
         "what a moron", ""]


@pytest.mark.parametrize("name", list(REWRITES))
def test_rewrites_are_deterministic_per_seed_and_per_text(name):
    first = perturb(TEXTS, name, seed=3)
    assert first == perturb(TEXTS, name, seed=3)
    assert perturb(TEXTS[:2], name, seed=3) == first[:2]  # a text's rewrite ignores later ones
    assert len(first) == len(TEXTS) and first[3] in ("", first[3])


def test_rewrites_touch_the_toxic_words_as_an_attacker_would():
    text = TEXTS[0]
    assert "stupid" not in perturb([text], "mask")[0]
    assert "s t u p i d" in perturb([text], "spaced")[0]
    assert "idiot" not in perturb([text], "leet")[0]
    assert "areastupid" in perturb([text], "nospace")[0].replace(" ", "") and \
        len(perturb([text], "nospace")[0].split()) < len(text.split())
    assert any(ch in perturb([text], "invisible")[0] for ch in INVISIBLES)
    assert perturb([text], "benign")[0].startswith(text)
    assert perturb([text], "case")[0].lower() == text.lower()


@pytest.mark.parametrize("name", ["mask", "spaced", "repeat", "homoglyph", "invisible", "case",
                                  "leet", "punct", "nospace"])
def test_the_normaliser_reads_each_rewrite_of_a_toxic_sentence_back(name):
    text = "You are a stupid idiot, fuck off."
    for seed in range(5):
        tokens = normalize(perturb([text], name, seed)[0]).split()
        assert {"stupid", "idiot", "fuck"} <= set(tokens), (name, seed, tokens)


def test_the_table_has_clean_and_every_rewrite_per_rule():
    texts = ["you idiot", "nice day", "stupid moron", "lovely garden"] * 3
    y = np.array([1, 0, 1, 0] * 3)

    def model(batch: list[str]) -> dict[str, np.ndarray]:
        bad = np.array([float(any(w in normalize(t) for w in ("idiot", "stupid")))
                        for t in batch])
        return {"toxicity": bad, "be_truthful": np.full(len(batch), np.nan)}

    rows = evaluate_perturbations(model, texts, {"toxicity": y, "be_truthful": y},
                                  {"toxicity": 0.5}, seed=0)
    assert [r["rewrite"] for r in rows] == ["clean", *REWRITES]  # be_truthful is not scored
    clean = rows[0]
    assert clean["roc_auc"] == 1.0 and clean["recall@review"] == 1.0
    by_name = {r["rewrite"]: r for r in rows}
    assert by_name["case"]["drop"] == 0.0
    assert all(r["clean_recall@review"] == 1.0 for r in rows)
