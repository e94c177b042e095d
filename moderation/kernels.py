"""Compiled inner loops of the fast scorer (numba): tf-idf, decision values and reasons.

`moderation.fast` turns texts into a CSR matrix D of slot occurrences (one row per text, one
entry per token or word-pair feature it contains) and keeps, per slot, its word column and its
char_wb n-gram columns with counts. From those, for each text:

1. counts: walk the text's slots and add their word and char columns' counts into two dense
   scratch arrays, remembering which columns were touched;
2. tf-idf: replace each touched count by 1 + log(count) (sublinear tf) and sum (tf * idf)^2 per
   vectoriser for its L2 norm; a column's idf and its idf * coefficient per rule are packed in
   one row of `wpack` / `cpack` (n_columns, 8 or more), one cache line for 7 rules or fewer;
3. decision: intercept + sum over touched columns of tf * (idf * coef) / norm, per vectoriser;
4. reasons (only for the (text, rule) pairs asked for): each distinct slot's weight for the rule,
   its word column's contribution plus, per char n-gram of the token, the n-gram's count in
   the token times the n-gram's contribution to the text, and the `top` heaviest slots with a
   positive weight (ties keep the lower slot first);
5. reset the touched scratch entries to zero.

This is the arithmetic the scikit-learn reference does (tests hold it to 1e-6); numpy did the
same with sorts and sparse products whose fixed costs dominated single comments. The scratch
arrays are per thread (`Scratch`), and the kernels release the GIL.
"""

from __future__ import annotations

import threading

import numpy as np
from numba import njit

_local = threading.local()


class Scratch:
    """Dense count arrays and touched-column lists, zero between calls (one per thread)."""

    def __init__(self, n_word: int, n_char: int):
        self.wcount = np.zeros(n_word, dtype=np.int32)
        self.ccount = np.zeros(n_char, dtype=np.int32)
        self.wtouched = np.zeros(max(n_word, 1), dtype=np.int64)
        self.ctouched = np.zeros(max(n_char, 1), dtype=np.int64)


def scratch(owner: object, n_word: int, n_char: int) -> Scratch:
    """This thread's scratch arrays for `owner` (a scorer), made on first use."""
    found = getattr(_local, "by_owner", None)
    if found is None:
        found = _local.by_owner = {}
    key = id(owner)
    entry = found.get(key)
    if entry is None or entry[0] is not owner:
        entry = found[key] = (owner, Scratch(n_word, n_char))
    return entry[1]


# 1 + log(count) for the small counts nearly every n-gram has (a log is most of the cost)
_TF_SMALL = 1.0 + np.log(np.arange(1, 65, dtype=np.float64))


@njit(nogil=True, cache=True)
def _tf(count):
    if count <= 64:
        return _TF_SMALL[count - 1]
    return np.log(count) + 1.0


@njit(nogil=True, cache=True)
def _tf_norms(doc, d_indptr, d_indices, w_indptr, w_indices, c_indptr, c_indices, c_data,
              wpack, cpack, wcount, ccount, wtouched, ctouched):
    """Steps 1-2 for one text: (touched word columns, touched char columns, word norm, char
    norm); the scratch counts hold tf values afterwards."""
    nw = 0
    nc = 0
    for k in range(d_indptr[doc], d_indptr[doc + 1]):
        s = d_indices[k]
        for e in range(w_indptr[s], w_indptr[s + 1]):
            col = w_indices[e]
            if wcount[col] == 0:
                wtouched[nw] = col
                nw += 1
            wcount[col] += 1
        for e in range(c_indptr[s], c_indptr[s + 1]):
            col = c_indices[e]
            if ccount[col] == 0:
                ctouched[nc] = col
                nc += 1
            ccount[col] += int(c_data[e])
    wnorm = 0.0
    for t in range(nw):
        col = wtouched[t]
        tf = _tf(wcount[col])
        v = tf * wpack[col, 0]
        wnorm += v * v
    cnorm = 0.0
    for t in range(nc):
        col = ctouched[t]
        tf = _tf(ccount[col])
        v = tf * cpack[col, 0]
        cnorm += v * v
    wnorm = np.sqrt(wnorm)
    cnorm = np.sqrt(cnorm)
    if wnorm == 0.0:
        wnorm = 1.0
    if cnorm == 0.0:
        cnorm = 1.0
    return nw, nc, wnorm, cnorm


@njit(nogil=True, cache=True)
def _reset(nw, nc, wcount, ccount, wtouched, ctouched):
    for t in range(nw):
        wcount[wtouched[t]] = 0
    for t in range(nc):
        ccount[ctouched[t]] = 0


@njit(nogil=True, cache=True)
def _slot_weight(s, rule, w_indptr, w_indices, c_indptr, c_indices, c_data, wpack, cpack,
                 wcount, ccount, wnorm, cnorm):
    """Step 4: one slot's weight for one rule (the scratch counts hold tf values)."""
    weight = 0.0
    for e in range(w_indptr[s], w_indptr[s + 1]):
        col = w_indices[e]
        weight += _tf(wcount[col]) / wnorm * wpack[col, 1 + rule]
    for e in range(c_indptr[s], c_indptr[s + 1]):
        col = c_indices[e]
        weight += c_data[e] * _tf(ccount[col]) / cnorm * cpack[col, 1 + rule]
    return weight


