"""The fast scorer's feature tables: fixed term indexes, and chunk and slot tables that grow.

`FeatureIndex` is made once per model from its terms: word and char term -> column, the char
n-grams of a token (moderation.features.char_ngrams_of, the reference analyzer itself), and
the word-bigram features indexed by their two tokens (ids per token, CSR by left token, so a
pair is found by binary search among the bigrams that start with its left token).

`TokenTables` are the caches of one generation (replaced, never cleared, when they hold too
much: `full`):

- chunk table: a whitespace-delimited chunk of lower-cased text -> the slots of its normalised
  tokens (moderation.normalize.normalize_chunk turns one chunk into zero or more tokens);
- slot table: one row per distinct token (its word-unigram column and its char n-gram columns,
  with counts) and, fixed at creation, one row per word-bigram feature.

Rows are only appended, to `GrowingArray`s, under the tables' `lock`; readers take a snapshot
of the row counts (moderation.fast.batch) and never read past it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..features import FeatureSpec, char_ngrams_of
from ..normalize import is_single_character, is_spaced_letter, normalize_chunk

# Tokens held in the slot table before it is replaced (chunks go with it), and characters of
# chunk keys held: distinct long chunks are rare in real text but cheap for an attacker to send.
CACHE_MAX_TOKENS = 300_000
CACHE_MAX_CHUNK_CHARS = 32 << 20


class GrowingArray:
    """An append-only numpy array with spare capacity (readers slice `arr[:n]`)."""

    __slots__ = ("arr", "n")

    def __init__(self, dtype: Any, values: np.ndarray | None = None, capacity: int = 1024):
        values = np.zeros(0, dtype=dtype) if values is None else np.asarray(values, dtype=dtype)
        self.arr = np.empty(max(capacity, 2 * len(values)), dtype=dtype)
        self.arr[:len(values)] = values
        self.n = len(values)

    def extend(self, values: list[int] | list[float]) -> None:
        end = self.n + len(values)
        if end > len(self.arr):
            bigger = np.empty(max(2 * len(self.arr), end), dtype=self.arr.dtype)
            bigger[:self.n] = self.arr[:self.n]
            self.arr = bigger
        self.arr[self.n:end] = values
        self.n = end


class FeatureIndex:
    """A model's word and char terms, indexed for the tables and for batch assembly."""

    def __init__(self, spec: FeatureSpec, word_terms: list[str], char_terms: list[str]):
        self.n_word = len(word_terms)
        self.n_char = len(char_terms)
        self.word_col = {term: i for i, term in enumerate(word_terms)}
        self.char_col = {term: i for i, term in enumerate(char_terms)}
        self.char_ngrams = char_ngrams_of(spec)
        # Word bigrams: ids for the tokens they are made of, keys left * n + right, sorted.
        token_id: dict[str, int] = {}
        lefts: list[int] = []
        rights: list[int] = []
        cols: list[int] = []
        for col, term in enumerate(word_terms):
            if " " in term:
                left, right = term.split(" ")
                lefts.append(token_id.setdefault(left, len(token_id)))
                rights.append(token_id.setdefault(right, len(token_id)))
                cols.append(col)
        self.token_id = token_id
        n_ids = max(len(token_id), 1)
        keys = np.asarray(lefts, dtype=np.int64) * n_ids + np.asarray(rights, np.int64)
        order = np.argsort(keys, kind="stable")
        # the same order as (left, right) pairs: per left token id, its right ids, sorted
        left_sorted, self.bigram_rights = np.divmod(keys[order], n_ids)
        self.bigram_left_ptr = np.searchsorted(left_sorted, np.arange(n_ids + 1))
        self.bigram_cols = np.asarray(cols, dtype=np.int32)[order]
        self.bigram_names = [word_terms[c] for c in self.bigram_cols.tolist()]


