"""The fast featuriser and scorer: the reference FeatureUnion + RuleClassifiers, computed faster.

scikit-learn's analyzers slice every word and character n-gram of every comment in Python. But a
char_wb n-gram never crosses a word, and a word unigram is the word itself, so a comment's counts
are the sum of its tokens' counts plus its word pairs. `FastScorer` therefore works with two
small integer tables that grow as text is seen (and are reset when they grow too large):

- chunk table: a whitespace-delimited chunk of lower-cased text -> the slots of its normalised
  tokens (moderation.normalize turns one chunk into zero or more tokens);
- slot table: one row per distinct token (its word-unigram column and its char n-gram columns,
  with counts) and, fixed at load, one row per word-bigram feature.

A batch is then: one dict look-up per chunk, array gathers for the token slots and word pairs
(a pair is found by binary search among the bigram features that start with its left token),
and one sparse (documents x slots) matrix D, kept as CSR arrays. The compiled kernels in
moderation.kernels walk D and the slot rows to get each document's feature counts, sublinear
tf, idf and per-vectoriser L2 norm, and the decision values of all rules; reasons are
computed in the same pass for the (text, rule) pairs at or over a given decision value (the
rule's review threshold), or later for any pair asked for: a token's weight for a rule is its
own word feature's contribution plus those of its char n-grams.

tests/test_fast.py holds the scores to those of the scikit-learn pipeline within 1e-6, and the
reasons to those computed from the pipeline's own tf-idf matrices.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from . import kernels
from .features import CHAR_NGRAMS, WORD_NGRAMS
from .normalize import normalize_chunk, tokenize
from .persist import array_to_strings, strings_to_array

# Tokens held in the slot table before it is reset (chunks are reset with it), and characters of
# chunk keys held: distinct long chunks are rare in real text but cheap for an attacker to send.
_CACHE_MAX = 300_000
_CHUNK_CHARS_MAX = 32 << 20
# Reasons listed per flagged rule.
REASONS_TOP = 3
# A text whose chunks include this many one-character tokens is tokenised by
# moderation.normalize.tokenize itself (it may join spaced-out letters).
_SINGLE_LETTERS_JOIN = 3


def char_wb_grams(token: str, ngram_range: tuple[int, int] = CHAR_NGRAMS) -> list[str]:
    """The char_wb n-grams scikit-learn makes for one whitespace-free token."""
    padded = f" {token} "
    length = len(padded)
    grams: list[str] = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        offset = 0
        grams.append(padded[offset:offset + n])
        while offset + n < length:
            offset += 1
            grams.append(padded[offset:offset + n])
        if offset == 0:
            break
    return grams


class _Grow:
    """An append-only numpy array with spare capacity (readers slice [:n])."""

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

    def view(self) -> np.ndarray:
        return self.arr[:self.n]


class _Tables:
    """Chunk and slot tables of one cache generation (replaced, never cleared, on reset).

    Slot rows: `w_*` the word column (unigram of a token, or a bigram feature; at most one),
    `c_*` the char n-gram columns with their counts (none for bigram slots)."""

    def __init__(self, scorer: FastScorer):
        n_bigrams = len(scorer._bigram_cols)
        self.n_fixed = n_bigrams
        self.slot_of: dict[str, int] = {}
        self.names: list[str] = list(scorer._bigram_names)
        room = n_bigrams + 4096
        self.w_indptr = _Grow(np.int32, np.arange(n_bigrams + 1), capacity=room)
        self.w_indices = _Grow(np.int32, scorer._bigram_cols, capacity=room)
        self.w_data = _Grow(np.float64, np.ones(n_bigrams), capacity=room)
        self.c_indptr = _Grow(np.int32, np.zeros(n_bigrams + 1), capacity=room)
        self.c_indices = _Grow(np.int32, capacity=65536)
        self.c_data = _Grow(np.float64, capacity=65536)
        self.wid = _Grow(np.int64, np.full(n_bigrams, -1), capacity=room)
        self.letter = _Grow(np.int8, np.zeros(n_bigrams), capacity=room)
        self.chunk_of: dict[str, int] = {}
        self.chunk_chars = 0
        self.k_start = _Grow(np.int64)
        self.k_len = _Grow(np.int64)
        self.k_single = _Grow(np.int64)
        self.k_slots = _Grow(np.int32)

    @property
    def n_tokens(self) -> int:
        return len(self.names) - self.n_fixed

    def slot(self, token: str, scorer: FastScorer) -> int:
        """The slot of `token`, adding its row if new (call with the scorer's lock held)."""
        found = self.slot_of.get(token)
        if found is not None:
            return found
        counts: dict[int, int] = {}
        char_index = scorer._char_index
        for gram in char_wb_grams(token):
            col = char_index.get(gram)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        cols = sorted(counts)
        self.c_indices.extend(cols)
        self.c_data.extend([float(counts[c]) for c in cols])
        self.c_indptr.extend([self.c_indices.n])
        unigram = scorer._word_index.get(token)
        if unigram is not None:
            self.w_indices.extend([unigram])
            self.w_data.extend([1.0])
        self.w_indptr.extend([self.w_indices.n])
        self.wid.extend([scorer._wid_of.get(token, -1)])
        self.letter.extend([int(len(token) == 1 and token.isalpha())])
        slot = len(self.names)
        self.names.append(token)
        self.slot_of[token] = slot
        return slot

    def chunk(self, chunk: str, scorer: FastScorer) -> int:
        """The id of `chunk`, normalising it if new (call with the scorer's lock held)."""
        found = self.chunk_of.get(chunk)
        if found is not None:
            return found
        tokens = normalize_chunk(chunk)
        slots = [self.slot(token, scorer) for token in tokens]
        cid = self.k_start.n
        self.k_start.extend([self.k_slots.n])
        self.k_len.extend([len(slots)])
        self.k_single.extend([int(len(tokens) == 1 and len(tokens[0]) == 1)])
        self.k_slots.extend(slots)
        self.chunk_of[chunk] = cid
        self.chunk_chars += len(chunk)
        return cid


class Batch:
    """One featurised batch, made by `FastScorer.featurize`: each text's items (token slots and
    word-pair slots, the rows of a CSR matrix D kept as its `d_indptr` and `d_indices`, all
    counts 1), its decision values once computed, and a snapshot of the slot table rows it
    uses."""

    def __init__(self, d_indptr: np.ndarray, d_indices: np.ndarray, slots: np.ndarray,
                 tok_ptr: np.ndarray, tables: _Tables, n_slots: int, c_nnz: int, w_nnz: int):
        self.d_indptr = d_indptr
        self.d_indices = d_indices
        self.slots = slots
        self.tok_ptr = tok_ptr
        self.names = tables.names
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
        names = self.names
        return [names[s] for s in self.slots[self.tok_ptr[row]:self.tok_ptr[row + 1]].tolist()]

    def counts(self, start: int = 0, stop: int | None = None
               ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The word and char n-gram counts of rows [start, stop), as CSR matrices."""
        stop = len(self) if stop is None else stop
        lo, hi = self.d_indptr[start], self.d_indptr[stop]
        n_slots = len(self.c_indptr) - 1
        rows = sp.csr_matrix((np.ones(hi - lo), self.d_indices[lo:hi],
                              self.d_indptr[start:stop + 1] - lo), shape=(stop - start, n_slots))
        Tw = sp.csr_matrix((self.w_data, self.w_indices, self.w_indptr),
                           shape=(n_slots, self.n_word))
        Tc = sp.csr_matrix((self.c_data, self.c_indices, self.c_indptr),
                           shape=(n_slots, self.n_char))
        return rows @ Tw, rows @ Tc


class _TokenLists:
    """`featurize`'s per-text token lists, made on demand."""

    def __init__(self, batch: Batch):
        self._batch = batch

    def __len__(self) -> int:
        return len(self._batch)

    def __getitem__(self, row: int) -> RowTokens:
        if row < 0:
            row += len(self._batch)
        if not 0 <= row < len(self._batch):
            raise IndexError(row)
        return RowTokens(self._batch, row)


class RowTokens(Sequence[str]):
    """One text's tokens, listed only when read (scoring passes them along unread)."""

    __slots__ = ("_batch", "_row", "_list")

    def __init__(self, batch: Batch, row: int):
        self._batch, self._row = batch, row
        self._list: list[str] | None = None

    def _tokens(self) -> list[str]:
        if self._list is None:
            self._list = self._batch.tokens(self._row)
        return self._list

    def __len__(self) -> int:
        return int(self._batch.tok_ptr[self._row + 1] - self._batch.tok_ptr[self._row])

    def __getitem__(self, index):  # type: ignore[override]
        return self._tokens()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tokens())

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, Sequence) else other)

    def __repr__(self) -> str:
        return repr(self._tokens())


