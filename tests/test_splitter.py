"""Tests of the comment/body/boilerplate splitter: features, document-level split, a small
training run (once per module), the split() contract, pickling, the CLI, and the wfsb page."""

from __future__ import annotations

import json
import pickle
import re

import numpy as np
import pytest
from typer.testing import CliRunner

import moderation.cli.split  # noqa: F401  (registers the command)
from moderation import settings
from moderation.cli._app import app
from moderation.errors import DataFormatError
from moderation.persist import load_artifact, save_artifact
from moderation.splitter import KINDS, SplitterModel, evaluate_splitter, read_page, train_splitter
from moderation.splitter.features import (
    HEADER_COLUMN,
    N_LINE_FEATURES,
    context_features,
    line_features,
    page_lines,
)
from moderation.splitter.pages import build_pages, split_sources
from moderation.splitter.sources import load_sources

DATA = settings.data_dir()
WFSB = settings.PROJECT_ROOT.parent / "shared" / "seeds" / "wfsb_page.txt"
needs_data = pytest.mark.skipif(not (DATA / "bbc_news").exists(), reason="no raw data")
SMALL = {"scale": 0.1, "n_pages": 160, "n_test_pages": 30}


# --- features -------------------------------------------------------------------------------


def test_line_features_see_person_blank_lines_and_headers():
    comment = line_features("I think you are wrong, my friend!", 2, 0)
    body = line_features("The council approved the budget on Tuesday.", 0, 1)
    assert len(comment) == len(body) == N_LINE_FEATURES
    assert comment[8] > 0 and body[8] == 0  # first person singular
    assert comment[10] > 0 and body[10] == 0  # second person
    assert comment[18] > body[18] and comment[19] < body[19]  # blank lines before / after
    assert line_features("(12) comments", 0, 0)[HEADER_COLUMN] == 1
    assert line_features("The comments were made in 2004.", 0, 0)[HEADER_COLUMN] == 0


def test_page_lines_skips_empty_lines_and_counts_gaps():
    idx, texts, dense = page_lines(["a line", "", "", "another", "   ", "last"])
    assert idx == [0, 3, 5]
    assert texts == ["a line", "another", "last"]
    assert dense.shape == (3, N_LINE_FEATURES)
    assert dense[1, 18] == pytest.approx(2 / 3)  # two empty lines above "another"


def test_context_features_mark_lines_below_a_comment_header():
    _, _, dense = page_lines(["Story text here.", "(3) comments", "nice", "agreed"])
    probs = np.full((4, 3), 1 / 3)
    feats = context_features(probs, dense)
    assert feats.shape[0] == 4
    seen = feats[:, -N_LINE_FEATURES - 14]  # then since, 4 mass/rules, 6 products, 2 rules-near
    assert list(seen) == [0, 0, 1, 1]


# --- sources and pages ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources():
    if not (DATA / "bbc_news").exists():
        pytest.skip("no raw data")
    return load_sources(DATA, seed=0, scale=0.1)


@needs_data
def test_split_keeps_every_document_group_on_one_side(sources):
    train, test = split_sources(sources, seed=0)
    for pool in ("articles", "comments", "pages"):
        train_groups = {d.group for d in getattr(train, pool)}
        test_groups = {d.group for d in getattr(test, pool)}
        assert train_groups and test_groups
        assert not train_groups & test_groups
    all_train = {d.group for pool in ("articles", "comments", "pages")
                 for d in getattr(train, pool)} | set(train.threads)
    all_test = {d.group for pool in ("articles", "comments", "pages")
                for d in getattr(test, pool)} | set(test.threads)
    test_pages = build_pages(test, 40, seed=1)
    for page in test_pages:
        assert page.groups <= all_test
        assert not page.groups & all_train
        assert len(page.lines) == len(page.labels)
        assert all((label is None) == (not line.strip())
                   for line, label in zip(page.lines, page.labels, strict=True))


@needs_data
def test_assembled_pages_vary_and_include_pages_without_comments(sources):
    train, _ = split_sources(sources, seed=0)
    pages = build_pages(train, 60, seed=3)
    with_comments = [p for p in pages if "comment" in p.labels]
    assert 0 < len(with_comments) < len(pages)
    assert {p.kind for p in pages} >= {"template", "real"}
    for page in with_comments:  # comments come after the first body line
        labels = [k for k in page.labels if k]
        if "body" in labels:
            assert labels.index("body") < labels.index("comment")


# --- a small trained model ------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    if not (DATA / "bbc_news").exists():
        pytest.skip("no raw data")
    return train_splitter(DATA, seed=0, **SMALL)


def test_small_training_run_reports_and_learns(trained):
    model, info = trained
    json.dumps(info)  # must go into the manifest
    held = info["splitter"]["held_out"]
    assert info["splitter"]["train_pages"] == SMALL["n_pages"]
    assert set(held["line_level"]) == set(KINDS) == set(held["word_weighted"])
    # far better than always guessing the majority kind
    assert held["word_weighted"]["comment"]["f1"] > 0.6
    assert held["word_weighted"]["body"]["f1"] > 0.6
    assert len(held["worst_errors"]) == 5
    assert held["worst_errors"][0]["confidence"] >= held["worst_errors"][-1]["confidence"]


