"""The feature specification, and the reference featuriser built from it.

`FeatureSpec` is the one definition of what the model computes from a text: word and char_wb
n-gram ranges, sublinear tf, the row norm, and the vocabulary limits used when fitting. From it
`build_features` makes the reference scikit-learn FeatureUnion (word + char_wb TF-IDF over
`normalize(text)`), `char_ngrams_of` the char_wb n-grams of one token as that union's own
analyzer makes them, and `tfidf_weighting` its tf-idf weighting of a count matrix. The fast
scorer (moderation.fast) is built from the same specification, is given its char n-grams and
weighting by these functions, and refuses a specification whose arithmetic its compiled
kernels do not implement (`FastScorer.check_spec`). A saved rules model records its
specification (`FeatureSpec.to_json`), and a model without one is refused on load.

Both vectorisers see `normalize(text)` (moderation.normalize: the only place text becomes
tokens), whose tokens are joined by single spaces, so that a word n-gram is a run of tokens and
a char_wb n-gram never crosses a token boundary.

Word n-grams made of function words alone ("you are", "are a", "a") are left out of the rules
model's vocabulary (`drop_function_ngrams`). The training sources say "you are a ..." almost only
in insults, so "are a" weighed +1.24 towards toxicity and "You are a kind person" went to
review: the model had learnt who writes like an insulter, not what is said. An n-gram with one
content word ("a kind", "not vermin") stays, and so do first person, modals and "was"/"were"
(KEPT_FUNCTION_WORDS: "I will" marks threats, "said ... were" reported hate). Measured with
`python bench/rules_dev.py --drop-function-ngrams narrow` (dev rows only; README, Training
data). The claim model keeps them (`CLAIM_FEATURES` in moderation.claims_train): "there were",
"it was" are how claims are made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import FeatureUnion

from .normalize import normalize, split_normalized
from .stable_vocabulary import StableTfidfVectorizer


@dataclass(frozen=True)
class FeatureSpec:
    """What the word and char TF-IDF vectorisers compute (and, for fitting, which n-grams they
    keep: `min_df`, `max_*_features`)."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    char_analyzer: str = "char_wb"
    sublinear_tf: bool = True
    norm: str | None = "l2"
    min_df: int = 2
    max_word_features: int | None = 200_000
    max_char_features: int | None = 300_000
    drop_function_ngrams: bool = True

    def to_json(self) -> dict[str, Any]:
        """The specification as plain JSON (saved in a model's manifest)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Any) -> FeatureSpec:
        """The specification `to_json` wrote; ValueError when a field is missing, unknown or
        of the wrong type."""
        if not isinstance(data, dict):
            raise ValueError(f"feature specification {data!r} is not a mapping")
        names = {f.name for f in fields(cls)}
        data = {"drop_function_ngrams": False, **data}  # saved before the field existed
        if set(data) != names:
            raise ValueError(f"feature specification fields {sorted(data)} are not "
                             f"{sorted(names)}")
        values = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            pair = values[key]
            if not (isinstance(pair, list | tuple) and len(pair) == 2
                    and all(_is_int(n) for n in pair)):
                raise ValueError(f"feature specification {key} = {pair!r} is not two integers")
            values[key] = (pair[0], pair[1])
        checks = {"char_analyzer": lambda v: isinstance(v, str),
                  "sublinear_tf": lambda v: isinstance(v, bool),
                  "norm": lambda v: v is None or isinstance(v, str),
                  "min_df": _is_int,
                  "max_word_features": lambda v: v is None or _is_int(v),
                  "max_char_features": lambda v: v is None or _is_int(v),
                  "drop_function_ngrams": lambda v: isinstance(v, bool)}
        for key, ok in checks.items():
            if not ok(values[key]):
                raise ValueError(f"feature specification {key} = {values[key]!r} is malformed")
        return cls(**values)

    @classmethod
    def of(cls, union: FeatureUnion) -> FeatureSpec:
        """The specification `union` was built from; ValueError if it was not built by
        `build_features` (its vectorisers' parameters differ from the ones a spec gives)."""
        (_, word), (_, char) = union.transformer_list
        dropping = isinstance(word.analyzer, ContentWordNgrams)
        spec = cls(word_ngrams=word.analyzer.ngrams if dropping else tuple(word.ngram_range),
                   char_ngrams=tuple(char.ngram_range),
                   char_analyzer=char.analyzer, sublinear_tf=word.sublinear_tf, norm=word.norm,
                   min_df=word.min_df, max_word_features=word.max_features,
                   max_char_features=char.max_features, drop_function_ngrams=dropping)
        rebuilt = build_features(spec)
        if _params(rebuilt) != _params(union):
            raise ValueError("the feature union was not built by build_features from a "
                             "FeatureSpec")
        return spec


# The specification models are trained with.
FEATURES = FeatureSpec()

# Pronouns, auxiliaries, determiners, prepositions and conjunctions, as moderation.normalize
# writes them; not negations ("not", "never", "aren't" carry meaning).
FUNCTION_WORDS = frozenset("""
you your yours yourself yourselves he him his himself she her hers herself it its itself they
them their theirs themselves this these those am is are be been being have has had having do
does did doing a an the and but or if then so as of at by for with about against between into
through during before after above below to from up down in out on off over under again further
once here there when where why how all any both each few more most other some such only own
same than too very just also what which who whom whose you're he's she's it's they're you've
they've you'd he'd she'd they'd you'll he'll she'll they'll that's there's here's what's who's
let's
""".split())
# Kept as features even on their own, though function words: first person and modals ("I
# will" marks threats) and the past-tense copula and "that" ("said ... were", "said that":
# hate reported rather than asserted). Without them, held-out contrast templates lost 0.035
# (hate) and 0.027 (threat) AUC on dev rows instead of 0.019 and 0.016.
KEPT_FUNCTION_WORDS = frozenset("""
i me my mine myself we us our ours ourselves will would shall should can could may might must
i'm i've i'd i'll we're we've we'd we'll was were that
""".split())


@dataclass(frozen=True)
class ContentWordNgrams:
    """The word analyser of a specification with `drop_function_ngrams`: normalize(text) ->
    its word n-grams, as scikit-learn's word analyser makes them (runs of tokens joined by one
    space, shortest first), except those made of FUNCTION_WORDS alone."""

    ngrams: tuple[int, int] = (1, 2)

    def __call__(self, text: str) -> list[str]:
        tokens = split_normalized(normalize(text))
        function = [t in FUNCTION_WORDS for t in tokens]
        low, high = self.ngrams
        return [" ".join(tokens[i:i + n]) for n in range(low, high + 1)
                for i in range(len(tokens) - n + 1) if not all(function[i:i + n])]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _params(union: FeatureUnion) -> list[dict[str, Any]]:
    return [vectorizer.get_params() for _, vectorizer in union.transformer_list]


def build_features(spec: FeatureSpec = FEATURES) -> FeatureUnion:
    """An unfitted FeatureUnion of the word and char TF-IDF vectorisers `spec` describes."""
    weighting = dict(sublinear_tf=spec.sublinear_tf, norm=spec.norm, min_df=spec.min_df,
                     dtype=np.float64)
    reading = dict(preprocessor=normalize, lowercase=False)  # not for a callable analyser
    if spec.drop_function_ngrams:  # the analyser normalises and makes the n-grams itself
        word = StableTfidfVectorizer(analyzer=ContentWordNgrams(tuple(spec.word_ngrams)),
                                     lowercase=False, token_pattern=None,
                                     max_features=spec.max_word_features, **weighting)
    else:
        word = StableTfidfVectorizer(analyzer="word", tokenizer=split_normalized,
                                     token_pattern=None, ngram_range=spec.word_ngrams,
                                     max_features=spec.max_word_features, **reading,
                                     **weighting)
    char = StableTfidfVectorizer(analyzer=spec.char_analyzer, ngram_range=spec.char_ngrams,
                                 max_features=spec.max_char_features, **reading, **weighting)
    return FeatureUnion([("word", word), ("char", char)])


def char_ngrams_of(spec: FeatureSpec) -> Callable[[str], list[str]]:
    """token -> its char n-grams, made by the analyzer of the char vectoriser `spec` builds
    (without the preprocessor: the token is already normalised)."""
    char = build_features(spec).transformer_list[1][1]
    return char.set_params(preprocessor=None).build_analyzer()


def tfidf_weighting(spec: FeatureSpec, idf: np.ndarray) -> TfidfTransformer:
    """The reference's weighting of a count matrix (tf, times `idf`, row norm) for `spec`."""
    weighting = TfidfTransformer(norm=spec.norm, sublinear_tf=spec.sublinear_tf)
    weighting.idf_ = idf
    weighting.n_features_in_ = len(idf)
    return weighting
