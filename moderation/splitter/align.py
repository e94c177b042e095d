"""Label the lines of a rendered page by aligning its words with the page's gold text.

The gold (dragnet_train) is text in two parts: the main content, then the comment section.
Words are lower-cased `\\w+` tokens (so "I’ve", "I've" and the gold's "I\\ufffdve" agree).
The page's tokens form one stream across line breaks; every window of K consecutive page tokens
that also occurs, in that order, in the gold body marks its K tokens body-aligned, and likewise
for the gold comments. Windows cross line boundaries, so a one-word line ("Reply", a name)
aligns when it sits in the gold between the same words as on the page, and not otherwise.

Partial lines: a line is `body` (or `comment`) when at least half of its tokens are aligned to
that part, the larger part winning if both reach half; every other line, including lines with
no word at all, is `boilerplate`. So a line "Share this: The mayor said ..." with most words in
the gold counts as body, and a teaser headline that shares three of its ten words does not.
"""

from __future__ import annotations

import re

K = 4
_TOKEN = re.compile(r"[^\W_]+")  # runs of letters/digits: linear, no backtracking


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _grams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + K]) for i in range(len(words) - K + 1)}


def label_lines(lines: list[str], body: str, comments: str) -> list[str | None]:
    """One label per line: body / comment / boilerplate, None for empty lines."""
    parts = (_grams(tokens(body)), _grams(tokens(comments)))
    stream: list[str] = []
    owner: list[int] = []
    for i, line in enumerate(lines):
        words = tokens(line)
        stream += words
        owner += [i] * len(words)
    covered = [[False] * len(stream), [False] * len(stream)]
    for j in range(len(stream) - K + 1):
        window = tuple(stream[j:j + K])
        for part, grams in enumerate(parts):
            if window in grams:
                covered[part][j:j + K] = [True] * K
    counts = [[0, 0, 0] for _ in lines]  # tokens, body-aligned, comment-aligned
    for j, i in enumerate(owner):
        counts[i][0] += 1
        counts[i][1] += covered[0][j]
        counts[i][2] += covered[1][j]
    labels: list[str | None] = []
    for line, (n, b, c) in zip(lines, counts, strict=True):
        if not line.strip():
            labels.append(None)
        elif n and max(b, c) * 2 >= n:
            labels.append("body" if b >= c else "comment")
        else:
            labels.append("boilerplate")
    return labels
