"""Shared fixtures: a real (small) model trained once per test session on a slice of the data.

Tests that need the raw data skip cleanly when it is absent (../shared/data/raw by default).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moderation.corpus import rule_targets
from moderation.features import FeatureSpec
from moderation.loaders import load_c3, load_jigsaw_predibase, load_toxic_spans
from moderation.persist import save_model
from moderation.rule_model import build_pipeline, train_rules
from moderation.rules import load_rules
from moderation.settings import RULES_MODEL_NAME, SPLITTER_MODEL_NAME, data_dir

DATA = data_dir()
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no data at {DATA}")
SMALL_FEATURES = FeatureSpec(max_word_features=20_000, max_char_features=40_000)


@pytest.fixture(scope="session")
def small_corpus():
    """About 6,000 real rows: Jigsaw train (all six labels), C3 and ToxicSpans slices."""
    if not DATA.is_dir():
        pytest.skip(f"no data at {DATA}")
    rng = np.random.default_rng(0)
    rows = [ex for ex in load_jigsaw_predibase(DATA) if ex.split == "train"]
    rows = [rows[i] for i in rng.choice(len(rows), 3000, replace=False)]
    c3 = load_c3(DATA)
    rows += [c3[i] for i in rng.choice(len(c3), 2000, replace=False)]
    spans = load_toxic_spans(DATA)
    rows += [spans[i] for i in rng.choice(len(spans), 1000, replace=False)]
    return rows


@pytest.fixture(scope="session")
def trained(small_corpus):
    """(RulesModel, fitted reference pipeline, info) on the small corpus."""
    rules = load_rules()
    texts = [ex.text for ex in small_corpus]
    return train_rules(texts, rule_targets(small_corpus, rules), rules,
                       pipeline=build_pipeline(SMALL_FEATURES))


@pytest.fixture(scope="session")
def trained_model_dir(trained, tmp_path_factory) -> Path:
    """A model directory with a real small rules model and splitter, saved with manifests."""
    from moderation.splitter import train_splitter
    from moderation.train import rules_manifest_entries

    model, _, info = trained
    directory = tmp_path_factory.mktemp("models")
    info = {**info, "rules": rules_manifest_entries(model.rules, model.thresholds,
                                                    model.scorer.scored)}
    save_model(directory / RULES_MODEL_NAME, "rules", *model.to_state(), info=info)
    splitter, split_info = train_splitter(DATA, max_pages=120, n_assembled=0)
    save_model(directory / SPLITTER_MODEL_NAME, "splitter", *splitter.to_state(),
               info=split_info)
    return directory