@njit(nogil=True, cache=True)
def _keep_top(weight, s, best, kept, found, top):
    """Insert slot `s` into the descending top list (kept[:found], best[:found]) if it
    belongs there; ties keep the slot seen first. Returns the new count."""
    if weight <= 0.0 or (found == top and weight <= best[top - 1]):
        return found
    j = found if found < top else top - 1
    while j > 0 and best[j - 1] < weight:
        best[j] = best[j - 1]
        kept[j] = kept[j - 1]
        j -= 1
    best[j] = weight
    kept[j] = s
    return found + 1 if found < top else found


@njit(nogil=True, cache=True)
def _top_slots(slots, rule, kept, best, w_indptr, w_indices, c_indptr, c_indices, c_data,
               wpack, cpack, wcount, ccount, wnorm, cnorm):
    """Fill `kept` (len top) with the heaviest of the sorted `slots`, distinct, for `rule`."""
    top = len(kept)
    found = 0
    for k in range(len(slots)):
        s = slots[k]
        if k > 0 and slots[k - 1] == s:
            continue
        weight = _slot_weight(s, rule, w_indptr, w_indices, c_indptr, c_indices, c_data,
                              wpack, cpack, wcount, ccount, wnorm, cnorm)
        found = _keep_top(weight, s, best, kept, found, top)


@njit(nogil=True, cache=True)
def score(d_indptr, d_indices, w_indptr, w_indices, c_indptr, c_indices, c_data, wpack, cpack,
          intercept, explain_from, top, wcount, ccount, wtouched, ctouched):
    """Decision values (n_texts, n_rules) of every row of D and, for each (text, rule) whose
    decision value is at least explain_from[rule], the `top` slots that pushed it up most
    (n_texts, n_rules, top; -1 where none or not asked for)."""
    n_docs = len(d_indptr) - 1
    n_rules = len(intercept)
    out = np.empty((n_docs, n_rules))
    kept = np.full((n_docs, n_rules, max(top, 1)), -1, dtype=np.int64)
    best = np.zeros(max(top, 1))
    need = np.zeros(n_rules, dtype=np.bool_)
    for doc in range(n_docs):
        nw, nc, wnorm, cnorm = _tf_norms(doc, d_indptr, d_indices, w_indptr, w_indices,
                                         c_indptr, c_indices, c_data, wpack, cpack,
                                         wcount, ccount, wtouched, ctouched)
        for r in range(n_rules):
            out[doc, r] = intercept[r]
        for t in range(nw):
            col = wtouched[t]
            f = _tf(wcount[col]) / wnorm
            for r in range(n_rules):
                out[doc, r] += f * wpack[col, 1 + r]
        for t in range(nc):
            col = ctouched[t]
            f = _tf(ccount[col]) / cnorm
            for r in range(n_rules):
                out[doc, r] += f * cpack[col, 1 + r]
        any_need = False
        for r in range(n_rules):
            need[r] = top > 0 and out[doc, r] >= explain_from[r]
            any_need = any_need or need[r]
        if any_need:
            slots = np.sort(d_indices[d_indptr[doc]:d_indptr[doc + 1]])
            for r in range(n_rules):
                if not need[r]:
                    continue
                _top_slots(slots, r, kept[doc, r], best, w_indptr, w_indices, c_indptr,
                           c_indices, c_data, wpack, cpack, wcount, ccount, wnorm, cnorm)
        _reset(nw, nc, wcount, ccount, wtouched, ctouched)
    return out, kept


@njit(nogil=True, cache=True)
def reasons(rows, rules, top, d_indptr, d_indices, w_indptr, w_indices, c_indptr, c_indices,
            c_data, wpack, cpack, wcount, ccount, wtouched, ctouched):
    """For each (rows[i], rules[i]) pair (rows ascending), the `top` slots of the text that
    pushed the rule's score up most, -1 where fewer had a positive weight."""
    n_pairs = len(rows)
    out = np.full((n_pairs, top), -1, dtype=np.int64)
    best = np.zeros(top)
    i = 0
    while i < n_pairs:
        doc = rows[i]
        nw, nc, wnorm, cnorm = _tf_norms(doc, d_indptr, d_indices, w_indptr, w_indices,
                                         c_indptr, c_indices, c_data, wpack, cpack,
                                         wcount, ccount, wtouched, ctouched)
        slots = np.sort(d_indices[d_indptr[doc]:d_indptr[doc + 1]])
        while i < n_pairs and rows[i] == doc:
            _top_slots(slots, rules[i], out[i], best, w_indptr, w_indices, c_indptr,
                       c_indices, c_data, wpack, cpack, wcount, ccount, wnorm, cnorm)
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
