"""Hate-speech sources that speak for Be Nice: the Gab Hate Corpus and Latent Hatred.

Gab Hate Corpus (Kennedy et al. 2022): `hd` (human degradation: attacks on dignity because of
an identity) -> identity_hate, `cv` (call for violence) -> threat, `vo` (vulgarity) -> obscene.
A post with none of the three is clean of all three and of `toxic`; it says nothing about
`insult` (a personal insult without an identity is none of hd/cv/vo). `ghc_test.tsv` is the
official test split (evaluation only). A stable fifth of `ghc_train.tsv` (by a hash of the text)
is marked "dev": held out when sources and weights are compared, trained on otherwise.

Latent Hatred (ElSherief et al. 2021): explicit and implicit hate -> identity_hate, not_hate ->
identity_hate 0 and toxic 0. There is no official split, so one is made here, grouped by a
near-duplicate key (the first words of the tweet with handles, `rt` and punctuation removed):
a fifth of the groups is "test" (evaluation only), a tenth "dev", the rest train. The tweets
are lower-cased and re-spaced (`word , word`, `rt :` left from removed handles); the loader
undoes the re-spacing and the leftovers so that the text looks less unlike a comment.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from .base import Example, source_dir, with_toxic

GHC_LABELS = {"hd": "identity_hate", "cv": "threat", "vo": "obscene"}
IMPLICIT_TEST, IMPLICIT_DEV = 0.2, 0.1
GHC_DEV = 0.2


def _unit(key: str) -> float:
    """A stable number in [0, 1) from a string."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") / 2**32


def load_gab_hate_corpus(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "gab_hate_corpus")
    examples: list[Example] = []
    for name, split in (("ghc_train.tsv", "train"), ("ghc_test.tsv", "test")):
        with open(root / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                text = row["text"]
                labels = {label: int(row[col]) for col, label in GHC_LABELS.items()}
                if any(labels.values()):
                    with_toxic(labels)
                else:
                    labels["toxic"] = 0
                row_split = split
                if split == "train" and _unit("ghc:" + text) < GHC_DEV:
                    row_split = "dev"
                examples.append(Example(text, labels, "gab_hate_corpus", row_split,
                                        meta={col: row[col] for col in GHC_LABELS}))
    return examples


_QUOTES = re.compile(r'"+')
_RT = re.compile(r"^(?:\s*(?:rt\b|:)\s*)+")
_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:%)'])")
_AFTER_OPEN = re.compile(r"([(])\s+")
_SPACES = re.compile(r"\s+")
_KEY_DROP = re.compile(r"@\w+|#|https?://\S+|\brt\b|[^a-z0-9 ]")


def detweet(text: str) -> str:
    """Undo Latent Hatred's pre-processing where it can: quotes, `rt :`, spaced punctuation."""
    text = _QUOTES.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _RT.sub("", text)
    text = _BEFORE_PUNCT.sub(r"\1", text)
    text = _AFTER_OPEN.sub(r"\1", text)
    text = text.replace(" : ", ": ").strip(" :")
    return text[:1].upper() + text[1:]


def near_duplicate_key(text: str, words: int = 8) -> str:
    return " ".join(_KEY_DROP.sub(" ", text.lower()).split()[:words])


def load_implicit_hate(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "implicit_hate")
    examples: list[Example] = []
    with open(root / "implicit_hate_v1_stg1_posts.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            kind = row["class"].strip()
            text = detweet(row["post"])
            if not text:
                continue
            if kind in ("explicit_hate", "implicit_hate"):
                labels = with_toxic({"identity_hate": 1})
            elif kind == "not_hate":
                labels = {"identity_hate": 0, "toxic": 0}
            else:
                continue
            key = near_duplicate_key(text)
            u = _unit("implicit:" + key)
            split = "test" if u < IMPLICIT_TEST else (
                "dev" if u < IMPLICIT_TEST + IMPLICIT_DEV else "train")
            examples.append(Example(text, labels, "implicit_hate", split, group=key,
                                    meta={"class": kind}))
    return examples
