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
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.cli._safe_text import spreadsheet_safe, terminal_safe
from moderation.comments_io import parse_comments
from moderation.normalize import MAX_TOKEN, NEVER_UNMASKED, normalize, tokenize

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


# Plain-letter chunks: repeated letters, words run together, bad words and slurs' letters.
_LETTERS_ONLY = st.one_of(
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1, max_size=40),
    st.lists(st.sampled_from(["you", "are", "an", "idiot", "stupid", "fuck", "off", "jews",
                              "cock", "tail", "ass", "class", "sss", "uuu", "hate", "the"]),
             min_size=1, max_size=5).map("".join))


@settings(max_examples=400, deadline=None)
@given(_LETTERS_ONLY, st.sampled_from(["", "&#88;", "&#65;", "&amp;", "x&#88;", "&#x59;"]))
def test_plain_letter_chunks_take_the_short_path_to_the_same_reading(word, prefix):
    from moderation.normalize import _normalize_word

    chunk = prefix + word  # an entity unescapes to a capital after lower-casing
    assert _normalize_word(chunk) == _normalize_word(chunk, short_path=False)


@settings(max_examples=200, deadline=None)
@given(_WORDISH, st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]))
def test_invisible_characters_change_nothing(text, invisible):
    spaced = text.replace(" ", f" {invisible}")
    assert normalize(spaced) == normalize(text)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=120), _WORDISH), min_size=1, max_size=8))
def test_fast_scorer_equals_the_reference_pipeline_on_any_text(fixture_trained, texts):
    model, pipeline, _ = fixture_trained
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


# --- issue 12: masks, the Moderator, the splitter and `moderate score` over arbitrary text ---

_MASKED_PROTECTED = st.sampled_from(sorted(w for w in NEVER_UNMASKED if len(w) >= 3))


@settings(max_examples=300, deadline=None)
@given(_MASKED_PROTECTED, st.data(), st.sampled_from("*#%"),
       st.sampled_from(["", "you ", "what a ", "those "]), st.sampled_from(["", " !", " that"]))
def test_a_masked_slur_or_identity_term_is_never_rebuilt(word, data, mark, before, after):
    hidden = data.draw(st.sets(st.integers(1, len(word) - 1), min_size=1))
    masked = "".join(mark if i in hidden else ch for i, ch in enumerate(word))
    # only what is still written out in full (`nigga*`) may come through
    visible = set(normalize(before + masked.replace(mark, " ") + after).split())
    assert set(normalize(before + masked + after).split()) & NEVER_UNMASKED <= visible


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _WORDISH), st.integers(0, 2**32 - 1))
def test_every_evasion_rewrite_is_a_deterministic_function_of_text_and_seed(text, seed):
    from moderation.perturb import REWRITES, perturb

    for name in REWRITES:
        out = perturb([text, text], name, seed)
        assert out == perturb([text, text], name, seed)
        assert all(isinstance(t, str) for t in out)


@pytest.fixture(scope="module")
def moderator(fixture_model_dir):
    from moderation.hook import Moderator

    return Moderator.load(fixture_model_dir)


_BATCH_TEXT = st.one_of(st.text(max_size=200), _WORDISH,
                        st.text(st.characters(), min_size=500, max_size=1500))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_BATCH_TEXT, min_size=1, max_size=6), st.lists(_BATCH_TEXT, max_size=3))
def test_check_many_is_one_bounded_verdict_per_text_deterministic_and_batch_free(
        moderator, texts, others):
    verdicts = moderator.check_many(texts)
    assert len(verdicts) == len(texts)
    assert [v["text"] for v in verdicts] == texts
    for verdict in verdicts:
        assert set(verdict["scores"]) == set(moderator.rule_ids)
        assert verdict["action"] in ("approve", "review", "reject")
        assert set(verdict["reasons"]) <= set(verdict["flags"])
        for score in verdict["scores"].values():
            assert score is None or (np.isfinite(score) and 0.0 <= score <= 1.0)
    assert moderator.check_many(texts) == verdicts
    assert moderator.check_many(others + texts + others)[len(others):][:len(texts)] == verdicts
    assert [moderator.check(text) for text in texts] == verdicts


_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=80).map(lambda t: t.replace("\n", " ").replace("\r", " "))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_LINE, min_size=1, max_size=10))
def test_split_labels_each_non_empty_line_once_in_order(moderator, lines):
    if moderator.splitter is None:
        pytest.skip("no splitter model")
    labelled = moderator.split("\n".join(lines))
    assert [row["text"] for row in labelled] == [line for line in lines if line.strip()]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_LINE.filter(lambda t: not t.startswith("\ufeff")), min_size=1, max_size=10))
def test_moderate_score_gives_one_result_per_non_empty_line(moderator, lines):
    from unittest.mock import patch

    from typer.testing import CliRunner

    from moderation.cli import app
    from moderation.cli import score as score_module

    raw = "\n".join(lines).encode("utf-8")
    with patch.object(score_module.Moderator, "load", return_value=moderator):
        result = CliRunner().invoke(app, ["score", "-", "-f", "jsonl"], input=raw)
    expected = [(i, line) for i, line in enumerate(lines, 1) if line.strip()]
    if not expected:
        assert result.exit_code == 1 and result.stderr.startswith("error:")
        return
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.split("\n") if line]
    assert [(row["line"], row["text"]) for row in rows] == expected
