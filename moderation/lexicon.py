"""English words and how common each is, for reading run-together words (`whatanidiotyouare`).

The list is symspellpy's English frequency dictionary (82,765 lower-case words with counts from
the Google Books n-grams, MIT licence), read from the installed package's data file; symspellpy's
own code is never imported. It has only two one-letter words (`a`, `i`), so a split never falls
apart into single letters. A word's cost is -log of its share of all counts: the cheapest split
of a run of letters is the most probable sequence of words (Zipf), `an idiot you` over
`ani diot you`.

The file is read once, on first use, and the tables of a split built then (about 0.3 s in all,
and 20 MB); `Moderator.load` splits one word so that the first comment scored does not pay for
it.
"""

from __future__ import annotations

import functools
import importlib.util
import math
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
    costs, prefixes = _costs_with(extra, preferred)
    return cheapest_split(letters, costs, MAX_WORD, prefixes)


def cheapest_split(letters: str, costs: dict[str, float], max_word: int,
                   prefixes: frozenset[str] | None = None) -> list[str] | None:
    """The pieces of at most `max_word` letters that spell `letters` exactly at the least total
    cost (`costs`: word -> cost; other pieces are not words), or None; among equal totals the
    earliest start wins. Dynamic programming from each reachable start, extending a piece at
    most `max_word` letters and, given the set of `prefixes` of longer words, only while it is
    one: linear in the length of `letters`."""
    n = len(letters)
    inf = math.inf
    best = [0.0] + [inf] * n
    back = [0] * (n + 1)
    get = costs.get
    for start in range(n):
        before = best[start]
        if before == inf:
            continue
        for end in range(start + 1, min(n, start + max_word) + 1):
            piece = letters[start:end]
            cost = get(piece)
            if cost is not None and before + cost < best[end]:
                best[end], back[end] = before + cost, start
            if prefixes is not None and piece not in prefixes:
                break
    if best[n] == inf:
        return None
    parts: list[str] = []
    end = n
    while end:
        parts.append(letters[back[end]:end])
        end = back[end]
    return parts[::-1]


@functools.cache
def _costs_with(extra: frozenset[str], preferred: frozenset[str]
                ) -> tuple[dict[str, float], frozenset[str]]:
    """(word -> cost with `extra` and `preferred` words added, every proper prefix of a word)."""
    costs = dict(word_costs())
    rare, cheapest = _rarest(), _cheapest()
    for word in extra:
        costs.setdefault(word, rare)
    for word in preferred:
        costs[word] = cheapest
    prefixes = frozenset(word[:i] for word in costs for i in range(1, len(word)))
    return costs, prefixes


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
