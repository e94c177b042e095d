"""The fast scorer: a model's weights, its decision values and probabilities, and its reasons.

`FastScorer` holds the weights of a fitted reference (moderation.features' union and
moderation.classifiers.RuleClassifiers) with the `FeatureSpec` they were fitted with, and
refuses a specification its compiled kernels do not compute (`check_spec`). `score(texts)`
assembles a batch (moderation.fast.batch) and runs moderation.kernels over it: each text's
feature counts, sublinear tf, idf and per-vectoriser L2 norm, and the decision values of all
rules; reasons are computed in the same pass for the (text, rule) pairs at or over a given
decision value (the rule's review threshold), or later by `reasons` for any pair asked for: a
token's weight for a rule is its own word feature's contribution plus those of its char
n-grams. `tfidf` gives the reference's tf-idf matrices (moderation.explain lists them).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import FeatureUnion

from .. import kernels
from ..features import FeatureSpec, tfidf_weighting
from ..persist import array_to_strings, strings_to_array
from .batch import Batch, assemble
from .tables import FeatureIndex, TokenTables

# Reasons listed per flagged rule.
REASONS_TOP = 3


class FastScorer:
    """Scores texts with the weights of a fitted (word, char_wb) union and RuleClassifiers."""

    def __init__(self, spec: FeatureSpec, word_terms: list[str], char_terms: list[str],
                 idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray, scored: np.ndarray):
        """ValueError when `spec` is not one the kernels compute or the arrays disagree (the
        kernels do not check indices, so a malformed model must be refused here)."""
        self.check_spec(spec)
        n_features, n_rules = len(word_terms) + len(char_terms), len(intercept)
        if (idf.shape != (n_features,) or coef.shape != (n_features, n_rules)
                or intercept.ndim != 1 or scored.shape != (n_rules,)):
            raise ValueError(f"scorer arrays disagree: {len(word_terms)} word + "
                             f"{len(char_terms)} char terms, idf {idf.shape}, coef "
                             f"{coef.shape}, intercept {intercept.shape}, scored {scored.shape}")
        if len(set(word_terms)) != len(word_terms) or len(set(char_terms)) != len(char_terms):
            raise ValueError("scorer terms repeat")
        if any(term.count(" ") > 1 for term in word_terms):
            raise ValueError("a word term is longer than a word pair")
        if not (np.isfinite(idf).all() and np.isfinite(coef).all()
                and np.isfinite(intercept).all()):
            raise ValueError("scorer weights are not all finite")
        self.spec = spec
        self.word_terms = word_terms
        self.char_terms = char_terms
        self.n_word = len(word_terms)
        self.idf = idf
        self.coef = coef
        self.intercept = intercept
        self.scored = scored
        # tf * (idf * coef) summed, then divided by the norm, is the tf-idf row times coef.
        self._wpack = _pack(idf[:self.n_word], coef[:self.n_word])
        self._cpack = _pack(idf[self.n_word:], coef[self.n_word:])
        self._index = FeatureIndex(spec, word_terms, char_terms)
        self._reset_lock = threading.Lock()
        self._scratch_local = threading.local()  # kernels.Scratch per thread
        self._tables = TokenTables(self._index)

    @staticmethod
    def check_spec(spec: FeatureSpec) -> None:
        """ValueError naming what of `spec` the fast scorer does not compute: it splits a
        text's features into its tokens' (char n-grams within words) and adjacent token pairs,
        and its kernels compute 1 + log(count) times idf, L2-normalised per vectoriser."""
        unsupported = []
        if not 1 <= spec.word_ngrams[0] <= spec.word_ngrams[1] <= 2:
            unsupported.append(f"word_ngrams={spec.word_ngrams} (words and word pairs only)")
        if not 1 <= spec.char_ngrams[0] <= spec.char_ngrams[1]:
            unsupported.append(f"char_ngrams={spec.char_ngrams}")
        if spec.char_analyzer != "char_wb":
            unsupported.append(f"char_analyzer={spec.char_analyzer!r} (char_wb only)")
        if spec.sublinear_tf is not True:
            unsupported.append(f"sublinear_tf={spec.sublinear_tf} (1 + log(count) only)")
        if spec.norm != "l2":
            unsupported.append(f"norm={spec.norm!r} (l2 only)")
        if unsupported:
            raise ValueError("the fast scorer does not implement the feature specification "
                             f"{', '.join(unsupported)}: retrain with one it does")

    @classmethod
    def from_fitted(cls, union: FeatureUnion, coef: np.ndarray, intercept: np.ndarray,
                    scored: np.ndarray) -> FastScorer:
        """The scorer of a fitted `build_features` union and its classifiers' weights. Every
        feature is kept, even one whose coefficients are all zero: it still counts in its
        text's L2 norm, so dropping it would change the scores."""
        (_, word), (_, char) = union.transformer_list
        return cls(FeatureSpec.of(union), _terms(word.vocabulary_), _terms(char.vocabulary_),
                   np.concatenate([word.idf_, char.idf_]).astype(np.float64),
                   np.ascontiguousarray(coef, dtype=np.float64),
                   np.asarray(intercept, dtype=np.float64), np.asarray(scored, dtype=bool))

    # -- persistence: plain arrays (moderation.persist stores them without pickle) --

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The weights as arrays; the specification is saved beside them as JSON."""
        return {"word_terms": strings_to_array(self.word_terms),
                "char_terms": strings_to_array(self.char_terms), "idf": self.idf,
                "coef": self.coef, "intercept": self.intercept, "scored": self.scored}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], spec: FeatureSpec) -> FastScorer:
        """Rebuild a scorer from `to_arrays()` and its specification; ValueError names what is
        malformed or not implemented."""
        try:
            words = array_to_strings(np.asarray(arrays["word_terms"], dtype=np.uint8))
            chars = array_to_strings(np.asarray(arrays["char_terms"], dtype=np.uint8))
            idf = np.ascontiguousarray(arrays["idf"], dtype=np.float64)
            coef = np.ascontiguousarray(arrays["coef"], dtype=np.float64)
            intercept = np.ascontiguousarray(arrays["intercept"], dtype=np.float64)
            scored = np.asarray(arrays["scored"], dtype=bool)
        except (KeyError, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise ValueError(f"scorer arrays are incomplete or malformed: {exc}") from exc
        return cls(spec, words, chars, idf, coef, intercept, scored)

    @property
    def n_features(self) -> int:
        return len(self.idf)

    def clear_caches(self) -> None:
        """Start from empty chunk and slot tables (benchmarks and tests time cold caches)."""
        with self._reset_lock:
            self._tables = TokenTables(self._index)

    # -- scoring --

    def score(self, texts: list[str], explain_from: np.ndarray | None = None) -> Batch:
        """The batch of `texts` with its decision values (`batch.decision`, n_texts x n_rules).
        With `explain_from` (a decision value per rule), the reasons of every (text, rule) at
        or over it are computed in the same pass (`reasons` then reads them)."""
        batch = assemble(texts, self._current_tables())
        top = 0 if explain_from is None else REASONS_TOP
        floor = (np.full(len(self.intercept), np.inf) if explain_from is None
                 else np.asarray(explain_from, dtype=np.float64))
        with self._scratch() as scratch:
            batch.decision, kept = kernels.score(*self._kernel_args(batch), self.intercept,
                                                 floor, top, *scratch)
        if top:
            batch.explain_from, batch.reason_slots = floor, kept
        return batch

    def proba(self, batch: Batch) -> np.ndarray:
        """(n_texts, n_rules) probabilities of a scored batch; NaN for unscored rules."""
        proba = 1.0 / (1.0 + np.exp(-batch.decision))
        proba[:, ~self.scored] = np.nan
        return proba

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n_texts, n_rules) probabilities; NaN for unscored rules."""
        return self.proba(self.score(texts))

    def tfidf(self, texts: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The (word, char) tf-idf matrices of the reference union."""
        counts = assemble(texts, self._current_tables()).counts()
        idfs = (self.idf[:self.n_word], self.idf[self.n_word:])
        word, char = (tfidf_weighting(self.spec, idf).transform(X)
                      for X, idf in zip(counts, idfs, strict=True))
        return word, char

    def _current_tables(self) -> TokenTables:
        """The tables to add to: new ones when the current ones are full."""
        tables = self._tables
        if tables.full:
            with self._reset_lock:
                if self._tables is tables:
                    self._tables = TokenTables(self._index)
                tables = self._tables
        return tables

    # -- reasons --

    def reasons(self, batch: Batch, rows: Sequence[int] | np.ndarray,
                rules: Sequence[int] | np.ndarray, top: int = REASONS_TOP) -> list[list[str]]:
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
                                        *self._kernel_args(batch), *scratch)
            for k, slots in zip(order.tolist(), found.tolist(), strict=True):
                out[k] = [names[slot] for slot in slots if slot >= 0]
        return out

    # -- compiled kernels --

    def _kernel_args(self, batch: Batch) -> tuple:
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


def _terms(vocabulary: dict[str, int]) -> list[str]:
    """The terms of `vocabulary` in column order."""
    by_col = [""] * len(vocabulary)
    for term, col in vocabulary.items():
        by_col[col] = term
    return by_col


def _pack(idf: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Rows [idf, idf * coef per rule, zero padding] of a width that is a multiple of 8 (see
    moderation.kernels)."""
    n, n_rules = coef.shape
    pack = np.zeros((n, -(-(1 + n_rules) // 8) * 8), dtype=np.float32)
    pack[:, 0] = idf
    pack[:, 1:1 + n_rules] = coef * idf[:, None]
    return pack