class TokenTables:
    """Chunk and slot tables of one cache generation.

    Slot rows: `w_*` the word column (unigram of a token, or a bigram feature; at most one),
    `c_*` the char n-gram columns with their counts (none for bigram slots), `token_id` the
    token's id among bigram tokens (-1: in no bigram), `letter` whether it is a spaced-out
    letter. Chunk rows: `k_start`/`k_len` its slots in `k_slots`, `k_single` whether it is one
    single-character token (moderation.normalize.is_single_character)."""

    def __init__(self, index: FeatureIndex):
        self.index = index
        self.lock = threading.Lock()
        n_bigrams = len(index.bigram_cols)
        self.n_fixed = n_bigrams
        self.slot_of: dict[str, int] = {}
        self.names: list[str] = list(index.bigram_names)
        room = n_bigrams + 4096
        self.w_indptr = GrowingArray(np.int32, np.arange(n_bigrams + 1), capacity=room)
        self.w_indices = GrowingArray(np.int32, index.bigram_cols, capacity=room)
        self.w_data = GrowingArray(np.float64, np.ones(n_bigrams), capacity=room)
        self.c_indptr = GrowingArray(np.int32, np.zeros(n_bigrams + 1), capacity=room)
        self.c_indices = GrowingArray(np.int32, capacity=65536)
        self.c_data = GrowingArray(np.float64, capacity=65536)
        self.token_id = GrowingArray(np.int64, np.full(n_bigrams, -1), capacity=room)
        self.letter = GrowingArray(np.int8, np.zeros(n_bigrams), capacity=room)
        self.chunk_of: dict[str, int] = {}
        self.chunk_chars = 0
        self.k_start = GrowingArray(np.int64)
        self.k_len = GrowingArray(np.int64)
        self.k_single = GrowingArray(np.int64)
        self.k_slots = GrowingArray(np.int32)

    @property
    def full(self) -> bool:
        """Whether these tables hold enough that the next batch should start new ones."""
        return (len(self.names) - self.n_fixed >= CACHE_MAX_TOKENS
                or self.chunk_chars >= CACHE_MAX_CHUNK_CHARS)

    def slot(self, token: str) -> int:
        """The slot of `token`, adding its row if new (call with `lock` held)."""
        found = self.slot_of.get(token)
        if found is not None:
            return found
        rows = _NewRows(self)
        try:
            return rows.slot(token)
        finally:
            rows.flush()

    def add_chunks(self, chunks: Iterable[str]) -> None:
        """Normalise and add the chunks not yet in the tables, and their new tokens (call
        with `lock` held). Rows are gathered in lists and each array is extended once: a
        batch of new text adds ~2 chunks and ~1 token per comment, and a numpy append per row
        cost a quarter of a cold batch's extra time. `chunk_of` is read without the lock
        (moderation.fast.batch), so a chunk's id is published there only after its rows are
        in the arrays (`_NewRows.flush`)."""
        rows = _NewRows(self)
        try:
            for chunk in chunks:
                if chunk not in self.chunk_of and chunk not in rows.chunk_ids:
                    rows.chunk(chunk)
        finally:  # every row made is whole; flush writes the arrays, then publishes the ids
            rows.flush()


class _NewRows:
    """New slot and chunk rows of one `TokenTables`, appended to its arrays by `flush`. Slot
    ids go into `names` and `slot_of` as the rows are made (both are read only under the
    tables' lock, by this thread); chunk ids wait in `chunk_ids` and reach `chunk_of`, which
    other threads read without the lock, only after `flush` has extended the arrays."""

    def __init__(self, tables: TokenTables):
        self.tables = tables
        self.c_nnz = tables.c_indices.n
        self.w_nnz = tables.w_indices.n
        self.k_nnz = tables.k_slots.n
        self.c_indices: list[int] = []
        self.c_data: list[float] = []
        self.c_indptr: list[int] = []
        self.w_indices: list[int] = []
        self.w_indptr: list[int] = []
        self.token_id: list[int] = []
        self.letter: list[int] = []
        self.k_start: list[int] = []
        self.k_len: list[int] = []
        self.k_single: list[int] = []
        self.k_slots: list[int] = []
        self.chunk_ids: dict[str, int] = {}

    def slot(self, token: str) -> int:
        tables = self.tables
        found = tables.slot_of.get(token)
        if found is not None:
            return found
        index = tables.index
        counts: dict[int, int] = {}
        char_col = index.char_col
        for gram in index.char_ngrams(token):
            col = char_col.get(gram)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        cols = sorted(counts)
        self.c_indices += cols
        self.c_data += [float(counts[c]) for c in cols]
        self.c_nnz += len(cols)
        self.c_indptr.append(self.c_nnz)
        unigram = index.word_col.get(token)
        if unigram is not None:
            self.w_indices.append(unigram)
            self.w_nnz += 1
        self.w_indptr.append(self.w_nnz)
        self.token_id.append(index.token_id.get(token, -1))
        self.letter.append(int(is_spaced_letter(token)))
        slot = len(tables.names)
        tables.names.append(token)
        tables.slot_of[token] = slot
        return slot

    def chunk(self, chunk: str) -> None:
        tables = self.tables
        tokens = normalize_chunk(chunk)
        slots = [self.slot(token) for token in tokens]
        cid = tables.k_start.n + len(self.k_start)
        self.k_start.append(self.k_nnz)
        self.k_len.append(len(slots))
        self.k_single.append(int(is_single_character(tokens)))
        self.k_slots += slots
        self.k_nnz += len(slots)
        self.chunk_ids[chunk] = cid
        tables.chunk_chars += len(chunk)

    def flush(self) -> None:
        t = self.tables
        for array, values in ((t.c_indices, self.c_indices), (t.c_data, self.c_data),
                              (t.c_indptr, self.c_indptr), (t.w_indices, self.w_indices),
                              (t.w_data, [1.0] * len(self.w_indices)),
                              (t.w_indptr, self.w_indptr), (t.token_id, self.token_id),
                              (t.letter, self.letter), (t.k_start, self.k_start),
                              (t.k_len, self.k_len), (t.k_single, self.k_single),
                              (t.k_slots, self.k_slots)):
            if values:
                array.extend(values)
        t.chunk_of.update(self.chunk_ids)
