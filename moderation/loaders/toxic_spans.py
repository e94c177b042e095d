"""ToxicSpans: Civil Comments news-site posts, every one pre-selected as toxic, with typed spans.

A post's type label is the share of its raters who marked a span of that type: at least half
gives 1, none gives 0, a minority leaves it unknown. Posts most raters ticked "not toxic" leave
`toxic` unknown; the rest are toxic=1. There are no non-toxic negatives here.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .base import Example, read_csv, source_dir

SPAN_TYPES = {
    "Insult": "insult",
    "Threat": "threat",
    "Profane/Obscene": "obscene",
    "Identity based Attack": "identity_hate",
}


COMMENTS_FILE = "comments.csv"  # in toxic_spans/; the splitter's assembled pages read it too


def load_toxic_spans(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "toxic_spans")
    raters: dict[str, set[str]] = defaultdict(set)
    not_toxic: dict[str, int] = defaultdict(int)
    post_of: dict[str, str] = {}
    for row in read_csv(root / "annotations.csv"):
        raters[row["comment_id"]].add(row["annotation"])
        post_of[row["annotation"]] = row["comment_id"]
        not_toxic[row["comment_id"]] += row["not toxic"] == "True"
    marked: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in read_csv(root / "spans.csv"):
        label = SPAN_TYPES.get(row["type"].strip())
        post = post_of.get(row["annotation"])
        if label and post:
            marked[(post, label)].add(row["annotation"])
    examples: list[Example] = []
    for row in read_csv(root / COMMENTS_FILE):
        post = row["comment_id"]
        n = len(raters.get(post, ()))
        if n == 0:
            continue
        labels: dict[str, int] = {}
        for label in SPAN_TYPES.values():
            share = len(marked.get((post, label), ())) / n
            if share >= 0.5:
                labels[label] = 1
            elif share == 0:
                labels[label] = 0
        if not_toxic[post] * 2 <= n:
            labels["toxic"] = 1
        examples.append(Example(row["comment_text"], labels, "toxic_spans", group=post))
    return examples
