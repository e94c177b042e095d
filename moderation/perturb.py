"""Evasion rewrites, as an attacker types them, and what each costs a model (issue 12).

Each rewrite is a pure function `(text, rng) -> text`: the same text and the same seeded
`random.Random` give the same output. `evaluate_perturbations` applies each rewrite, separately,
to every labelled comment (the rng of comment i under rewrite k is seeded from (seed, k, i), so
a row does not depend on the others) and reports, per rule and rewrite, ROC AUC and recall at
the saved review threshold beside the clean figures.

Which words each rewrite touches (an attacker disguises the words that would get the comment
blocked, and leaves the rest readable):
- leet, mask, spaced, repeat, punct, homoglyph: the comment's *target words*, those in
  ATTACK_WORDS (common profanity, insults and slurs, written independently of the normaliser's
  own list so that the evaluation does not only test what the normaliser already knows). A
  comment with no such word gets the rewrite on up to two random words of four or more letters,
  so that clean comments are rewritten too and a model cannot tell the classes apart by the
  rewrite itself.
- invisible, case: every word (an attacker pastes them everywhere; it costs nothing).
- nospace: each target word is joined to the words either side (`youareanidiot`); with no
  target word, two random neighbouring pairs are joined.
- benign: 12 friendly words from BENIGN_WORDS appended to every comment (the padding attack of
  Gröndahl et al. 2018).
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

ATTACK_WORDS = frozenset((
    "fuck", "fucking", "fucked", "fucker", "fuckin", "motherfucker", "shit", "shitty", "bullshit",
    "bitch", "bitches", "cunt", "dick", "dickhead", "cock", "cocksucker", "pussy", "asshole",
    "ass", "arse", "bastard", "damn", "crap", "slut", "whore", "fag", "faggot", "nigger",
    "nigga", "retard", "retarded", "idiot", "idiots", "idiotic", "stupid", "moron", "moronic",
    "twat", "wanker", "piss", "pissed", "suck", "sucks", "dumb", "dumbass", "loser", "losers",
    "pathetic", "scum", "jerk", "hate", "kill", "die", "ugly", "fat", "gay", "penis", "sex",
    "douche", "douchebag", "prick", "hypocrite", "ignorant", "fool", "clown", "trash", "garbage",
    "disgusting", "worthless", "imbecile", "coward", "liar", "nazi", "racist", "shut",
))
BENIGN_WORDS = (
    "thanks", "great", "article", "please", "love", "peace", "friend", "kind", "happy", "hope",
    "nice", "day", "wonderful", "sunshine", "appreciate", "family", "together", "welcome",
    "agree", "helpful", "lovely", "respect", "cheers", "smile",
)
_LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1", "g": "9"}
_MATH_STARTS = (0x1D41A, 0x1D5EE, 0x1D68A, 0x1D5BA)  # bold, sans bold, monospace, sans small
_LOOKALIKES: dict[str, str] = {
    "a": "аα", "c": "сϲ", "d": "ԁ", "e": "еε", "h": "һ", "i": "іι", "j": "ј", "k": "κ",
    "l": "ӏ", "o": "оο", "p": "рρ", "q": "ԛ", "s": "ѕ", "t": "τ", "u": "υ", "v": "ν",
    "w": "ԝω", "x": "хχ", "y": "у",
}
INVISIBLES = ("\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff")
_PUNCT = ".-_,*'"


_SPACE = re.compile(r"(\s+)")


def _split(text: str) -> list[str]:
    """Words and the whitespace between them (odd indices), so that joining restores layout."""
    return _SPACE.split(text)


def _core(word: str) -> tuple[str, str, str]:
    """(leading punctuation, the letters, trailing punctuation) of a whitespace-free chunk."""
    start, end = 0, len(word)
    while start < end and not word[start].isalpha():
        start += 1
    while end > start and not word[end - 1].isalpha():
        end -= 1
    return word[:start], word[start:end], word[end:]


def _targets(words: list[str], rng: random.Random) -> list[int]:
    """Indices of the words an attacker disguises (see the module docstring)."""
    hits = [i for i, w in enumerate(words) if i % 2 == 0 and _core(w)[1].lower() in ATTACK_WORDS]
    if hits:
        return hits
    long = [i for i, w in enumerate(words)
            if i % 2 == 0 and len(_core(w)[1]) >= 4 and _core(w)[1].isalpha()]
    return sorted(rng.sample(long, min(2, len(long))))


def _on_targets(change: Callable[[str, random.Random], str]
                ) -> Callable[[str, random.Random], str]:
    def rewrite(text: str, rng: random.Random) -> str:
        words = _split(text)
        for i in _targets(words, rng):
            before, core, after = _core(words[i])
            if core:
                words[i] = before + change(core, rng) + after
        return "".join(words)
    rewrite.__doc__ = change.__doc__
    return rewrite


def _on_all_words(change: Callable[[str, random.Random], str]
                  ) -> Callable[[str, random.Random], str]:
    def rewrite(text: str, rng: random.Random) -> str:
        return "".join(change(w, rng) if i % 2 == 0 and w else w
                       for i, w in enumerate(_split(text)))
    rewrite.__doc__ = change.__doc__
    return rewrite


def _leet(word: str, rng: random.Random) -> str:
    """`idiot` -> `1d10t`: each substitutable letter with probability 0.6, at least one."""
    spots = [i for i, ch in enumerate(word) if ch.lower() in _LEET]
    if not spots:
        return word
    chosen = {i for i in spots if rng.random() < 0.6} or {rng.choice(spots)}
    return "".join(rng.choice(_LEET[ch.lower()]) if i in chosen else ch
                   for i, ch in enumerate(word))


def _mask(word: str, rng: random.Random) -> str:
    """`fuck` -> `f*ck`, `asshole` -> `a**h*le`: inner vowels (else one inner letter) to `*`."""
    if len(word) < 3:
        return word
    inner = range(1, len(word) - 1)
    spots = [i for i in inner if word[i].lower() in "aeiou"] or [rng.choice(inner)]
    return "".join("*" if i in spots else ch for i, ch in enumerate(word))


def _spaced(word: str, rng: random.Random) -> str:
    """`stupid` -> `s t u p i d`."""
    return " ".join(word)


def _repeat(word: str, rng: random.Random) -> str:
    """`stupid` -> `stuuuupid`: one letter repeated 2-5 more times."""
    i = rng.randrange(len(word))
    return word[:i + 1] + word[i] * rng.randint(2, 5) + word[i + 1:]


def _punct(word: str, rng: random.Random) -> str:
    """`idiot` -> `i.d.i.o.t` (half the time) or `idi-ot`: punctuation inside the word."""
    if len(word) < 2:
        return word
    mark = rng.choice(_PUNCT)
    if rng.random() < 0.5:
        return mark.join(word)
    i = rng.randrange(1, len(word))
    return word[:i] + mark + word[i:]


def _homoglyph(word: str, rng: random.Random) -> str:
    """Each letter, with probability 0.6, as a Cyrillic or Greek look-alike, its fullwidth form
    or a mathematical alphanumeric (bold, sans-serif, monospace)."""
    out = []
    for ch in word:
        low = ch.lower()
        if not ("a" <= low <= "z") or rng.random() >= 0.6:
            out.append(ch)
            continue
        kind = rng.randrange(3)
        if kind == 0 and low in _LOOKALIKES:
            out.append(rng.choice(_LOOKALIKES[low]))
        elif kind == 1:
            out.append(chr(0xFF41 + ord(low) - 97))
        else:
            out.append(chr(rng.choice(_MATH_STARTS) + ord(low) - 97))
    return "".join(out)


def _invisible(word: str, rng: random.Random) -> str:
    """An invisible character (ZWSP, ZWNJ, ZWJ, word joiner, soft hyphen, BOM) inside every
    word of two or more characters."""
    if len(word) < 2:
        return word
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice(INVISIBLES) + word[i:]


def _case(word: str, rng: random.Random) -> str:
    """Every word upper-cased, capitalised or in random case, a third each."""
    kind = rng.randrange(3)
    if kind == 0:
        return word.upper()
    if kind == 1:
        return word.capitalize()
    return "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in word)


def nospace(text: str, rng: random.Random) -> str:
    """The spaces either side of each target word removed (`you areanidiot`)."""
    words = [w for w in text.split() if w]
    if len(words) < 2:
        return text
    hits = [i for i, w in enumerate(words) if _core(w)[1].lower() in ATTACK_WORDS]
    joins = set()
    for i in hits:
        joins.update(j for j in (i - 1, i) if 0 <= j < len(words) - 1)
    if not hits:
        joins = set(rng.sample(range(len(words) - 1), min(2, len(words) - 1)))
    out = [words[0]]
    for i, word in enumerate(words[1:]):
        if i in joins:
            out[-1] += word
        else:
            out.append(word)
    return " ".join(out)


def benign(text: str, rng: random.Random) -> str:
    """Twelve friendly words appended."""
    return text + " " + " ".join(rng.choice(BENIGN_WORDS) for _ in range(12))


REWRITES: dict[str, Callable[[str, random.Random], str]] = {
    "leet": _on_targets(_leet),
    "mask": _on_targets(_mask),
    "spaced": _on_targets(_spaced),
    "repeat": _on_targets(_repeat),
    "punct": _on_targets(_punct),
    "homoglyph": _on_targets(_homoglyph),
    "invisible": _on_all_words(_invisible),
    "case": _on_all_words(_case),
    "nospace": nospace,
    "benign": benign,
}


def perturb(texts: Sequence[str], rewrite: str, seed: int = 0) -> list[str]:
    """`texts` each rewritten by REWRITES[rewrite]; text i's rng is seeded from (seed, rewrite,
    i), so the result is deterministic and a text's rewrite does not depend on the others."""
    fn = REWRITES[rewrite]
    salt = zlib.crc32(rewrite.encode())
    return [fn(text, random.Random(f"{seed}:{salt}:{i}")) for i, text in enumerate(texts)]


