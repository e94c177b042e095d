"""The be_truthful signal: does a comment state a check-worthy claim of fact, and about whom?

No model can tell whether a commenter lies. What a moderator can do is check a claim once it
is pointed out ("the mayor took money from the developer", "the school cut 40 teachers"), and
claims of fact about named people are where a news site's legal risk sits. So a rule with
`scored_by = "claims"` in rules.toml (be_truthful in the packaged rules) is scored here, not
by the rules model's per-comment logistic regressions:

- each comment is cut into sentences (moderation.sentences, linear time);
- every sentence is scored by its own TF-IDF + logistic regression (the same `FeatureSpec`
  and `FastScorer` as the rules model, trained on ClaimBuster's check-worthy sentences:
  moderation.loaders.claims), and the comment's score is the highest sentence's;
- the reasons are that sentence as written and, when it names or points at a person or an
  organisation (a capitalised name inside the sentence, a title such as "the mayor" or "the
  officer", he / she / his / her), who: `about: the mayor`; a pronoun is followed by whom the
  sentence before names, which it most likely refers back to (`about: He (the mayor)`). The
  cue is word lists and capitalisation, not a named-entity model: common places and peoples
  ("Ontario", "Syrians") are left out, rarer ones still count as names.

The rule is a signal: a flagged claim never rejects. The site chooses in rules.toml whether it
only tags the comment (`on_flag = "tag"`, the default) or sends it to review (`"review"`).
The claim model is saved inside the rules model file (arrays prefixed `claims_`, JSON under
`claims` in the manifest), so the manifest's hash and signature cover it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .fast import FastScorer
from .features import FeatureSpec
from .sentences import sentence_spans

ARRAY_PREFIX = "claims_"
REASON_CHARS = 300  # a reason quotes at most this much of its sentence
# Titles that stand for one person or body when a sentence makes a claim about them.
TITLES = frozenset((
    "mayor", "premier", "minister", "pm", "president", "senator", "mp", "mpp", "mla",
    "councillor", "councilor", "alderman", "governor", "officer", "officers", "cop", "cops",
    "police", "policeman", "sheriff", "deputy", "trooper", "detective", "judge", "justice",
    "prosecutor", "crown", "lawyer", "chief", "ceo", "cfo", "chairman", "chair", "director",
    "commissioner", "spokesman", "spokeswoman", "spokesperson", "leader", "superintendent",
    "principal", "coach", "pastor", "priest", "bishop", "suspect", "victim", "accused",
    "government", "council", "board", "party", "company", "ministry", "department", "agency",
    "rcmp", "fbi", "cbc", "author", "reporter", "columnist", "editor",
))
DETERMINERS = frozenset(("the", "this", "that", "our", "your", "their", "his", "her", "its"))
PRONOUNS = frozenset(("he", "she", "him", "her", "his", "hers", "himself", "herself"))
# Places and peoples at large: a claim about them is not about a person or an organisation.
PLACES = frozenset((
    "canada", "canadian", "canadians", "america", "american", "americans", "usa", "us", "u.s",
    "uk", "britain", "british", "england", "english", "scotland", "ireland", "wales", "europe",
    "european", "europeans", "eu", "france", "french", "germany", "german", "germans", "italy",
    "spain", "russia", "russian", "russians", "china", "chinese", "japan", "japanese", "india",
    "indian", "pakistan", "iran", "iraq", "syria", "syrian", "syrians", "israel", "israeli",
    "palestine", "palestinian", "palestinians", "afghanistan", "libya", "egypt", "turkey",
    "mexico", "mexican", "cuba", "brazil", "australia", "africa", "african", "asia", "asian",
    "ukraine", "belgium", "belgian", "sweden", "norway", "denmark", "netherlands", "greece",
    "middle", "east", "west", "north", "south", "western", "eastern", "northern", "southern",
    "ontario", "quebec", "alberta", "bc", "manitoba", "saskatchewan", "nova", "scotia",
    "brunswick", "newfoundland", "labrador", "pei", "yukon", "nunavut", "toronto", "montreal",
    "vancouver", "ottawa", "calgary", "edmonton", "winnipeg", "halifax", "victoria", "hamilton",
    "torontonians", "quebecers", "albertans", "ontarians", "washington", "california", "texas",
    "new", "york", "london", "paris", "street", "avenue", "road",
))
# Words that open or join sentences and are capitalised for that alone.
FUNCTION_WORDS = frozenset((
    "in", "on", "at", "now", "this", "that", "these", "those", "our", "my", "your", "their",
    "its", "when", "then", "but", "and", "so", "if", "as", "for", "of", "to", "with", "by",
    "from", "after", "before", "since", "while", "although", "though", "because", "dear",
    "well", "also", "still", "just", "even", "there", "here", "what", "why", "how", "who",
    "where", "which", "all", "some", "most", "many", "any", "every", "each", "both", "a", "an",
    "the", "it", "they", "we", "you", "left", "right", "section", "charter",
))
# Capitalised words that are not names (sentence words capitalised for emphasis or by habit).
NOT_NAMES = PLACES | FUNCTION_WORDS | frozenset((
    "i", "i'm", "i've", "i'd", "i'll", "ok", "tv", "lol", "omg", "wow", "yes", "no", "god",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "english", "french",
))


@dataclass
class ClaimModel:
    """Sentence-level check-worthy-claim scores, and the comment score as their maximum."""

    scorer: FastScorer

    def sentence_scores(self, texts: Sequence[str]
                        ) -> tuple[np.ndarray, list[tuple[int, int] | None]]:
        """Per text, the highest sentence probability (NaN for a text without sentences) and
        that sentence's (start, end) in the text."""
        spans = [sentence_spans(text) for text in texts]
        flat = [text[s:e] for text, found in zip(texts, spans, strict=True) for s, e in found]
        best = np.full(len(texts), np.nan)
        where: list[tuple[int, int] | None] = [None] * len(texts)
        if not flat:
            return best, where
        p = self.scorer.predict_proba(flat)[:, 0]
        counts = np.fromiter(map(len, spans), dtype=np.int64, count=len(texts))
        has = np.flatnonzero(counts)
        segment = np.repeat(np.arange(len(texts)), counts)
        # each text's highest sentence, the first one on ties: sort by (text, -score, position)
        order = np.lexsort((np.arange(len(p)), -p, segment))
        firsts = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(counts, out=firsts[1:])
        top = order[firsts[has]]
        best[has] = p[top]
        for i, k in zip(has.tolist(), (top - firsts[has]).tolist(), strict=True):
            where[i] = spans[i][k]
        return best, where

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {ARRAY_PREFIX + name: array for name, array in self.scorer.to_arrays().items()}

    def to_meta(self) -> dict[str, Any]:
        return {"features": self.scorer.spec.to_json()}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], meta: Any) -> ClaimModel:
        """ValueError names what is malformed."""
        if not isinstance(meta, dict) or "features" not in meta:
            raise ValueError("the claim model's metadata records no feature specification")
        own = {name[len(ARRAY_PREFIX):]: array for name, array in arrays.items()
               if name.startswith(ARRAY_PREFIX)}
        scorer = FastScorer.from_arrays(own, FeatureSpec.from_json(meta["features"]))
        if len(scorer.intercept) != 1 or not scorer.scored[0]:
            raise ValueError("the claim model must have exactly one scored column")
        return cls(scorer)


