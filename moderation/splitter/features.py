"""Per-line features for the two passes of the splitter.

First pass (one line alone, plus its blank-line surroundings): the line's words for TF-IDF
(`line_text`, digits folded to 0 so "(12) comments" and "(2) comments" are one token sequence)
and a small dense vector (`line_features`): length, punctuation, case, first/second person,
quotes, dates and relative times, URLs, and how many empty lines sit above and below it.

Second pass (`context_features`): the first pass's class probabilities of lines i-k..i+k, their
means over near and far windows above and below and over everything above / below, the line's
position in the page, and its own dense features. That is what lets "That's tough" under
"(2) comments" read as a comment while the same words in an article would not.
"""

from __future__ import annotations

import math
import re

import numpy as np

_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"[A-Za-z']+")
_FIRST_SG = re.compile(r"\b(i|me|my|mine|myself|i'm|i've|i'd|i'll|im)\b", re.I)
_FIRST_PL = re.compile(r"\b(we|us|our|ours|we're|we've)\b", re.I)
_SECOND = re.compile(r"\b(you|your|yours|you're|u|ya)\b", re.I)
_QUOTE = re.compile(r"[\"“”‘’«»]")
_AGO = re.compile(r"\b\d+\s*(s|sec|m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?|"
                  r"months?|y|years?)\s*(ago)?\b", re.I)
_DATE = re.compile(r"\b(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d\d-\d\d|(jan|feb|mar|apr|may|"
                   r"jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}:\d\d)", re.I)
_URL = re.compile(r"(https?://|www\.|\.com\b|@\w+\.)", re.I)
_INFORMAL = re.compile(r"(n't|!!|\?\?|\.\.\.|\blol\b|\bimo\b|\bhaha\b|\bgonna\b|\byeah\b)", re.I)
_SENT_END = re.compile(r"[.!?][\"”’)]?(\s|$)")

_NUMERIC = re.compile(r"[\d\s.,:()+#▲▼|-]+")
_COMMENT_HEADER = re.compile(r"^\W*(\(?\d+\)?\s*)?(comments?|responses?|replies|reactions|"
                             r"discussion|conversation|thoughts)\b|\b\d+\s*comments?\W*$|"
                             r"^(join|start|leave|add|post|view|show|see|load)\b.{0,25}"
                             r"\b(comments?|conversation|discussion|reply)\b", re.I)
_RULE_LIKE = re.compile(r"^[A-Z][a-z']+( [A-Za-z']+){0,3}[.:!] [A-Z]")
N_LINE_FEATURES = 26


MAX_CHARS = 400  # long paragraphs are decided by their first sentences; keeps 1 MB fast


def line_text(line: str) -> str:
    """What TF-IDF sees: the first MAX_CHARS characters, lower case, digits folded."""
    return _DIGITS.sub("0", line[:MAX_CHARS].lower())


def line_features(line: str, blank_before: int, blank_after: int) -> list[float]:
    """Dense features of one non-empty line (see module docstring)."""
    n = len(line.strip())
    s = line.strip()[:MAX_CHARS]
    words = _WORD.findall(s)
    nw = max(1, len(words))
    letters = sum(map(str.isalpha, s)) or 1
    upper = sum(map(str.isupper, s))
    digits = sum(map(str.isdigit, s))
    titled = sum(w[0].isupper() for w in words)
    end = s.rstrip("\"”’)")[-1:] if s else ""
    return [
        math.log1p(n),
        math.log1p(len(words)),
        float(end in ".!?"),
        float(end == ":"),
        float(s[:1].isupper()),
        upper / letters,
        digits / max(1, len(s)),
        titled / nw,
        len(_FIRST_SG.findall(s)) / nw,
        len(_FIRST_PL.findall(s)) / nw,
        len(_SECOND.findall(s)) / nw,
        float(bool(_QUOTE.search(s))),
        float(bool(_AGO.search(s)) and len(words) <= 6),
        float(bool(_DATE.search(s))),
        float(bool(_NUMERIC.fullmatch(s))),
        float(bool(_URL.search(s))),
        float("?" in s or "!" in s),
        s.count(",") / nw,
        min(blank_before, 3) / 3,
        min(blank_after, 3) / 3,
        float(s.isupper() and letters > 3),
        letters / max(1, len(s)),
        math.log1p(len(_SENT_END.findall(s))),
        float(bool(_INFORMAL.search(s))),
        float(len(s) < 60 and bool(_COMMENT_HEADER.search(s))),
        float(bool(_RULE_LIKE.match(s))),
    ]


def page_lines(lines: list[str]) -> tuple[list[int], list[str], np.ndarray]:
    """Indices and texts of the non-empty lines, and their dense features."""
    idx = [i for i, line in enumerate(lines) if line.strip()]
    rows = []
    for j, i in enumerate(idx):
        before = i - idx[j - 1] - 1 if j else min(i, 3)
        after = idx[j + 1] - i - 1 if j + 1 < len(idx) else 3
        rows.append(line_features(lines[i], before, after))
    feats = np.array(rows, dtype=float).reshape(len(idx), N_LINE_FEATURES)
    return idx, [lines[i] for i in idx], feats


HEADER_COLUMN = 24
WINDOW = 4
SCALES = (3, 12)


def _window_means(p: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of rows i-width..i-1 and i+1..i+width (zeros where the window is empty)."""
    n, k = p.shape
    csum = np.vstack([np.zeros((1, k)), np.cumsum(p, axis=0)])
    i = np.arange(n)
    lo, hi = np.maximum(0, i - width), np.minimum(n, i + width + 1)
    up_n = (i - lo)[:, None]
    down_n = (hi - i - 1)[:, None]
    up = (csum[i] - csum[lo]) / np.maximum(1, up_n)
    down = (csum[hi] - csum[i + 1]) / np.maximum(1, down_n)
    return up, down


def context_features(probs: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """Second-pass features of every line of one page from its first-pass probabilities."""
    n, k = probs.shape
    cols = [probs]
    for d in range(1, WINDOW + 1):
        for shift in (-d, d):
            shifted = np.zeros((n, k + 1))
            src = np.arange(n) + shift
            ok = (src >= 0) & (src < n)
            shifted[ok, :k] = probs[src[ok]]
            shifted[~ok, k] = 1.0  # beyond the page edge
            cols.append(shifted)
    for width in SCALES:
        cols.extend(_window_means(probs, width))
    cols.extend(_window_means(probs, n))  # everything above / below
    i = np.arange(n)
    pos = np.column_stack([i / max(1, n - 1), np.log1p(i), np.log1p(n - 1 - i),
                           np.full(n, np.log1p(n))])
    # distance (in lines) to the nearest comment-section header above, if any
    header = dense[:, HEADER_COLUMN] > 0
    last = np.where(header, i, -1)
    last = np.maximum.accumulate(last) if n else last
    seen = np.concatenate([[-1], last[:-1]]) if n else last
    since = np.where(seen >= 0, np.log1p(i - seen), -1.0)
    pos = np.column_stack([pos, seen >= 0, since])
    cols += [pos, dense]
    return np.hstack(cols)
