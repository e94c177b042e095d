"""The committed model must give the verdicts it gave when it was saved (tests/saved_model.py):
a change to tokenising, features or the fast scorer that moves any score fails here."""

import numpy as np
import pytest

from moderation.model_files import load_rules_model

from .conftest import DATA, HAS_DATA, NO_DATA, load_fixture_comments
from .saved_model import (
    FIXTURE_VERDICTS,
    MODEL,
    REAL_VERDICTS,
    read_verdicts,
    real_sample,
    verdicts_of,
)
from .test_fast import EDGE_CASES


def assert_same(saved: list[dict], now: list[dict]) -> None:
    assert len(saved) == len(now)
    rules = list(saved[0]["scores"])
    for name, table in (("saved", saved), ("now", now)):
        assert all(list(v["scores"]) == rules for v in table), name

    def scores(table):
        return np.array([[np.nan if v["scores"][r] is None else v["scores"][r] for r in rules]
                         for v in table])

    np.testing.assert_allclose(scores(now), scores(saved), atol=1e-9, rtol=0)
    assert [v["action"] for v in now] == [v["action"] for v in saved]
    assert [v["reasons"] for v in now] == [v["reasons"] for v in saved]


def test_saved_model_gives_its_saved_verdicts_on_the_fixture_comments():
    model, _ = load_rules_model(MODEL)
    texts = [ex.text for ex in load_fixture_comments()] + EDGE_CASES
    saved = read_verdicts(FIXTURE_VERDICTS)
    assert {v["action"] for v in saved} >= {"approve", "reject"}  # the check has teeth
    assert_same(saved, verdicts_of(model, texts))


def test_saved_model_gives_its_saved_verdicts_on_real_comments():
    if not HAS_DATA:
        pytest.skip(NO_DATA)
    model, _ = load_rules_model(MODEL)
    saved = read_verdicts(REAL_VERDICTS)
    assert len(saved) >= 2000
    assert_same(saved, verdicts_of(model, real_sample(DATA)))
