"""Compiled inner loops of the fast scorer (numba): tf-idf, decision values and reasons.

`moderation.fast.batch` turns texts into a CSR matrix D of slot occurrences (one row per text,
one entry per token or word-pair feature it contains) and `moderation.fast.tables` keeps, per
slot, its word column and its char_wb n-gram columns with counts. From those, for each text:

1. counts: walk the text's slots and add their word and char columns' counts into two dense
   scratch arrays, remembering which columns were touched;
2. tf-idf: per touched column, 1 + log(count) (sublinear tf) times idf, summed squared per
   vectoriser for its L2 norm (the only weighting computed here: `FastScorer.check_spec`
   refuses a moderation.features.FeatureSpec with another); a column's idf and its idf *
   coefficient per rule are packed in one float32 row of `wpack` / `cpack` (n_columns, 8 or
   more: 32 bytes for 7 rules or fewer; float32 moves decision values by up to ~2e-7 and
   probabilities by ~2e-8; sums are float64);
3. decision values: intercept + the sum over touched columns of tf * (idf * coef) / norm;
4. only if a reason is asked for: those contributions per touched column and rule in a small
   dense array in touched order (the column's scratch entry now holds its position there, +1);
   reasons weigh each distinct slot: its word column's contribution plus,
per char n-gram of the token, the n-gram's count in the token times the n-gram's
contribution; the `top` heaviest slots with a positive weight are kept (ties: lower slot
first). Last, the touched scratch entries are reset to zero.

This is the arithmetic the scikit-learn reference does (tests hold it to 1e-6; the kernels do
not check bounds, so moderation.fast.scorer checks every index it passes in); numpy did the
same with sorts and sparse products whose fixed costs dominated single comments. Scratch
arrays are per thread (`Scratch`), and the kernels release the GIL.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from numba import njit
from numba.core import config as numba_config

# Compiled code is cached beside this file; where the package directory is read-only (a
# system install run by a service user) and no NUMBA_CACHE_DIR is set, use a temporary
# directory instead: without any writable cache location numba refuses `cache=True` and
# importing moderation would fail.
if not numba_config.CACHE_DIR and not os.access(Path(__file__).parent, os.W_OK):
    numba_config.CACHE_DIR = os.path.join(tempfile.gettempdir(), f"moderate-numba-{os.getuid()}")


class Scratch:
    """One thread's working arrays: dense per-column entries (zero between texts), touched
    column lists and per-touched-column contributions (only their first rows are used, so
    most of their pages are never touched)."""

    def __init__(self, n_word: int, n_char: int, n_rules: int):
        self.wcount = np.zeros(n_word, dtype=np.int32)
        self.ccount = np.zeros(n_char, dtype=np.int32)
        self.wtouched = np.empty(max(n_word, 1), dtype=np.int64)
        self.ctouched = np.empty(max(n_char, 1), dtype=np.int64)
        self.wtf = np.empty(max(n_word, 1))
        self.ctf = np.empty(max(n_char, 1))
        self.wcontrib = np.empty((max(n_word, 1), n_rules))
        self.ccontrib = np.empty((max(n_char, 1), n_rules))

    def args(self) -> tuple[np.ndarray, ...]:
        return (self.wcount, self.ccount, self.wtouched, self.ctouched, self.wtf, self.ctf,
                self.wcontrib, self.ccontrib)


# 1 + log(count) for the small counts nearly every n-gram has (a log is most of the cost)
_TF_SMALL = 1.0 + np.log(np.arange(1, 65, dtype=np.float64))


@njit(nogil=True, cache=True)
def _tf(count):
    if count <= 64:
        return _TF_SMALL[count - 1]
    return np.log(count) + 1.0


@njit(nogil=True, cache=True)
def _count(doc, d_indptr, d_indices, indptr, indices, data, count, touched):
    """Step 1 for one vectoriser: add up the text's column counts; the number touched."""
    n = 0
    for k in range(d_indptr[doc], d_indptr[doc + 1]):
        s = d_indices[k]
        for e in range(indptr[s], indptr[s + 1]):
            col = indices[e]
            if count[col] == 0:
                touched[n] = col
                n += 1
            count[col] += int(data[e])
    return n


