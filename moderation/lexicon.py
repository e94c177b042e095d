"""English words and how common each is, for reading run-together words (`whatanidiotyouare`).

The list is symspellpy's English frequency dictionary (82,765 lower-case words with counts from
the Google Books n-grams, MIT licence), read from the installed package's data file; symspellpy's
own code is never imported. It has only two one-letter words (`a`, `i`), so a split never falls
apart into single letters. A word's cost is -log of its share of all counts: the cheapest split
of a run of letters is the most probable sequence of words (Zipf), `an idiot you` over
`ani diot you`.

The file is read once, on first use (about 0.1 s); `Moderator.load` calls `warm_up` so that the
first comment scored does not pay for it.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Callable
from pathlib import Path

WORD_LIST = "frequency_dictionary_en_82_765.txt"
# Longer words are technical terms a commenter does not run into other words (the list has 33).
MAX_WORD = 18
# The words a commenter runs into a swear are everyday ones; rarer ones are mostly names
# (`matsu` of `matsushita`, rank 55,902), which must not be read as `matsu shit a`.
COMMON_RANK = 40_000


def _word_list_path() -> Path:
    spec = importlib.util.find_spec("symspellpy")
    if spec is None or spec.origin is None:
        raise RuntimeError("symspellpy is not installed: it ships the English word list "
                           "(pip install symspellpy)")
    return Path(spec.origin).parent / WORD_LIST


@functools.cache
def word_costs() -> dict[str, float]:
    """word -> -log(its share of all word counts), for the words of at most MAX_WORD letters."""
    counts: dict[str, int] = {}
    with open(_word_list_path(), encoding="utf-8") as handle:
        for line in handle:
            word, _, count = line.partition(" ")
            if word.isalpha() and word.isascii() and len(word) <= MAX_WORD:
                counts[word] = int(count)
    total = sum(counts.values())
    return {word: math.log(total / count) for word, count in counts.items()}


def warm_up() -> None:
    """Read the list now rather than while scoring the first comment."""
    word_costs()


def is_word(letters: str) -> bool:
    return letters in word_costs()


def is_common(word: str) -> bool:
    """One of the COMMON_RANK most frequent words."""
    cost = word_costs().get(word)
    return cost is not None and cost <= _common_cost()


def split_words(letters: str, extra: frozenset[str] = frozenset(),
                preferred: frozenset[str] = frozenset()) -> list[str] | None:
    """The most probable words that spell `letters` exactly, or None when no split exists.
    Words in `extra` (slang and insults the list lacks) cost as much as its rarest word, words
    in `preferred` as little as its most common one (`amoron` is `a moron`, not `amor on`)."""
    costs = word_costs()

    def cost(piece: str) -> float | None:
        if piece in preferred:
            return _cheapest()
        found = costs.get(piece)
        return _rarest() if found is None and piece in extra else found
    return cheapest_split(letters, cost, MAX_WORD)


def cheapest_split(letters: str, cost: Callable[[str], float | None], max_word: int
                   ) -> list[str] | None:
    """The pieces of at most `max_word` letters that spell `letters` exactly at the least total
    `cost` (None: not a word), or None. Dynamic programming over end positions, each looking
    back at most `max_word` letters: linear in the length of `letters`; among equal totals the
    earliest start wins."""
    n = len(letters)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(max(0, end - max_word), end):
            if best[start] == math.inf:
                continue
            piece_cost = cost(letters[start:end])
            if piece_cost is not None and best[start] + piece_cost < best[end]:
                best[end], back[end] = best[start] + piece_cost, start
    if best[n] == math.inf:
        return None
    parts: list[str] = []
    end = n
    while end:
        parts.append(letters[back[end]:end])
        end = back[end]
    return parts[::-1]


@functools.cache
def _rarest() -> float:
    return max(word_costs().values())


@functools.cache
def _cheapest() -> float:
    return min(word_costs().values())


@functools.cache
def _common_cost() -> float:
    costs = sorted(word_costs().values())
    return costs[min(COMMON_RANK, len(costs)) - 1]