Scorer = Callable[[list[str]], dict[str, np.ndarray]]


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return round(float(roc_auc_score(y, p)), 4) if 0 < y.sum() < len(y) else None


def _recall(y: np.ndarray, p: np.ndarray, threshold: float | None) -> float | None:
    if threshold is None or not y.sum():
        return None
    return round(float((p[y == 1] >= threshold).mean()), 4)


def evaluate_perturbations(model: Scorer, texts: Sequence[str],
                           labels_by_rule: dict[str, np.ndarray],
                           thresholds: dict[str, float | None], seed: int = 0,
                           rewrites: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One row per rule and rewrite: ROC AUC and recall at `thresholds[rule]` on the rewritten
    texts, beside the clean figures and the AUC drop. `model(texts)` returns one probability
    array per rule id (rules it does not score are left out, or all NaN)."""
    clean = model(list(texts))
    rows: list[dict[str, Any]] = []
    names = list(rewrites or REWRITES)
    scores = {name: model(perturb(texts, name, seed)) for name in names}
    for rule, y in labels_by_rule.items():
        y = np.asarray(y, dtype=int)
        p0 = clean.get(rule)
        if p0 is None or np.isnan(p0).all():
            continue
        clean_auc, clean_recall = _auc(y, p0), _recall(y, p0, thresholds.get(rule))
        rows.append({"rule": rule, "rewrite": "clean", "roc_auc": clean_auc, "drop": 0.0,
                     "recall@review": clean_recall, "clean_recall@review": clean_recall})
        for name in names:
            p = scores[name][rule]
            auc = _auc(y, p)
            rows.append({"rule": rule, "rewrite": name, "roc_auc": auc,
                         "drop": None if auc is None or clean_auc is None
                         else round(clean_auc - auc, 4),
                         "recall@review": _recall(y, p, thresholds.get(rule)),
                         "clean_recall@review": clean_recall})
    return rows


# Official Jigsaw test rows: rule -> the gold labels that make it positive (as moderate evaluate).
JIGSAW_GOLD: dict[str, tuple[str, ...]] = {
    "toxicity": ("toxic",), "keep_it_clean": ("obscene",), "dont_threaten": ("threat",),
    "be_nice": ("insult", "identity_hate"),
}


def jigsaw_test_rows(data_dir: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    """The official Jigsaw test rows (the `test.*` files of jigsaw_predibase: what
    `moderation.corpus.build_corpus(...).evaluation["jigsaw_predibase"]` holds, without loading
    every other source) and their gold per rule."""
    from .loaders import load_jigsaw_predibase

    rows = [ex for ex in load_jigsaw_predibase(data_dir) if ex.split == "test"]
    labels = {rule: np.array([int(any(ex.labels.get(n) == 1 for n in names)) for ex in rows])
              for rule, names in JIGSAW_GOLD.items()}
    return [ex.text for ex in rows], labels


def rules_scorer(rules_model: Any) -> Scorer:
    """A Scorer from a RulesModel (or anything with `rule_ids` and `predict_proba`)."""
    ids = list(rules_model.rule_ids)

    def score(texts: list[str]) -> dict[str, np.ndarray]:
        p = rules_model.predict_proba(texts)
        return {rule: p[:, j] for j, rule in enumerate(ids)}
    return score


def review_thresholds(rules_model: Any) -> dict[str, float | None]:
    return {rule: (t or {}).get("review") for rule, t in rules_model.thresholds.items()}


def evaluate_model_perturbations(model_dir: Path | None, data_dir: Path, seed: int = 0
                                 ) -> list[dict[str, Any]]:
    """The perturbation table of the saved rules model on the official Jigsaw test rows."""
    from .hook import Moderator

    moderator = Moderator.load(model_dir)
    texts, labels = jigsaw_test_rows(data_dir)
    model = moderator.model
    return evaluate_perturbations(rules_scorer(model), texts, labels, review_thresholds(model),
                                  seed)
