"""Shared fixtures: small models trained once per test session.

Two kinds, so that a checkout without the shared data still tests the core:

- `fixture_corpus`, `fixture_trained`, `fixture_model_dir`: trained in seconds on the
  hand-written corpus and pages in tests/fixtures/ (committed, no data directory needed). Use
  them for tests that only need *a* model: score formats, the CLI, the hook, the service,
  manifests, fast-path-equals-reference, properties.
- `small_corpus`, `trained`, `trained_model_dir`: trained on a slice of the real data sets
  (../shared/data/raw by default, MODERATION_DATA overrides). Use them only for checks that make
  sense on a real model (quality, evaluation, bias). They, and tests marked `needs_data`, skip
  with one reason when the data directory is missing or empty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moderation.corpus import rule_targets
from moderation.features import FeatureSpec
from moderation.loaders import load_c3, load_jigsaw_predibase, load_toxic_spans
from moderation.loaders.base import Example
from moderation.persist import save_model
from moderation.rule_model import build_pipeline, train_rules
from moderation.rules import load_rules
from moderation.settings import RULES_MODEL_NAME, SPLITTER_MODEL_NAME, data_dir

DATA = data_dir()
HAS_DATA = DATA.is_dir() and any(DATA.iterdir())
NO_DATA = f"no data at {DATA} (set MODERATION_DATA to the shared data sets)"
needs_data = pytest.mark.skipif(not HAS_DATA, reason=NO_DATA)
SMALL_FEATURES = FeatureSpec(max_word_features=20_000, max_char_features=40_000)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# what each code in the first column of fixtures/comments.tsv stands for
FIXTURE_CODES = {"insult": "insult", "obscene": "obscene", "threat": "threat",
                 "identity_hate": "identity_hate", "story": "personal_story",
                 "evidence": "evidence"}
FIXTURE_VIOLATIONS = ("insult", "obscene", "threat", "identity_hate")


def load_fixture_comments(path: Path = FIXTURES / "comments.tsv") -> list[Example]:
    """The hand-written comments, every label known: 0 unless listed; toxic when any
    violation is listed. Labels the file does not speak for (false_claim) stay unknown."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        codes, text = line.split("\t")
        listed = set() if codes == "-" else set(codes.split(","))
        unknown = listed - set(FIXTURE_CODES)
        if unknown:
            raise ValueError(f"{path}:{number}: unknown label code(s) {sorted(unknown)}")
        labels = {label: int(code in listed) for code, label in FIXTURE_CODES.items()}
        labels["toxic"] = int(bool(listed & set(FIXTURE_VIOLATIONS)))
        rows.append(Example(text, labels, "fixture", group=f"fixture:{number}"))
    return rows


def _save_rules_model(directory: Path, trained_tuple) -> None:
    from moderation.train import rules_manifest_entries

    model, _, info = trained_tuple
    info = {**info, "rules": rules_manifest_entries(model.rules, model.thresholds,
                                                    model.scorer.scored)}
    save_model(directory / RULES_MODEL_NAME, "rules", *model.to_state(), info=info)


# --- the fixture model: no data directory needed --------------------------------------------


@pytest.fixture(scope="session")
def fixture_corpus() -> list[Example]:
    """The hand-written comments of tests/fixtures/comments.tsv, as labelled Examples."""
    return load_fixture_comments()


def train_fixture_model(corpus: list[Example]):
    """(RulesModel, fitted reference pipeline, info) trained on the fixture corpus."""
    rules = load_rules()
    texts = [ex.text for ex in corpus]
    return train_rules(texts, rule_targets(corpus, rules), rules,
                       pipeline=build_pipeline(SMALL_FEATURES), validation_fraction=0.25)


@pytest.fixture(scope="session")
def fixture_trained(fixture_corpus):
    """(RulesModel, fitted reference pipeline, info) on the fixture corpus: the same shape
    and pipeline settings as `trained`, in seconds and without the data directory."""
    return train_fixture_model(fixture_corpus)


@pytest.fixture(scope="session")
def fixture_model_dir(fixture_corpus, fixture_trained, tmp_path_factory) -> Path:
    """A model directory (rules model and splitter, with manifests) from the fixture files:
    what `trained_model_dir` is, without the data directory."""
    from .fixture_pages import fixture_splitter

    directory = tmp_path_factory.mktemp("fixture_models")
    _save_rules_model(directory, fixture_trained)
    splitter, split_info = fixture_splitter([ex.text for ex in fixture_corpus])
    save_model(directory / SPLITTER_MODEL_NAME, "splitter", *splitter.to_state(),
               info=split_info)
    return directory


# --- the real-data model: skips without the data directory ----------------------------------


@pytest.fixture(scope="session")
def small_corpus():
    """About 6,000 real rows: Jigsaw train (all six labels), C3 and ToxicSpans slices."""
    if not HAS_DATA:
        pytest.skip(NO_DATA)
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

    directory = tmp_path_factory.mktemp("models")
    _save_rules_model(directory, trained)
    splitter, split_info = train_splitter(DATA, max_pages=120, n_assembled=0)
    save_model(directory / SPLITTER_MODEL_NAME, "splitter", *splitter.to_state(),
               info=split_info)
    return directory
