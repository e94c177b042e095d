"""SOURCE_POLICY: one row per source, applied by build_corpus to copies, never to loaded rows."""

from pathlib import Path

from moderation import corpus
from moderation.corpus import (
    SOURCE_POLICY,
    SOURCE_TABLE_HEADER,
    SOURCES,
    SourcePolicy,
    build_corpus,
    sample_weights,
    source_table,
)
from moderation.loaders import LABELS, LOADERS, Example


def test_every_source_has_one_row_in_loader_order():
    assert tuple(SOURCE_POLICY) == SOURCES == tuple(LOADERS)


def test_rows_name_only_canonical_labels_once():
    for name, policy in SOURCE_POLICY.items():
        assert policy.speaks_for <= set(LABELS), name
        assert policy.ones_only <= set(LABELS), name
        assert not policy.speaks_for & policy.ones_only, name
        assert policy.weight > 0 and policy.reason and policy.described, name


def test_trained_labels_keeps_what_the_row_speaks_for():
    policy = SourcePolicy("x", frozenset({"toxic"}), ones_only=frozenset({"obscene"}))
    labels = {"toxic": 0, "obscene": 0, "insult": 1}
    assert policy.trained_labels(labels) == {"toxic": 0}
    assert policy.trained_labels({"obscene": 1, "threat": 0}) == {"obscene": 1}
    assert labels == {"toxic": 0, "obscene": 0, "insult": 1}


def test_build_corpus_applies_the_policy_to_copies(monkeypatch):
    first = [Example("Same text.", {"toxic": 1, "insult": 0}, "first"),
             Example("Only first.", {"insult": 1}, "first", group="g")]
    second = [Example("same text", {"toxic": 0, "threat": 0, "obscene": 0}, "second"),
              Example("Held out.", {"toxic": 1, "insult": 1}, "second", split="test")]
    loaded = {"first": first, "second": second}
    snapshot = repr(loaded)
    monkeypatch.setitem(LOADERS, "first", lambda _: loaded["first"])
    monkeypatch.setitem(LOADERS, "second", lambda _: loaded["second"])
    monkeypatch.setattr(corpus, "SOURCE_POLICY", {
        "first": SourcePolicy("a", frozenset({"toxic", "insult"}), weight=2.0, reason="r"),
        "second": SourcePolicy("b", frozenset({"toxic", "threat"}),
                               ones_only=frozenset({"obscene"}), reason="r"),
    })
    site = [Example("Only first", {"be_truthful": 1}, "site")]
    built = build_corpus(Path("unused"), ("first", "second"), site)

    assert repr(loaded) == snapshot and site[0].labels == {"be_truthful": 1}
    assert [(ex.text, ex.labels) for ex in built.train] == [
        ("Same text.", {"toxic": 1, "insult": 0, "threat": 0}),  # the duplicate fills unknowns
        ("Only first.", {"insult": 1, "be_truthful": 1}),
    ]
    assert built.evaluation["second"][0].labels == {"toxic": 1, "insult": 1}  # held out: all
    assert list(sample_weights(built.train, balance_identities=False)) == [2.0, 2.0]
    assert built.counts["second"]["dropped_duplicate_or_held_out"] == 1


README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_source_table_is_the_rendering_of_the_policy():
    """Every column but the row counts (which need all data loaded) comes from SOURCE_POLICY."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(SOURCE_TABLE_HEADER):].split("\n\n")[0]
    rows_trained = {}
    for line in block.splitlines()[2:]:
        source, count = (cell.strip() for cell in line.strip("|").split("|")[:2])
        rows_trained[source.split(" (")[0]] = int(count.replace(",", ""))
    assert list(rows_trained) == list(SOURCE_POLICY)
    rendered = source_table(rows_trained)
    assert block == rendered, "paste `python bench/corpus_fingerprint.py --source-table`"
