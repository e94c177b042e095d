"""Loaders on the real data: schema mapping, test splits kept apart, unknown labels left out."""

import pytest

from moderation.corpus import (
    build_corpus,
    is_acceptable,
    is_calibration_article,
    is_held_out_article,
    rule_targets,
)
from moderation.errors import DataFormatError, DataSourceError
from moderation.loaders import LOADERS, Example, load_bias_madlibs, load_site_csv
from moderation.loaders.hate import detweet, near_duplicate_key
from moderation.normalize import normalize
from moderation.rules import load_rules

from .conftest import DATA, needs_data


@needs_data
def test_jigsaw_official_test_rows_are_test():
    rows = LOADERS["jigsaw_predibase"](DATA)
    test = [r for r in rows if r.split == "test"]
    assert len(test) == 1200 and len(rows) - len(test) == 9970
    assert all(set(r.labels) >= {"toxic", "obscene", "threat", "insult", "identity_hate"}
               for r in rows)


@needs_data
def test_toxic_spans_has_no_clean_negatives_for_toxic():
    rows = LOADERS["toxic_spans"](DATA)
    assert all(r.labels.get("toxic", 1) == 1 for r in rows)
    assert sum(r.labels.get("threat") == 1 for r in rows) > 50


@needs_data
def test_edos_negatives_say_nothing_about_threats():
    rows = LOADERS["edos"](DATA)
    assert all("threat" not in r.labels for r in rows if r.meta["label_sexist"] == "not sexist")
    assert {r.split for r in rows} == {"train", "test"}


@needs_data
def test_olid_test_labels_join_their_ids():
    rows = [r for r in LOADERS["olid"](DATA) if r.split == "test"]
    assert len(rows) == 860 and sum(r.labels["toxic"] for r in rows) == 240


@needs_data
def test_corpus_keeps_held_out_texts_out_of_training():
    corpus = build_corpus(DATA, sources=("jigsaw_predibase", "jigsaw_khanhhk", "c3"))
    held_out = {normalize(ex.text) for rows in corpus.evaluation.values() for ex in rows}
    assert held_out and not held_out & {normalize(ex.text) for ex in corpus.train}
    c3_articles = {ex.group for ex in corpus.evaluation["c3"]}
    assert c3_articles and all(is_held_out_article(a) for a in c3_articles)
    assert not c3_articles & {ex.group for ex in corpus.train if ex.source == "c3"}
    keys = [normalize(ex.text) for ex in corpus.train]
    assert len(keys) == len(set(keys))  # deduplicated across sources


def test_rule_targets_unknown_known_and_positive():
    rules = load_rules()
    rows = [Example("a", {"obscene": 1}, "s"), Example("b", {"obscene": 0}, "s"),
            Example("c", {"toxic": 1}, "s"), Example("d", {"be_truthful": 1}, "site")]
    ids = [r.id for r in rules]
    Y = rule_targets(rows, rules)
    clean = ids.index("keep_it_clean")
    assert list(Y[:, clean]) == [1, 0, -1, -1]
    assert Y[3, ids.index("be_truthful")] == 1 and Y[2, ids.index("toxicity")] == 1


def test_missing_source_names_the_path(tmp_path):
    with pytest.raises(DataSourceError, match="not found"):
        LOADERS["davidson"](tmp_path)


@needs_data
def test_bias_madlibs_is_test_only():
    rows = load_bias_madlibs(DATA)
    assert rows and {r.split for r in rows} == {"test"}


def test_site_csv_reads_rule_columns(tmp_path):
    path = tmp_path / "site.csv"
    path.write_text("text,be_truthful,be_nice,other\nThe mayor lied,1,,x\nNice piece,0,0,y\n")
    rows = load_site_csv(path, {"be_truthful", "be_nice"})
    assert [r.labels for r in rows] == [{"be_truthful": 1}, {"be_truthful": 0, "be_nice": 0}]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("comment,be_nice\nhi,1\n", "no `text` column"),
        ("text,colour\nhi,red\n", "no label column"),
        ("text,be_nice\nhi,yes\n", r":2: label 'be_nice' is 'yes'"),
        ("text,be_nice\nhi,2\n", "use 0, 1 or blank"),
        ("text,be_nice\n", "no rows"),
    ],
)
def test_site_csv_bad_labels_are_errors(tmp_path, body, message):
    path = tmp_path / "site.csv"
    path.write_text(body)
    with pytest.raises(DataFormatError, match=message):
        load_site_csv(path, {"be_nice"})


@needs_data
def test_c3_calibration_articles_are_neither_trained_nor_test():
    corpus = build_corpus(DATA, sources=("c3",))
    calibration = {ex.group for ex in corpus.calibration}
    assert calibration and all(is_calibration_article(a) for a in calibration)
    assert not calibration & {ex.group for ex in corpus.train}
    assert not calibration & {ex.group for ex in corpus.evaluation["c3"]}
    acceptable = [ex for ex in corpus.calibration if is_acceptable(ex)]
    assert 0.8 * len(corpus.calibration) < len(acceptable) < len(corpus.calibration)


@needs_data
def test_gab_hate_corpus_maps_hd_cv_vo_and_keeps_its_test_split():
    rows = LOADERS["gab_hate_corpus"](DATA)
    test = [r for r in rows if r.split == "test"]
    assert len(test) == 5510 and sum(r.meta["hd"] == "1" for r in test) == 491
    for r in rows:
        assert r.labels["identity_hate"] == int(r.meta["hd"])
        assert r.labels["threat"] == int(r.meta["cv"]) and r.labels["obscene"] == int(r.meta["vo"])
        assert r.labels["toxic"] == int("1" in r.meta.values())
        assert "insult" not in r.labels  # an insult without an identity is none of hd/cv/vo
    dev = sum(r.split == "dev" for r in rows)
    assert 0.15 * 22036 < dev < 0.25 * 22036


@needs_data
def test_implicit_hate_split_is_grouped_and_detweeted():
    rows = LOADERS["implicit_hate"](DATA)
    sides: dict[str, set[str]] = {}
    for r in rows:
        sides.setdefault(r.group, set()).add(r.split)
    assert all(len(s) == 1 for s in sides.values())  # near-duplicates stay on one side
    share = {s: sum(r.split == s for r in rows) / len(rows) for s in ("train", "dev", "test")}
    assert 0.15 < share["test"] < 0.25 and 0.05 < share["dev"] < 0.15
    assert not any(r.text.startswith(("rt ", ":", '"')) or " , " in r.text for r in rows)
    hate = [r for r in rows if r.meta["class"] != "not_hate"]
    assert all(r.labels == {"identity_hate": 1, "toxic": 1} for r in hate)


def test_detweet_undoes_the_re_spacing():
    assert detweet('" rt : they are all the same , you know ! "" ') == \
        "They are all the same, you know!"
    assert near_duplicate_key("RT @x: They are ALL the same, you know!") == \
        near_duplicate_key("they are all the same , you know !")


@needs_data
def test_corpus_holds_dev_parts_out_only_when_asked():
    sources = ("gab_hate_corpus",)
    held = build_corpus(DATA, sources=sources, hold_dev=True)
    trained = build_corpus(DATA, sources=sources)
    assert len(held.dev["gab_hate_corpus"]) > 4000 and not trained.dev
    assert len(trained.train) > len(held.train) + 4000
    test = {normalize(ex.text) for ex in trained.evaluation["gab_hate_corpus"]}
    assert not test & {normalize(ex.text) for ex in trained.train}