def test_evaluate_rebuilds_the_same_held_out_pages(trained):
    model, info = trained
    again = evaluate_splitter(model, DATA, seed=0, scale=SMALL["scale"],
                              n_pages=SMALL["n_test_pages"])
    assert again["lines"] == info["splitter"]["held_out"]["lines"]
    assert again["word_weighted"] == info["splitter"]["held_out"]["word_weighted"]


def test_split_output_contract(trained):
    model, _ = trained
    text = ("Headline\r\n\r\nThe mayor said on Monday that taxes will rise.\n\n  \n"
            "3 comments\nSo wrong.")
    rows = model.split(text)
    lines = re.split(r"\r\n|\r|\n", text)
    assert [r["line"] for r in rows] == [i + 1 for i, x in enumerate(lines) if x.strip()]
    for row in rows:
        assert set(row) == {"line", "text", "kind", "confidence"}
        assert row["text"] == lines[row["line"] - 1]
        assert row["kind"] in KINDS
        assert isinstance(row["confidence"], float) and 1 / 3 <= row["confidence"] <= 1
    assert model.split("") == [] and model.split("\n \n") == []


def test_pickle_and_artifact_round_trip(trained, tmp_path):
    model, info = trained
    page = WFSB.read_text(encoding="utf-8") if WFSB.exists() else "One.\n\nTwo comments\nHi"
    clone = pickle.loads(pickle.dumps(model))
    assert clone.split(page) == model.split(page)
    path = tmp_path / "splitter.joblib"
    save_artifact(model, path, kind="splitter", info=info)
    loaded, manifest = load_artifact(path, kind="splitter")
    assert isinstance(loaded, SplitterModel)
    assert manifest["splitter"]["train_pages"] == SMALL["n_pages"]
    assert loaded.split(page) == model.split(page)


# --- reading pages and the CLI --------------------------------------------------------------


def test_read_page_rejects_empty_binary_and_bad_utf8(tmp_path):
    for name, data in [("empty.txt", b" \n\n"), ("bin.dat", b"ab\x00cd"),
                       ("latin1.txt", "café".encode("latin-1"))]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DataFormatError, match=name):
            read_page(str(path))
    good = tmp_path / "good.txt"
    good.write_bytes("\ufeffHello\nworld".encode())
    assert read_page(str(good)) == "Hello\nworld"


@pytest.fixture(scope="module")
def model_file(trained, tmp_path_factory):
    model, info = trained
    path = tmp_path_factory.mktemp("model") / "splitter.joblib"
    save_artifact(model, path, kind="splitter", info=info)
    return path


def test_cli_jsonl_output(model_file, tmp_path):
    page = tmp_path / "page.txt"
    text = "Budget passed.\n\nThe council voted 5-2 on Monday.\n\n(1) comment\nAbout time!\n"
    page.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["split", str(page), "-m", str(model_file),
                                      "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 3, 5, 6]
    assert all(r["kind"] in KINDS for r in rows)
    table = CliRunner().invoke(app, ["split", "-", "-m", str(model_file)], input=text)
    assert table.exit_code == 0
    assert len(table.stdout.splitlines()) == 4
    assert all(any(k in line for k in KINDS) for line in table.stdout.splitlines())


@pytest.mark.parametrize("data", [b"", b"\n  \n", b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xfe\xfa"])
def test_cli_rejects_empty_and_binary_files(model_file, tmp_path, data):
    page = tmp_path / "page.bin"
    page.write_bytes(data)
    result = CliRunner().invoke(app, ["split", str(page), "-m", str(model_file)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_cli_missing_model_and_bad_format(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Some text.\n", encoding="utf-8")
    missing = CliRunner().invoke(app, ["split", str(page), "-m", str(tmp_path / "none.joblib")])
    assert missing.exit_code == 1 and missing.stderr.startswith("error: ")
    bad = CliRunner().invoke(app, ["split", str(page), "--format", "xml"])
    assert bad.exit_code == 2


# --- the acceptance check on a real page ----------------------------------------------------


@pytest.fixture(scope="module")
def full_model() -> SplitterModel:
    """The default splitter, trained here on all default data (as `moderate train --only split`
    does; about a minute), so a clean checkout exercises the real-page check too."""
    if not (DATA / "bbc_news").exists():
        pytest.skip("no raw data")
    model, _ = train_splitter(DATA, seed=0, n_test_pages=20)
    return model


@pytest.mark.skipif(not WFSB.exists(), reason="wfsb_page.txt is absent")
def test_wfsb_page_comments_and_nothing_else(full_model):
    """The five reader comments are comments; no article or posting-rules line is."""
    rows = {r["line"]: r for r in full_model.split(WFSB.read_text(encoding="utf-8"))}
    text = {n: r["text"] for n, r in rows.items()}
    header = next(n for n, t in text.items() if t.strip() == "(2) comments")
    welcome = next(n for n, t in text.items() if t.startswith("Welcome to the discussion"))
    comments = [n for n in rows if header < n < welcome]
    assert len(comments) == 5
    wrong = {n: rows[n]["kind"] for n in comments if rows[n]["kind"] != "comment"}
    assert not wrong, wrong
    stray = {n: text[n] for n in rows if n not in comments and rows[n]["kind"] == "comment"}
    assert not stray, stray
