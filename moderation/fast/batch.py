"""Batch assembly: texts -> one sparse matrix of the token and word-pair slots each text holds.

scikit-learn's analyzers slice every word and character n-gram of every comment in Python. But
a char_wb n-gram never crosses a word, and a word unigram is the word itself, so a text's counts
are the sum of its tokens' counts plus its word pairs. `assemble` therefore does one dict
look-up per whitespace-delimited chunk (moderation.fast.tables), array gathers for the token
slots and the word pairs (a pair is found by binary search among the bigram features that start
with its left token), and keeps the result as a `Batch`: the (texts x slots) CSR matrix D, all
counts 1, with a snapshot of the slot rows it uses. Texts that may hold spaced-out letters
(moderation.normalize.SPACED_LETTERS_MIN) are tokenised again by moderation.normalize.tokenize
itself.
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter

import numpy as np
import scipy.sparse as sp

from .. import kernels
from ..normalize import SPACED_LETTERS_MIN, tokenize
from .tables import FeatureIndex, TokenTables


class Batch:
    """One assembled batch: each text's slots (the rows of D, as `d_indptr` and `d_indices`),
    its tokens (`slots` between `tok_ptr` entries), a snapshot of the slot table rows, and,
    once scored (moderation.fast.scorer), its decision values and precomputed reasons."""

    def __init__(self, d_indptr: np.ndarray, d_indices: np.ndarray, slots: np.ndarray,
                 tok_ptr: np.ndarray, tables: TokenTables, n_slots: int, c_nnz: int,
                 w_nnz: int):
        self.d_indptr = d_indptr
        self.d_indices = d_indices
        self.slots = slots
        self.tok_ptr = tok_ptr
        self.names = tables.names
        self.n_word = tables.index.n_word
        self.n_char = tables.index.n_char
        self.w_indptr = tables.w_indptr.arr[:n_slots + 1]
        self.w_indices = tables.w_indices.arr[:w_nnz]
        self.w_data = tables.w_data.arr[:w_nnz]
        self.c_indptr = tables.c_indptr.arr[:n_slots + 1]
        self.c_indices = tables.c_indices.arr[:c_nnz]
        self.c_data = tables.c_data.arr[:c_nnz]
        self.decision: np.ndarray | None = None
        self.explain_from: np.ndarray | None = None
        self.reason_slots: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.d_indptr) - 1

    def tokens(self, row: int) -> list[str]:
        """The tokens of text `row` (moderation.normalize.tokenize of it)."""
        names = self.names
        return [names[s] for s in self.slots[self.tok_ptr[row]:self.tok_ptr[row + 1]].tolist()]

    def counts(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The word and char n-gram counts of every text, as CSR matrices."""
        n_slots = len(self.c_indptr) - 1
        rows = sp.csr_matrix((np.ones(len(self.d_indices)), self.d_indices, self.d_indptr),
                             shape=(len(self), n_slots))
        word = sp.csr_matrix((self.w_data, self.w_indices, self.w_indptr),
                             shape=(n_slots, self.n_word))
        char = sp.csr_matrix((self.c_data, self.c_indices, self.c_indptr),
                             shape=(n_slots, self.n_char))
        return rows @ word, rows @ char


def assemble(texts: list[str], tables: TokenTables) -> Batch:
    """The batch of `texts`, adding their new chunks and tokens to `tables`."""
    n_docs = len(texts)
    words = [text.lower().split() for text in texts]
    n_words = np.fromiter(map(len, words), dtype=np.int64, count=n_docs)
    cids = _chunk_ids(list(chain.from_iterable(words)), tables)
    doc_of_word = np.repeat(np.arange(n_docs), n_words)
    lens = tables.k_len.arr[cids]
    slots = tables.k_slots.arr[_ragged(tables.k_start.arr[cids], lens)]
    n_tok = np.bincount(doc_of_word, weights=lens, minlength=n_docs).astype(np.int64)
    singles = np.bincount(doc_of_word, weights=tables.k_single.arr[cids], minlength=n_docs)
    if (singles >= SPACED_LETTERS_MIN).any():
        slots, n_tok = _rejoin(texts, singles, slots, n_tok, tables)
    tok_ptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(n_tok, out=tok_ptr[1:])
    # Snapshot of the slot table: rows added later by other threads are not read.
    with tables.lock:
        n_slots = len(tables.names)
        c_nnz = tables.c_indices.n
        w_nnz = tables.w_indices.n
    d_indptr, d_indices = _items(slots, tok_ptr, n_tok, tables.token_id.arr[:n_slots],
                                 tables.index)
    return Batch(d_indptr, d_indices, slots, tok_ptr, tables, n_slots, c_nnz, w_nnz)


