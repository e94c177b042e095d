"""Tweet and forum sources: Davidson, OLID, EDOS, ETHOS, HateXplain.

They draw their lines in other places than Jigsaw, so each speaks only for the labels it can:
Davidson and HateXplain "offensive" is profanity- and slur-heavy but not an identity attack;
EDOS is about sexism only, so its negatives say nothing about threats or other -isms; OLID's
TIN mixes insults with threats. Loaders map what the source says and no more; which of it is
trained on (fewer labels still, or only the 1s) is SOURCE_POLICY in moderation.corpus.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .base import Example, all_clean, read_csv, source_dir, with_toxic


def _hate_offensive_clean(kind: str) -> dict[str, int]:
    """Labels for the hate / offensive / neither scheme of Davidson and HateXplain."""
    if kind == "clean":
        return all_clean()
    if kind == "hate":
        return with_toxic({"identity_hate": 1})
    return {"toxic": 1}  # offensive, not hate: it may still be an insult


def load_davidson(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "davidson")
    kinds = {0: "hate", 1: "offensive", 2: "clean"}
    return [Example(row["tweet"], _hate_offensive_clean(kinds[int(row["class"])]), "davidson")
            for row in read_csv(root / "labeled_data.csv")]


def _olid_labels(subtask_a: str) -> dict[str, int]:
    return all_clean() if subtask_a == "NOT" else {"toxic": 1}


def load_olid(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "olid")
    examples: list[Example] = []
    with open(root / "olid-training-v1.0.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            examples.append(Example(row["tweet"], _olid_labels(row["subtask_a"]), "olid",
                                    meta={"subtask_a": row["subtask_a"]}))
    with open(root / "labels-levela.csv", encoding="utf-8", newline="") as handle:
        gold = {rid: label for rid, label in csv.reader(handle)}
    with open(root / "testset-levela.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            label = gold[row["id"]]
            examples.append(Example(row["tweet"], _olid_labels(label), "olid", "test",
                                    meta={"subtask_a": label}))
    return examples


def load_edos(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "edos")
    examples: list[Example] = []
    for row in read_csv(root / "edos_labelled_aggregated.csv"):
        labels: dict[str, int] = {}
        if row["label_sexist"] == "sexist":
            labels["identity_hate"] = 1
            vector = row["label_vector"]
            if vector.startswith(("1.1", "1.2")):
                labels["threat"] = 1
            if vector.startswith("2.3"):
                labels["sexual_explicit"] = 1
            with_toxic(labels)
        split = "test" if row["split"] == "test" else "train"
        examples.append(Example(row["text"], labels, "edos", split,
                                meta={"label_sexist": row["label_sexist"]}))
    return examples


def load_ethos(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "ethos")
    violence: dict[str, float] = {}
    for row in read_csv(root / "Ethos_Dataset_Multi_Label.csv", delimiter=";"):
        violence[row["comment"]] = float(row["violence"])
    examples: list[Example] = []
    for row in read_csv(root / "Ethos_Dataset_Binary.csv", delimiter=";"):
        hate = float(row["isHate"])
        if hate >= 0.5:
            labels = {"identity_hate": 1}
            if row["comment"] in violence:
                labels["threat"] = int(violence[row["comment"]] >= 0.5)
            with_toxic(labels)
        elif hate == 0:
            labels = {"identity_hate": 0}
        else:
            continue
        examples.append(Example(row["comment"], labels, "ethos"))
    return examples


def load_hatexplain(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "hatexplain_magpie")
    kinds = {0: "clean", 1: "offensive", 2: "hate"}
    return [Example(row["text"], _hate_offensive_clean(kinds[int(row["label"])]),
                    "hatexplain_magpie")
            for row in read_csv(root / "preprocessed.csv")]
