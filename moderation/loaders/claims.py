"""Sentences labelled check-worthy factual claim or not, for the be_truthful signal.

- ClaimBuster (`claimbuster/kfold_25ncs.json`, U.S. presidential debates, CC BY 4.0): `label` 1 =
  a check-worthy factual sentence. No official test split, so ours is grouped: sentence ids
  follow the debates, so blocks of CLAIMBUSTER_BLOCK consecutive ids go wholly to one side,
  chosen by a hash of the block number (test a fifth, dev a tenth, train the rest).
- Comment sentences labelled for this project (`data/claims/`, see its GUIDELINE.md; `eval`
  is evaluation only, `dev` chooses the flag threshold, `train` is trained on): sentences of
  C3 comments, claim of fact or not, about a person or organisation or not. The repository
  keeps only keys and labels; the text is read from C3 in the data directory and matched by
  the sentence's sha256, so no data file is copied here.
  `eval` sentences come from C3's held-out articles (the rules' evaluation fifth), `dev` and
  `train` sentences from C3's training articles (`train` from articles with no `dev` sentence).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFormatError
from ..sentences import sentences
from .base import source_dir
from .news_comments import load_c3

CLAIMBUSTER_FILE = "kfold_25ncs.json"
CLAIMBUSTER_BLOCK = 500
LABELLED_DIR = Path(__file__).resolve().parents[2] / "data" / "claims"
LABEL_FILES = {"eval": "eval_sentences.tsv", "dev": "dev_sentences.tsv",
               "train": "train_sentences.tsv"}
# Which C3 articles each labelled file's sentences come from.
ARTICLES = {"eval": "held_out", "dev": "training", "train": "training"}


@dataclass(frozen=True)
class ClaimSentence:
    text: str
    claim: int
    split: str  # "train", "dev" or "test"
    group: str  # the debate block or the C3 article
    about_person: int | None = None


def _unit(key: str) -> float:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") / 2**32


def claimbuster_split(sentence_id: int) -> str:
    u = _unit(f"claimbuster-block:{sentence_id // CLAIMBUSTER_BLOCK}")
    return "test" if u < 0.2 else "dev" if u < 0.3 else "train"


def load_claimbuster(data_dir: Path) -> list[ClaimSentence]:
    path = source_dir(data_dir, "claimbuster") / CLAIMBUSTER_FILE
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [ClaimSentence(str(row["text"]), int(row["label"]),
                              claimbuster_split(int(row["sentence_id"])),
                              f"block{int(row['sentence_id']) // CLAIMBUSTER_BLOCK}")
                for row in rows]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFormatError(f"{path}: not ClaimBuster's JSON list of sentences: {exc}") from exc


def sentence_key(sentence: str) -> str:
    return hashlib.sha256(sentence.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def c3_sentences(data_dir: Path, articles: str) -> list[tuple[str, str, str]]:
    """(key, article id, sentence) of every sentence of C3 comments on `articles`
    ("held_out": the evaluation articles; "training": the articles the rules train on)."""
    from ..corpus import is_calibration_article, is_held_out_article

    out = []
    for example in load_c3(data_dir):
        held = is_held_out_article(example.group)
        if (articles == "held_out") != held or is_calibration_article(example.group):
            continue
        for sentence in sentences(example.text):
            out.append((sentence_key(sentence), example.group, sentence))
    return out


def draw(data_dir: Path, which: str, n: int, salt: str = "draw1",
         skip_articles: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    """A reproducible sample of `n` sentences of 5 to 60 words for labelling `which` file:
    ordered by a hash of their key, each text once, at most 4 per article, none from
    `skip_articles`."""
    pool = sorted({s[0]: s for s in c3_sentences(data_dir, ARTICLES[which])
                   if 5 <= len(s[2].split()) <= 60}.values(),
                  key=lambda s: _unit(f"{salt}:{s[0]}"))
    per_article: dict[str, int] = {}
    picked = []
    for item in pool:
        if per_article.get(item[1], 0) >= 4 or item[1] in skip_articles:
            continue
        per_article[item[1]] = per_article.get(item[1], 0) + 1
        picked.append(item)
        if len(picked) == n:
            break
    return picked


def load_labelled(data_dir: Path, which: str) -> list[ClaimSentence]:
    """Our labelled comment sentences (`which` = "eval", "dev" or "train"), text read from
    C3."""
    path = LABELLED_DIR / LABEL_FILES[which]
    text_of = {key: (article, sentence)
               for key, article, sentence in c3_sentences(data_dir, ARTICLES[which])}
    out = []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header != ["key", "claim", "about_person"]:
            raise DataFormatError(f"{path}: header {header} is not key, claim, about_person")
        for number, line in enumerate(handle, 2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[1] not in ("0", "1") or fields[2] not in ("0", "1", ""):
                raise DataFormatError(f"{path} line {number}: {line.strip()!r} is not "
                                      "key, 0/1, 0/1/empty")
            if fields[0] not in text_of:
                raise DataFormatError(f"{path} line {number}: no C3 sentence has key "
                                      f"{fields[0]} (a different C3 file?)")
            article, sentence = text_of[fields[0]]
            out.append(ClaimSentence(sentence, int(fields[1]), which, article,
                                     int(fields[2]) if fields[2] else None))
    return out


def main(argv: list[str]) -> None:
    """`python -m moderation.loaders.claims eval 330`: the sentences to label, key and text.
    `train 600` draws with salt "train1" from articles that have no dev sentence, `train2 600`
    the next 600 with salt "train2" (other sentences than the first 600's)."""
    from ..settings import data_dir as default_data_dir

    root = Path(default_data_dir(None))
    which, n = argv[0], int(argv[1])
    if which in ("train", "train2"):
        skip = frozenset(s.group for s in load_labelled(root, "dev"))
        picked = draw(root, "train", n if which == "train" else 4 * n,
                      salt="train1" if which == "train" else "train2", skip_articles=skip)
        if which == "train2":  # the second 600: other sentences than the first 600's
            first = {line.split("\t")[0] for line in (LABELLED_DIR / LABEL_FILES["train"])
                     .read_text(encoding="utf-8").splitlines()[1:601]}
            picked = [p for p in picked if p[0] not in first][:n]
    else:
        picked = draw(root, which, n)
    for key, _, sentence in picked:
        print(f"{key}\t{sentence}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
