"""News-comment sources with constructiveness: C3 and SFU CTC (both Globe and Mail, via SOCC).

C3 gives `constructive`, the `personal_story` and `evidence` traits (two or more raters naming
the trait give 1, none gives 0, a single rater leaves it unknown), and a mild toxicity scale:
mean rating < 1.5 is clean, >= 2.5 toxic, between is unknown; two or more raters naming
`personal_attack` make it an insult. Every C3 row keeps its article id as `group` so that
evaluation can hold out whole articles, and its `crowd_toxicity_level` in `meta` (comments under
2 are the acceptable ones on which review thresholds are set).
SFU CTC gives `constructive` and a 1-4 toxicity answer (1 clean, 3-4 toxic, 2 unknown).
"""

from __future__ import annotations

from pathlib import Path

from .base import Example, all_clean, read_csv, source_dir


def _votes(cell: str) -> dict[str, int]:
    votes: dict[str, int] = {}
    for item in cell.splitlines():
        name, _, count = item.partition(":")
        if count.strip().isdigit():
            votes[name.strip()] = int(count)
    return votes


C3_FILE = "C3_anonymized.csv"  # in c3/; the splitter's assembled pages read it too
SFU_CTC_FILE = "SFU_constructiveness_toxicity.csv"  # in sfu_ctc/


def load_c3(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "c3")
    examples: list[Example] = []
    for row in read_csv(root / C3_FILE):
        labels: dict[str, int] = {}
        level = float(row["crowd_toxicity_level"] or "nan")
        if level < 1.5:
            labels.update(all_clean())
        elif level >= 2.5:
            labels["toxic"] = 1
        if _votes(row["toxicity_characteristics"]).get("personal_attack", 0) >= 2:
            labels["insult"] = labels["toxic"] = 1
        traits = _votes(row["constructive_characteristics"])
        for trait in ("personal_story", "evidence"):
            votes = traits.get(trait, 0)
            if votes != 1:  # one rater alone leaves the trait unknown
                labels[trait] = int(votes >= 2)
        if row["constructive_binary"] in ("0.0", "1.0"):
            labels["constructive"] = int(float(row["constructive_binary"]))
        examples.append(Example(row["comment_text"], labels, "c3", group=row["article_id"],
                                meta={"crowd_toxicity_level": row["crowd_toxicity_level"]}))
    return examples


def load_sfu_ctc(data_dir: Path) -> list[Example]:
    root = source_dir(data_dir, "sfu_ctc")
    examples: list[Example] = []
    for row in read_csv(root / SFU_CTC_FILE):
        labels: dict[str, int] = {}
        toxic = row["is_toxic_popular_answer_1"].strip()
        if toxic == "1":
            labels.update(all_clean())
        elif toxic in ("3", "4"):
            labels["toxic"] = 1
        if row["is_constructive"] in ("yes", "no"):
            labels["constructive"] = int(row["is_constructive"] == "yes")
        examples.append(Example(row["comment"], labels, "sfu_ctc", group=row.get("url", "")))
    return examples
