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

N_LINE_FEATURES = 24


def line_text(line: str) -> str:
    """What TF-IDF sees: lower case, digits folded."""
    return _DIGITS.sub("0", line.lower())


def line_features(line: str, blank_before: int, blank_after: int) -> list[float]:
    """Dense features of one non-empty line (see module docstring)."""
    s = line.strip()
    n = len(s)
    words = _WORD.findall(s)
    nw = max(1, len(words))
    letters = sum(ch.isalpha() for ch in s) or 1
    upper = sum(ch.isupper() for ch in s)
    digits = sum(ch.isdigit() for ch in s)
    titled = sum(w[0].isupper() for w in words)
    end = s.rstrip("\"”’)")[-1:] if s else ""
    return [
        np.log1p(n),
        np.log1p(len(words)),
        float(end in ".!?"),
        float(end == ":"),
        float(s[:1].isupper()),
        upper / letters,
        digits / max(1, n),
        titled / nw,
        len(_FIRST_SG.findall(s)) / nw,
        len(_FIRST_PL.findall(s)) / nw,
        len(_SECOND.findall(s)) / nw,
        float(bool(_QUOTE.search(s))),
        float(bool(_AGO.search(s)) and len(words) <= 6),
        float(bool(_DATE.search(s))),
        float(bool(re.fullmatch(r"[\d\s.,:()+#▲▼|-]+", s))),
        float(bool(_URL.search(s))),
        float("?" in s or "!" in s),
        s.count(",") / nw,
        min(blank_before, 3) / 3,
        min(blank_after, 3) / 3,
        float(s.isupper() and letters > 3),
        letters / max(1, n),
        np.log1p(len(_SENT_END.findall(s))),
        float(bool(_INFORMAL.search(s))),
    ]


def page_lines(lines: list[str]) -> tuple[list[int], list[str], np.ndarray]:
    """Indices and texts of the non-empty lines, and their dense features."""
    idx = [i for i, line in enumerate(lines) if line.strip()]
    feats = np.zeros((len(idx), N_LINE_FEATURES))
    for j, i in enumerate(idx):
        before = i - idx[j - 1] - 1 if j else min(i, 3)
        after = idx[j + 1] - i - 1 if j + 1 < len(idx) else 3
        feats[j] = line_features(lines[i], before, after)
    return idx, [lines[i] for i in idx], feats


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
    cols += [pos, dense]
    return np.hstack(cols)
