"""Sentences of a comment, as spans of the text as written, in linear time.

The be_truthful signal scores each sentence of a comment (moderation.claims): a comment mixes
a claim with opinion, and the sentence that drove the score is what a moderator reads. A
sentence ends at a line break (any that `str.splitlines` knows), or after a run of `.`, `!`, `?`
or `…` (with closing quotes or brackets, and invisible format characters) that is followed by
whitespace or the end, unless the word before a lone `.` is an abbreviation ("Mr.", "Dr."),
holds inner dots ("U.S.", "e.g.") or is a single letter other than "I" (an initial). Only
the marks are visited, found by a one-character pattern (nothing to backtrack), each once, with
a look-back of at most 8 characters: the time is linear in the text's length whatever an
attacker types.
"""

from __future__ import annotations

import re
import unicodedata

_ENDS = frozenset(".!?…")
# Line breaks: the ones str.splitlines knows (so a sentence never spans what a reader sees as
# two lines, U+2028 included).
_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_MARKS = re.compile("[.!?…\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_WORD = re.compile(r"[^\W_]")  # a letter or digit
_CLOSERS = frozenset("\"')]}»”’")
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "gov", "sen", "rep", "gen",
    "col", "lt", "sgt", "capt", "cpl", "det", "insp", "supt",
    "hon", "rev", "ft", "mt", "ave", "blvd", "inc", "ltd", "co", "corp", "dept", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
))


def _invisible(ch: str) -> bool:
    """A zero-width or other format character (ZWSP, joiners, BOM, bidi marks): an attacker's
    `claim.\u200bopinion` still ends a sentence."""
    return unicodedata.category(ch) == "Cf"


def _word_before(text: str, end: int) -> str:
    """The word (letters and inner dots, lower-cased) ending at `end`, at most 8 back: enough
    for every abbreviation, and a bounded look-back keeps the scan linear."""
    start = end
    while start > 0 and end - start < 8 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    if start > 0 and end - start >= 8 and (text[start - 1].isalpha()):
        return ""  # a longer word: not an abbreviation
    return text[start:end].lower()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, leading and trailing whitespace excluded; a
    text without words gives no spans."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    skip_to = 0  # marks up to here belong to a run already read

    def close(end: int) -> None:
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if _WORD.search(text, s, e):
            spans.append((s, e))

    # Only the marks are visited, each once (single characters: no backtracking).
    for mark in _MARKS.finditer(text):
        i = mark.start()
        if i < skip_to:
            continue
        ch = text[i]
        if ch in _BREAKS:
            close(i)
            start = skip_to = i + 1
            continue
        j = i
        while j < n and text[j] in _ENDS:
            j += 1
        while j < n and (text[j] in _CLOSERS or _invisible(text[j])):
            j += 1
        skip_to = j
        if j < n and not text[j].isspace():
            continue
        if ch == "." and j - i == 1:
            word = _word_before(text, i)
            if (len(word) == 1 and word != "i") or "." in word or word in _ABBREVIATIONS:
                continue
        close(j)
        start = j
    close(n)
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of `text`, as written."""
    return [text[s:e] for s, e in sentence_spans(text)]
