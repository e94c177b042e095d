"""The fast featuriser and scorer: the reference FeatureUnion + RuleClassifiers, computed faster.

scikit-learn's char_wb analyzer slices every character n-gram of every word of every comment in
Python. But a char_wb n-gram never crosses a word, so a comment's char counts are the sum of its
words' counts. `FastScorer` keeps, per distinct normalised token, the column indices of its
n-grams (computed once, then cached), and builds a whole batch's sparse matrix with one
concatenate and one CSR assembly. tf-idf, sublinear tf and the per-vectoriser L2 norm are then
applied as array operations, and all rules are scored with one sparse-dense product.

tests/test_fast.py holds the scores to those of the scikit-learn pipeline within 1e-6.
Coefficients of features that are zero in every rule are dropped, so are those features.
"""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .features import CHAR_NGRAMS, WORD_NGRAMS
from .normalize import tokenize

_CACHE_MAX = 300_000


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


class FastScorer:
    """Scores texts with the weights of a fitted (word, char_wb) union and RuleClassifiers."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer, coef: np.ndarray,
                 intercept: np.ndarray, scored: np.ndarray):
        if tuple(word.ngram_range) != WORD_NGRAMS or tuple(char.ngram_range) != CHAR_NGRAMS:
            raise ValueError("FastScorer supports only the n-gram ranges in moderation.features")
        n_word = len(word.vocabulary_)
        keep = np.flatnonzero(np.any(coef != 0, axis=1))
        keep_word, keep_char = keep[keep < n_word], keep[keep >= n_word] - n_word
        self.word_vocab = _remap(word.vocabulary_, keep_word)
        self.char_vocab = _remap(char.vocabulary_, keep_char)
        self.word_idf = word.idf_[keep_word].astype(np.float64)
        self.char_idf = char.idf_[keep_char].astype(np.float64)
        self.word_coef = np.ascontiguousarray(coef[keep_word], dtype=np.float64)
        self.char_coef = np.ascontiguousarray(coef[n_word + keep_char], dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.scored = np.asarray(scored, dtype=bool)
        self._init_cache()

    def _init_cache(self) -> None:
        self._token_cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_token_cache"], state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._init_cache()

    @property
    def n_features(self) -> int:
        return len(self.word_idf) + len(self.char_idf)

    def _char_columns(self, token: str) -> np.ndarray:
        cols = self._token_cache.get(token)
        if cols is None:
            vocab = self.char_vocab
            cols = np.array([vocab[g] for g in char_wb_grams(token) if g in vocab], dtype=np.int64)
            if len(self._token_cache) >= _CACHE_MAX:
                with self._lock:
                    self._token_cache.clear()
            self._token_cache[token] = cols
        return cols

    def featurize(self, texts: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix, list[list[str]]]:
        """(word tf-idf, char tf-idf, tokens per text), each row L2-normalised like sklearn's."""
        word_vocab = self.word_vocab
        word_rows: list[int] = []
        word_cols: list[int] = []
        char_parts: list[np.ndarray] = []
        char_lens: list[int] = []
        all_tokens: list[list[str]] = []
        for row, text in enumerate(texts):
            tokens = tokenize(text)
            all_tokens.append(tokens)
            grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
            cols = [word_vocab[g] for g in grams if g in word_vocab]
            word_cols += cols
            word_rows += [row] * len(cols)
            n = 0
            for token in tokens:
                part = self._char_columns(token)
                char_parts.append(part)
                n += len(part)
            char_lens.append(n)
        n_docs = len(texts)
        word = _tfidf(np.asarray(word_rows, dtype=np.int64), np.asarray(word_cols, dtype=np.int64),
                      n_docs, self.word_idf)
        char_cols = np.concatenate(char_parts) if char_parts else np.zeros(0, dtype=np.int64)
        char_rows = np.repeat(np.arange(n_docs), char_lens)
        char = _tfidf(char_rows, char_cols, n_docs, self.char_idf)
        return word, char, all_tokens

    def decision(self, word: sp.csr_matrix, char: sp.csr_matrix) -> np.ndarray:
        return np.asarray(word @ self.word_coef + char @ self.char_coef) + self.intercept

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n_texts, n_rules) probabilities; NaN for unscored rules."""
        word, char, _ = self.featurize(texts)
        return self._proba(self.decision(word, char))

    def _proba(self, decision: np.ndarray) -> np.ndarray:
        proba = 1.0 / (1.0 + np.exp(-decision))
        proba[:, ~self.scored] = np.nan
        return proba

    def explain(self, word: sp.csr_matrix, char: sp.csr_matrix, tokens: list[str], row: int,
                rule: int, top: int = 3) -> list[str]:
        """The tokens and word pairs of one text that pushed `rule`'s score up most.

        A word's weight is its own word feature's contribution plus those of its char n-grams;
        a word pair is listed when its bigram feature alone is among the strongest."""
        weight: Counter[str] = Counter()
        inv_word = self._inverse_word_vocab()
        start, end = word.indptr[row], word.indptr[row + 1]
        for col, value in zip(word.indices[start:end], word.data[start:end], strict=True):
            weight[inv_word[col]] += value * self.word_coef[col, rule]
        start, end = char.indptr[row], char.indptr[row + 1]
        cols = char.indices[start:end]
        char_contrib = dict(zip(cols, char.data[start:end] * self.char_coef[cols, rule],
                                strict=True))
        for token in set(tokens):
            cols = self._char_columns(token)
            if len(cols):
                weight[token] += sum(char_contrib.get(c, 0.0) for c in cols)
        ranked = [name for name, w in weight.most_common() if w > 0]
        return ranked[:top]

    def _inverse_word_vocab(self) -> list[str]:
        inverse = getattr(self, "_inv_word", None)
        if inverse is None:
            inverse = [""] * len(self.word_vocab)
            for gram, col in self.word_vocab.items():
                inverse[col] = gram
            self._inv_word = inverse
        return inverse


def _remap(vocabulary: dict[str, int], keep: np.ndarray) -> dict[str, int]:
    """The vocabulary restricted to the `keep` columns, renumbered 0..len(keep)-1."""
    new_index = {int(old): new for new, old in enumerate(keep)}
    return {term: new_index[col] for term, col in vocabulary.items() if col in new_index}


def _tfidf(rows: np.ndarray, cols: np.ndarray, n_docs: int, idf: np.ndarray) -> sp.csr_matrix:
    """Counts -> sublinear tf * idf -> rows L2-normalised, as TfidfVectorizer does."""
    counts = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n_docs, len(idf)))
    counts.sum_duplicates()
    data = (np.log(counts.data) + 1.0) * idf[counts.indices]
    lengths = np.diff(counts.indptr)
    squares = np.bincount(np.repeat(np.arange(n_docs), lengths), weights=data * data,
                          minlength=n_docs)
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    return sp.csr_matrix((data / np.repeat(norms, lengths), counts.indices, counts.indptr),
                         shape=counts.shape)