@njit(nogil=True, cache=True)
def _tf_norm(n, count, touched, pack, tf):
    """Step 2 for one vectoriser's n touched columns: tf[t] per column, and the L2 norm."""
    norm = 0.0
    for t in range(n):
        col = touched[t]
        value = _tf(count[col])
        tf[t] = value
        v = value * pack[col, 0]
        norm += v * v
    norm = np.sqrt(norm)
    return norm if norm > 0.0 else 1.0


@njit(nogil=True, cache=True)
def _prepare(doc, d_indptr, d_indices, w_indptr, w_indices, w_data, c_indptr, c_indices,
             c_data, wpack, cpack, wcount, ccount, wtouched, ctouched, wtf, ctf):
    """Steps 1-2 for one text, both vectorisers: (n word and n char columns touched, their
    norms)."""
    nw = _count(doc, d_indptr, d_indices, w_indptr, w_indices, w_data, wcount, wtouched)
    nc = _count(doc, d_indptr, d_indices, c_indptr, c_indices, c_data, ccount, ctouched)
    return nw, nc, _tf_norm(nw, wcount, wtouched, wpack, wtf), _tf_norm(nc, ccount, ctouched,
                                                                         cpack, ctf)


@njit(nogil=True, cache=True)
def _add_decision(n, touched, tf, norm, pack, out):
    for t in range(n):
        col = touched[t]
        f = tf[t] / norm
        for r in range(len(out)):
            out[r] += f * pack[col, 1 + r]


@njit(nogil=True, cache=True)
def _contributions(n, count, touched, tf, norm, pack, contrib):
    """Step 4 for one vectoriser's n touched columns."""
    for t in range(n):
        col = touched[t]
        f = tf[t] / norm
        for r in range(contrib.shape[1]):
            contrib[t, r] = f * pack[col, 1 + r]
        count[col] = t + 1


@njit(nogil=True, cache=True)
def _reset(nw, nc, wcount, ccount, wtouched, ctouched):
    for t in range(nw):
        wcount[wtouched[t]] = 0
    for t in range(nc):
        ccount[ctouched[t]] = 0


@njit(nogil=True, cache=True)
def _top_slots(slots, rule, kept, best, w_indptr, w_indices, c_indptr, c_indices, c_data,
               wcount, ccount, wcontrib, ccontrib):
    """Fill `kept` (len top) with the heaviest of the sorted `slots`, distinct, for `rule`;
    ties keep the slot seen first."""
    top = len(kept)
    if top == 0:
        return
    found = 0
    for k in range(len(slots)):
        s = slots[k]
        if k > 0 and slots[k - 1] == s:
            continue
        weight = 0.0
        for e in range(w_indptr[s], w_indptr[s + 1]):
            weight += wcontrib[wcount[w_indices[e]] - 1, rule]
        for e in range(c_indptr[s], c_indptr[s + 1]):
            weight += c_data[e] * ccontrib[ccount[c_indices[e]] - 1, rule]
        if weight <= 0.0 or (found == top and weight <= best[top - 1]):
            continue
        j = found if found < top else top - 1
        while j > 0 and best[j - 1] < weight:
            best[j] = best[j - 1]
            kept[j] = kept[j - 1]
            j -= 1
        best[j] = weight
        kept[j] = s
        if found < top:
            found += 1


