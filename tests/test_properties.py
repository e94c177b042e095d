"""Promises that must hold for any text, not only for the cases we thought of (hypothesis).

`st.text()` draws surrogates, controls, right-to-left text, combining marks and look-alikes.
Example counts are kept CI-sized.
"""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.cli._safe_text import spreadsheet_safe, terminal_safe
from moderation.comments_io import parse_comments
from moderation.normalize import MAX_TOKEN, normalize, tokenize

from .conftest import needs_data

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[!?]+")
# Text a user could put in a file: no lone surrogates (not Unicode), no NUL (a binary file).
_FILE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
_WORDISH = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789 .*$!@1|'-_")
                                   + ["\u200b", "а", "ο", "é", "Ｆ", "\n"]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _WORDISH))
def test_normalize_gives_bounded_plain_tokens_for_any_text(text):
    out = normalize(text)
    tokens = out.split()
    assert tokens == tokenize(text)
    assert " ".join(tokens) == out
    for token in tokens:
        assert _TOKEN.fullmatch(token) and len(token) <= MAX_TOKEN


@settings(max_examples=200, deadline=None)
@given(_WORDISH, st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]))
def test_invisible_characters_change_nothing(text, invisible):
    spaced = text.replace(" ", f" {invisible}")
    assert normalize(spaced) == normalize(text)


@needs_data
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=120), _WORDISH), min_size=1, max_size=8))
def test_fast_scorer_equals_the_reference_pipeline_on_any_text(trained, texts):
    model, pipeline, _ = trained
    fast = model.predict_proba(texts)
    reference = pipeline.predict_proba(texts)
    scored = model.scorer.scored
    np.testing.assert_allclose(fast[:, scored], reference[:, scored], atol=1e-6, rtol=0)


@settings(max_examples=150, deadline=None)
@given(st.lists(_FILE_TEXT.filter(str.strip), min_size=1, max_size=12))
def test_jsonl_and_csv_lose_no_comment_and_change_none(texts):
    jsonl = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    assert [t for _, t in parse_comments(jsonl, "jsonl", "x.jsonl")] == texts
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # "\r\n" rows: a cell holding a bare "\r" is quoted
    writer.writerow(["id", "text"])
    writer.writerows([i, t] for i, t in enumerate(texts))
    assert [t for _, t in parse_comments(buffer.getvalue(), "csv", "x.csv")] == texts


@settings(max_examples=150, deadline=None)
@given(st.lists(_FILE_TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " "))
                .filter(str.strip), min_size=1, max_size=12))
def test_text_files_keep_one_comment_per_line(texts):
    parsed = parse_comments("\n".join(texts) + "\n", "text", "x.txt")
    assert parsed == list(enumerate(texts, 1))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_shown_text_cannot_drive_a_terminal_or_a_spreadsheet(text):
    shown = terminal_safe(text)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u202e\u2066"
                   for ch in shown)
    cell = spreadsheet_safe(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


_ANY_TEXT = st.one_of(st.text(max_size=300), _WORDISH,
                      st.text(st.characters(), min_size=1000, max_size=3000))


@needs_data
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ANY_TEXT, min_size=1, max_size=6), st.lists(_ANY_TEXT, max_size=4))
def test_verdicts_are_one_per_text_bounded_and_independent_of_the_batch(trained, texts, others):
    model = trained[0]
    verdicts = model.verdicts(texts)
    assert [v["text"] for v in verdicts] == texts
    for verdict in verdicts:
        assert verdict["action"] in ("approve", "review", "reject")
        for score in verdict["scores"].values():
            assert score is None or (0.0 <= score <= 1.0 and np.isfinite(score))
        assert set(verdict["reasons"]) <= set(verdict["flags"])
    # the same text alone, or among other texts, gets the same verdict
    mixed = model.verdicts(others + texts + others)
    assert mixed[len(others):len(others) + len(texts)] == verdicts
    assert [model.verdicts([t])[0] for t in texts] == verdicts