def rules_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rules model's own arrays of a saved file (the claim model's left out)."""
    return {name: array for name, array in arrays.items() if not name.startswith(ARRAY_PREFIX)}


def about(sentence: str) -> str | None:
    """Who a sentence makes its claim about, as written: a title with its determiner ("the
    mayor"), a run of capitalised words that is not the sentence's first word ("Rob Ford"),
    or a personal pronoun ("he"); None when it points at no one."""
    words = sentence.translate(_invisibles()).split()
    stripped = [w.strip(".,;:!?\"'()[]{}“”‘’«»") for w in words]
    lower = [w.lower() for w in stripped]
    for k, word in enumerate(lower):
        if word in TITLES:
            start = k - 1 if k > 0 and lower[k - 1] in DETERMINERS else k
            return " ".join(stripped[start:k + 1])
    # A capitalised first word is a name only when a capitalised word follows ("Rob Ford").
    first = 0 if len(stripped) > 1 and _is_name(stripped[0], lower[0]) and _is_name(
        stripped[1], lower[1]) and lower[0] not in DETERMINERS else 1
    for k in range(first, len(stripped)):
        if _is_name(stripped[k], lower[k]):
            end = k
            while end + 1 < len(stripped) and end - k < 2 and _is_name(stripped[end + 1],
                                                                         lower[end + 1]):
                end += 1
            return " ".join(stripped[k:end + 1])
    for k, word in enumerate(lower):
        if word in PRONOUNS:
            return stripped[k]
    return None


@functools.cache
def _invisibles() -> dict[int, None]:
    """Format characters (zero-width, joiners, BOM, bidi marks) as a translate table: they do
    not hide a title or a name."""
    return {cp: None for cp in range(0x10000) if unicodedata.category(chr(cp)) == "Cf"}


def _named_before(text: str, start: int) -> str | None:
    """Whom the sentence just before `start` names (a title or a name, not a pronoun): what
    a "he" or "she" at the start of the next one most likely refers back to."""
    before = sentence_spans(text[:start])
    if not before:
        return None
    s, e = before[-1]
    who = about(text[s:e][:REASON_CHARS])
    return None if who is None or who.lower() in PRONOUNS else who


def _is_name(word: str, lower: str) -> bool:
    """A capitalised word ("Harper", "McLachlin", "RCMP") that is not one of NOT_NAMES."""
    return word[:1].isupper() and any(ch.isalpha() for ch in word) and lower not in NOT_NAMES


def claim_reasons(text: str, span: tuple[int, int] | None) -> list[str]:
    """The reasons shown for a flagged claim: the sentence as written (its first
    REASON_CHARS characters and "…" when longer), then whom it is about."""
    if span is None:
        return []
    sentence = text[span[0]:span[1]]
    who = about(sentence[:REASON_CHARS])
    if who is not None and who.lower() in PRONOUNS:
        earlier = _named_before(text, span[0])
        if earlier is not None:
            who = f"{who} ({earlier})"
    if len(sentence) > REASON_CHARS:
        sentence = sentence[:REASON_CHARS] + "…"
    return [sentence] if who is None else [sentence, f"about: {who}"]