@njit(nogil=True, cache=True)
def score(d_indptr, d_indices, w_indptr, w_indices, w_data, c_indptr, c_indices, c_data,
          wpack, cpack, intercept, explain_from, top, wcount, ccount, wtouched, ctouched,
          wtf, ctf, wcontrib, ccontrib):
    """Decision values (n_texts, n_rules) of every row of D and, for each (text, rule) whose
    decision value is at least explain_from[rule], the `top` slots that pushed it up most
    (n_texts, n_rules, top; -1 where none or not asked for)."""
    n_docs = len(d_indptr) - 1
    n_rules = len(intercept)
    out = np.empty((n_docs, n_rules))
    kept = np.full((n_docs, n_rules, max(top, 1)), -1, dtype=np.int32)
    best = np.zeros(max(top, 1))
    for doc in range(n_docs):
        nw, nc, wnorm, cnorm = _prepare(doc, d_indptr, d_indices, w_indptr, w_indices, w_data,
                                        c_indptr, c_indices, c_data, wpack, cpack, wcount,
                                        ccount, wtouched, ctouched, wtf, ctf)
        row = out[doc]
        row[:] = intercept
        _add_decision(nw, wtouched, wtf, wnorm, wpack, row)
        _add_decision(nc, ctouched, ctf, cnorm, cpack, row)
        slots = d_indices[:0]
        for r in range(n_rules):
            if top == 0 or row[r] < explain_from[r]:
                continue
            if len(slots) == 0:
                slots = np.sort(d_indices[d_indptr[doc]:d_indptr[doc + 1]])
                _contributions(nw, wcount, wtouched, wtf, wnorm, wpack, wcontrib)
                _contributions(nc, ccount, ctouched, ctf, cnorm, cpack, ccontrib)
            _top_slots(slots, r, kept[doc, r], best, w_indptr, w_indices, c_indptr, c_indices,
                       c_data, wcount, ccount, wcontrib, ccontrib)
        _reset(nw, nc, wcount, ccount, wtouched, ctouched)
    return out, kept


@njit(nogil=True, cache=True)
def reasons(rows, rules, top, d_indptr, d_indices, w_indptr, w_indices, w_data, c_indptr,
            c_indices, c_data, wpack, cpack, wcount, ccount, wtouched, ctouched, wtf, ctf,
            wcontrib, ccontrib):
    """For each (rows[i], rules[i]) pair (rows ascending), the `top` slots of the text that
    pushed the rule's score up most, -1 where fewer had a positive weight."""
    n_pairs = len(rows)
    out = np.full((n_pairs, top), -1, dtype=np.int64)
    best = np.zeros(top)
    i = 0
    while i < n_pairs:
        doc = rows[i]
        nw, nc, wnorm, cnorm = _prepare(doc, d_indptr, d_indices, w_indptr, w_indices, w_data,
                                        c_indptr, c_indices, c_data, wpack, cpack, wcount,
                                        ccount, wtouched, ctouched, wtf, ctf)
        _contributions(nw, wcount, wtouched, wtf, wnorm, wpack, wcontrib)
        _contributions(nc, ccount, ctouched, ctf, cnorm, cpack, ccontrib)
        slots = np.sort(d_indices[d_indptr[doc]:d_indptr[doc + 1]])
        while i < n_pairs and rows[i] == doc:
            _top_slots(slots, rules[i], out[i], best, w_indptr, w_indices, c_indptr, c_indices,
                       c_data, wcount, ccount, wcontrib, ccontrib)
            i += 1
        _reset(nw, nc, wcount, ccount, wtouched, ctouched)
    return out


@njit(nogil=True, cache=True)
def bigram_positions(lefts, rights, left_ptr, right_ids):
    """For each (lefts[i], rights[i]) pair of token ids, the position of that word bigram
    feature among the features sorted by (left, right), or -1: a binary search among the few
    bigrams that start with the left token (left_ptr, right_ids: CSR by left token id)."""
    out = np.full(len(lefts), -1, dtype=np.int64)
    for i in range(len(lefts)):
        lo = left_ptr[lefts[i]]
        hi = left_ptr[lefts[i] + 1]
        r = rights[i]
        while lo < hi:
            mid = (lo + hi) // 2
            if right_ids[mid] < r:
                lo = mid + 1
            else:
                hi = mid
        if lo < left_ptr[lefts[i] + 1] and right_ids[lo] == r:
            out[i] = lo
    return out