def _chunk_ids(flat: list[str], tables: TokenTables) -> np.ndarray:
    chunk_of = tables.chunk_of
    try:
        if len(flat) > 1:
            return np.fromiter(itemgetter(*flat)(chunk_of), dtype=np.int64, count=len(flat))
        return np.array([chunk_of[w] for w in flat], dtype=np.int64)
    except KeyError:
        with tables.lock:
            tables.add_chunks(set(flat).difference(chunk_of))
        return np.fromiter(map(chunk_of.__getitem__, flat), dtype=np.int64, count=len(flat))


def _rejoin(texts: list[str], singles: np.ndarray, slots: np.ndarray, n_tok: np.ndarray,
            tables: TokenTables) -> tuple[np.ndarray, np.ndarray]:
    """Re-tokenise, with moderation.normalize.tokenize itself, the texts that may hold
    spaced-out letters: enough single-character chunks and a run of SPACED_LETTERS_MIN
    spaced-letter tokens."""
    letter = tables.letter.arr[slots]
    n_starts = len(letter) - SPACED_LETTERS_MIN + 1
    if n_starts <= 0:
        return slots, n_tok
    in_run = letter[:n_starts].astype(bool)
    for k in range(1, SPACED_LETTERS_MIN):
        in_run &= letter[k:k + n_starts].astype(bool)
    run = np.flatnonzero(in_run)
    if not len(run):
        return slots, n_tok
    ptr = np.zeros(len(n_tok) + 1, dtype=np.int64)
    np.cumsum(n_tok, out=ptr[1:])
    rows = np.unique(np.searchsorted(ptr, run, side="right") - 1)
    rows = rows[singles[rows] >= SPACED_LETTERS_MIN]
    if not len(rows):
        return slots, n_tok
    pieces: list[np.ndarray] = []
    n_tok = n_tok.copy()
    done = 0
    for row in rows.tolist():
        tokens = tokenize(texts[row])
        with tables.lock:
            found = [tables.slot(token) for token in tokens]
        pieces.append(slots[done:ptr[row]])
        pieces.append(np.asarray(found, dtype=np.int32))
        done = ptr[row + 1]
        n_tok[row] = len(found)
    pieces.append(slots[done:])
    return np.concatenate(pieces), n_tok


def _items(slots: np.ndarray, tok_ptr: np.ndarray, n_tok: np.ndarray, slot_token_id: np.ndarray,
           index: FeatureIndex) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of the (n_texts x n_slots) CSR matrix of each text's token slots
    and word-pair slots (all counts 1; a slot may repeat in a row)."""
    n_docs = len(n_tok)
    total = len(slots)
    if total > 1 and len(index.bigram_rights):
        ids = slot_token_id[slots]
        ok = ids >= 0
        inner = tok_ptr[1:-1]
        ok[inner[inner < total]] = False  # a text's first token pairs with no earlier one
        pair = np.flatnonzero(ok[1:] & (ids[:-1] >= 0))
        pos = kernels.bigram_positions(ids[pair], ids[pair + 1], index.bigram_left_ptr,
                                       index.bigram_rights)
        hit = pos >= 0
        pair, bigram_slots = pair[hit], pos[hit]
    else:
        pair = bigram_slots = np.zeros(0, dtype=np.int64)
    doc_of_tok = np.repeat(np.arange(n_docs), n_tok)
    doc_of_pair = doc_of_tok[pair]
    n_pairs = np.bincount(doc_of_pair, minlength=n_docs)
    pairs_before = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(n_pairs, out=pairs_before[1:])
    indices = np.empty(total + len(pair), dtype=np.int32)
    indices[np.arange(total) + pairs_before[doc_of_tok]] = slots
    indices[tok_ptr[1:][doc_of_pair] + np.arange(len(pair))] = bigram_slots
    return (tok_ptr + pairs_before).astype(np.int32), indices


def _ragged(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Indices start[0]..start[0]+lens[0]-1, start[1].., concatenated."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lens) - lens
    return np.repeat(starts - offsets, lens) + np.arange(total)