class FastScorer:
    """Scores texts with the weights of a fitted (word, char_wb) union and RuleClassifiers."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer, coef: np.ndarray,
                 intercept: np.ndarray, scored: np.ndarray):
        if tuple(word.ngram_range) != WORD_NGRAMS or tuple(char.ngram_range) != CHAR_NGRAMS:
            raise ValueError("FastScorer supports only the n-gram ranges in moderation.features")
        # Every feature is kept, even one whose coefficients are all zero: it still counts in
        # its text's L2 norm, so dropping it would change the scores.
        keep_word, keep_char = np.arange(len(word.vocabulary_)), np.arange(len(char.vocabulary_))
        self._set_weights(
            _terms(word.vocabulary_, keep_word), _terms(char.vocabulary_, keep_char),
            np.concatenate([word.idf_, char.idf_]).astype(np.float64),
            np.ascontiguousarray(coef, dtype=np.float64),
            np.asarray(intercept, dtype=np.float64), np.asarray(scored, dtype=bool))

    def _set_weights(self, word_terms: list[str], char_terms: list[str], idf: np.ndarray,
                     coef: np.ndarray, intercept: np.ndarray, scored: np.ndarray) -> None:
        self.word_terms = word_terms
        self.char_terms = char_terms
        self.n_word = len(word_terms)
        self.idf = idf
        self.coef = coef
        self.intercept = intercept
        self.scored = scored
        self._init_cache()

    # -- persistence: plain arrays (moderation.persist stores them without pickle) --

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"word_terms": strings_to_array(self.word_terms),
                "char_terms": strings_to_array(self.char_terms), "idf": self.idf,
                "coef": self.coef, "intercept": self.intercept, "scored": self.scored}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> FastScorer:
        """Rebuild a scorer from `to_arrays()`, checking every shape first: the compiled
        kernels do not check indices, so a malformed file must be refused here."""
        try:
            words = array_to_strings(np.asarray(arrays["word_terms"], dtype=np.uint8))
            chars = array_to_strings(np.asarray(arrays["char_terms"], dtype=np.uint8))
            idf = np.ascontiguousarray(arrays["idf"], dtype=np.float64)
            coef = np.ascontiguousarray(arrays["coef"], dtype=np.float64)
            intercept = np.ascontiguousarray(arrays["intercept"], dtype=np.float64)
            scored = np.asarray(arrays["scored"], dtype=bool)
        except (KeyError, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise ValueError(f"scorer arrays are incomplete or malformed: {exc}") from exc
        n_features = len(words) + len(chars)
        n_rules = len(intercept)
        if (idf.shape != (n_features,) or coef.shape != (n_features, n_rules)
                or intercept.ndim != 1 or scored.shape != (n_rules,)):
            raise ValueError(f"scorer arrays disagree: {len(words)} word + {len(chars)} char "
                             f"terms, idf {idf.shape}, coef {coef.shape}, intercept "
                             f"{intercept.shape}, scored {scored.shape}")
        if len(set(words)) != len(words) or len(set(chars)) != len(chars):
            raise ValueError("scorer terms repeat")
        if any(term.count(" ") > 1 for term in words):
            raise ValueError("a word term is longer than a word pair")
        if not (np.isfinite(idf).all() and np.isfinite(coef).all()
                and np.isfinite(intercept).all()):
            raise ValueError("scorer weights are not all finite")
        scorer = cls.__new__(cls)
        scorer._set_weights(words, chars, idf, coef, intercept, scored)
        return scorer

    def _init_cache(self) -> None:
        n_word = self.n_word
        self._word_index = {term: i for i, term in enumerate(self.word_terms)}
        self._char_index = {term: i for i, term in enumerate(self.char_terms)}
        # tf * (idf * coef) summed, then divided by the norm, is the tf-idf row times coef.
        self._idf_parts = (self.idf[:n_word], self.idf[n_word:])
        self._wpack = _pack(self._idf_parts[0], self.coef[:n_word])
        self._cpack = _pack(self._idf_parts[1], self.coef[n_word:])
        # Word bigrams: ids for the tokens they are made of, keys left * n + right, sorted.
        wid_of: dict[str, int] = {}
        lefts: list[int] = []
        rights: list[int] = []
        cols: list[int] = []
        for col, term in enumerate(self.word_terms):
            if " " in term:
                left, right = term.split(" ")
                lefts.append(wid_of.setdefault(left, len(wid_of)))
                rights.append(wid_of.setdefault(right, len(wid_of)))
                cols.append(col)
        self._wid_of = wid_of
        self._n_wid = max(len(wid_of), 1)
        keys = np.asarray(lefts, dtype=np.int64) * self._n_wid + np.asarray(rights, np.int64)
        order = np.argsort(keys, kind="stable")
        # the same order as (left, right) pairs: per left token id, its right ids, sorted
        left_sorted, self._bigram_rights = np.divmod(keys[order], self._n_wid)
        self._bigram_left_ptr = np.searchsorted(left_sorted, np.arange(self._n_wid + 1))
        self._bigram_cols = np.asarray(cols, dtype=np.int32)[order]
        self._bigram_names = [self.word_terms[c] for c in self._bigram_cols.tolist()]
        self._lock = threading.Lock()
        self._scratch_local = threading.local()  # kernels.Scratch per thread
        self._tables = _Tables(self)

    # -- compatibility views --

    @property
    def n_features(self) -> int:
        return len(self.idf)

    @property
    def word_vocab(self) -> dict[str, int]:
        return self._word_index

    @property
    def char_vocab(self) -> dict[str, int]:
        return self._char_index

    @property
    def word_coef(self) -> np.ndarray:
        return self.coef[:self.n_word]

    @property
    def char_coef(self) -> np.ndarray:
        return self.coef[self.n_word:]

    # -- scoring --

    def _current_tables(self) -> _Tables:
        tables = self._tables
        if tables.n_tokens >= _CACHE_MAX or tables.chunk_chars >= _CHUNK_CHARS_MAX:
            with self._lock:
                if self._tables is tables:
                    self._tables = _Tables(self)
                tables = self._tables
        return tables

    def _chunk_ids(self, flat: list[str], tables: _Tables) -> np.ndarray:
        chunk_of = tables.chunk_of
        try:
            if len(flat) > 1:
                return np.fromiter(itemgetter(*flat)(chunk_of), dtype=np.int64, count=len(flat))
            return np.array([chunk_of[w] for w in flat], dtype=np.int64)
        except KeyError:
            with self._lock:
                for chunk in set(flat).difference(chunk_of):
                    tables.chunk(chunk, self)
            return np.fromiter(map(chunk_of.__getitem__, flat), dtype=np.int64, count=len(flat))

    def featurize(self, texts: list[str], explain_from: np.ndarray | None = None
                  ) -> tuple[Batch, Batch, _TokenLists]:
        """(batch, batch, tokens per text) with the decision values computed; `decision` and
        `explain` take (batch, batch). With `explain_from` (a decision value per rule), the
        reasons of every (text, rule) at or over it are computed in the same pass.
        `tfidf(texts)` gives the reference's matrices."""
        n_docs = len(texts)
        tables = self._current_tables()
        words = [text.lower().split() for text in texts]
        n_words = np.fromiter(map(len, words), dtype=np.int64, count=n_docs)
        cids = self._chunk_ids(list(chain.from_iterable(words)), tables)
        doc_of_word = np.repeat(np.arange(n_docs), n_words)
        lens = tables.k_len.arr[cids]
        slots = tables.k_slots.arr[_ragged(tables.k_start.arr[cids], lens)]
        n_tok = np.bincount(doc_of_word, weights=lens, minlength=n_docs).astype(np.int64)
        singles = np.bincount(doc_of_word, weights=tables.k_single.arr[cids], minlength=n_docs)
        if (singles >= _SINGLE_LETTERS_JOIN).any():
            slots, n_tok = self._rejoin(texts, singles, slots, n_tok, tables)
        tok_ptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(n_tok, out=tok_ptr[1:])
        # Snapshot of the slot table: rows added later by other threads are not read.
        with self._lock:
            n_slots = len(tables.names)
            c_nnz = tables.c_indices.n
            w_nnz = tables.w_indices.n
        D = self._items(slots, tok_ptr, n_tok, tables.wid.arr[:n_slots])
        batch = Batch(*D, slots, tok_ptr, tables, n_slots, c_nnz, w_nnz)
        batch.n_word, batch.n_char = self.n_word, len(self.idf) - self.n_word
        self._score(batch, explain_from)
        return batch, batch, _TokenLists(batch)

    def tfidf(self, texts: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The (word, char) tf-idf matrices of the reference union (rows L2-normalised)."""
        batch = self.featurize(texts)[0]
        out = []
        for X, idf in zip(batch.counts(), self._idf_parts, strict=True):
            X.data = (np.log(X.data) + 1.0) * idf[X.indices]
            lengths = np.diff(X.indptr)
            rows = np.repeat(np.arange(X.shape[0]), lengths)
            norms = np.sqrt(np.bincount(rows, X.data ** 2, minlength=X.shape[0]))
            norms[norms == 0] = 1.0
            X.data /= norms[rows]
            out.append(X)
        return out[0], out[1]

    def _rejoin(self, texts: list[str], singles: np.ndarray, slots: np.ndarray,
                n_tok: np.ndarray, tables: _Tables) -> tuple[np.ndarray, np.ndarray]:
        """Re-tokenise, with moderation.normalize.tokenize itself, the texts that may hold
        spaced-out letters: enough one-character chunks and a run of 3 one-letter tokens."""
        letter = tables.letter.arr[slots]
        run = np.flatnonzero(letter[:-2] & letter[1:-1] & letter[2:])
        if not len(run):
            return slots, n_tok
        ptr = np.zeros(len(n_tok) + 1, dtype=np.int64)
        np.cumsum(n_tok, out=ptr[1:])
        rows = np.unique(np.searchsorted(ptr, run, side="right") - 1)
        rows = rows[singles[rows] >= _SINGLE_LETTERS_JOIN]
        if not len(rows):
            return slots, n_tok
        pieces: list[np.ndarray] = []
        n_tok = n_tok.copy()
        done = 0
        for row in rows.tolist():
            tokens = tokenize(texts[row])
            with self._lock:
                found = [tables.slot(token, self) for token in tokens]
            pieces.append(slots[done:ptr[row]])
            pieces.append(np.asarray(found, dtype=np.int32))
            done = ptr[row + 1]
            n_tok[row] = len(found)
        pieces.append(slots[done:])
        return np.concatenate(pieces), n_tok

    def _items(self, slots: np.ndarray, tok_ptr: np.ndarray, n_tok: np.ndarray,
               slot_wid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, indices) of the (n_texts x n_slots) CSR matrix of each text's token slots
        and word-pair slots (all counts 1; a slot may repeat in a row)."""
        n_docs = len(n_tok)
        total = len(slots)
        if total > 1 and len(self._bigram_rights):
            wid = slot_wid[slots]
            ok = wid >= 0
            inner = tok_ptr[1:-1]
            ok[inner[inner < total]] = False  # a text's first token pairs with no earlier one
            pair = np.flatnonzero(ok[1:] & (wid[:-1] >= 0))
            pos = kernels.bigram_positions(wid[pair], wid[pair + 1], self._bigram_left_ptr,
                                           self._bigram_rights)
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

    def decision(self, batch: Batch, _: Any = None) -> np.ndarray:
        """(n_texts, n_rules) decision values of a featurised batch."""
        return batch.decision

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n_texts, n_rules) probabilities; NaN for unscored rules."""
        batch, _, _ = self.featurize(texts)
        return self._proba(self.decision(batch))

    def _proba(self, decision: np.ndarray) -> np.ndarray:
        proba = 1.0 / (1.0 + np.exp(-decision))
        proba[:, ~self.scored] = np.nan
        return proba

    # -- compiled kernels --

    def _tables_args(self, batch: Batch) -> tuple:
        return (batch.d_indptr, batch.d_indices, batch.w_indptr, batch.w_indices,
                batch.w_data, batch.c_indptr, batch.c_indices, batch.c_data, self._wpack,
                self._cpack)

    @contextmanager
    def _scratch(self) -> Iterator[tuple]:
        """This thread's kernels.Scratch arrays. A kernel that fails part-way (e.g. out of
        memory) may leave their counts non-zero: they are dropped then, so that the next call
        starts from zeros."""
        mine = getattr(self._scratch_local, "arrays", None)
        if mine is None:
            mine = self._scratch_local.arrays = kernels.Scratch(
                self.n_word, len(self.idf) - self.n_word, len(self.intercept))
        try:
            yield mine.args()
        except BaseException:
            self._scratch_local.arrays = None
            raise

    def _score(self, batch: Batch, explain_from: np.ndarray | None) -> None:
        """Set the batch's decision values and, where a decision value reaches
        explain_from[rule], its reasons for that rule (REASONS_TOP slots)."""
        top = 0 if explain_from is None else REASONS_TOP
        floor = np.full(len(self.intercept), np.inf) if explain_from is None else explain_from
        with self._scratch() as scratch:
            batch.decision, kept = kernels.score(
                *self._tables_args(batch), self.intercept, np.asarray(floor, dtype=np.float64),
                top, *scratch)
        if top:
            batch.explain_from, batch.reason_slots = floor, kept

    # -- reasons --

    def reasons(self, batch: Batch, rows: Sequence[int] | np.ndarray,
                rules: Sequence[int] | np.ndarray, top: int = 3) -> list[list[str]]:
        """For each (rows[i], rules[i]) pair, the tokens and word pairs of that text that pushed
        that rule's score up most (at most `top`, heaviest first, positive weights only).

        A word's weight is its own word feature's contribution plus those of its char n-grams;
        a word pair is listed when its bigram feature alone is among the strongest."""
        rows = np.asarray(rows, dtype=np.int64)
        rules = np.asarray(rules, dtype=np.int64)
        if len(rows) != len(rules):
            raise ValueError(f"{len(rows)} rows but {len(rules)} rules")
        if not len(rows) or top <= 0:
            return [[] for _ in rows]
        # the kernels do not check bounds: an index out of range would read or write anywhere
        if rows.min() < 0 or rows.max() >= len(batch):
            raise IndexError(f"row out of range for a batch of {len(batch)} texts")
        if rules.min() < 0 or rules.max() >= len(self.intercept):
            raise IndexError(f"rule out of range for {len(self.intercept)} rules")
        names = batch.names
        out: list[list[str]] = [[]] * len(rows)
        todo = np.arange(len(rows))
        if batch.reason_slots is not None and top == REASONS_TOP:
            done = batch.decision[rows, rules] >= batch.explain_from[rules]
            stored = batch.reason_slots[rows[done], rules[done]]
            for k, slots in zip(np.flatnonzero(done).tolist(), stored.tolist(), strict=True):
                out[k] = [names[slot] for slot in slots if slot >= 0]
            todo = np.flatnonzero(~done)
        if len(todo):
            order = todo[np.argsort(rows[todo], kind="stable")]
            with self._scratch() as scratch:
                found = kernels.reasons(rows[order], rules[order], top,
                                        *self._tables_args(batch), *scratch)
            for k, slots in zip(order.tolist(), found.tolist(), strict=True):
                out[k] = [names[slot] for slot in slots if slot >= 0]
        return out

    def explain(self, batch: Batch, _: Any, tokens: Any, row: int, rule: int,
                top: int = 3) -> list[str]:
        """`reasons` for one text and one rule."""
        return self.reasons(batch, [row], [rule], top)[0]



def _terms(vocabulary: dict[str, int], keep: np.ndarray) -> list[str]:
    """The terms of the `keep` columns of `vocabulary`, in `keep` order."""
    by_col = [""] * (max(vocabulary.values()) + 1 if vocabulary else 0)
    for term, col in vocabulary.items():
        by_col[col] = term
    return [by_col[c] for c in keep.tolist()]


def _pack(idf: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Rows [idf, idf * coef per rule, zero padding] of a width that is a multiple of 8 (see
    moderation.kernels)."""
    n, n_rules = coef.shape
    pack = np.zeros((n, -(-(1 + n_rules) // 8) * 8), dtype=np.float32)
    pack[:, 0] = idf
    pack[:, 1:1 + n_rules] = coef * idf[:, None]
    return pack


def _ragged(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Indices start[0]..start[0]+lens[0]-1, start[1].., concatenated."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lens) - lens
    return np.repeat(starts - offsets, lens) + np.arange(total)
