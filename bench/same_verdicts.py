"""Do two models (or two versions of the code) give the same verdicts on real comments?

    python bench/same_verdicts.py record verdicts.json [-m models]
    python bench/same_verdicts.py compare verdicts.json [-m models]

`record` scores up to 2,000 real comments from each of the Jigsaw official test rows, C3 and
GHC's test file (a fixed sample, 5,200 in all: Jigsaw has 1,200) with the model in `-m` and
saves every score, action and reason; `compare` scores the same texts again and prints the
largest score difference and how many actions and reason lists differ. Used to show that a
refactor leaves scores unchanged (issue 13): record before, retrain, compare after.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from moderation import Moderator
from moderation.loaders.samples import real_comment_sample
from moderation.settings import data_dir

PER_SET = 2000


def sample_texts() -> list[str]:
    return real_comment_sample(data_dir(), PER_SET)


def verdicts(models: Path, texts: list[str]) -> list[dict]:
    moderator = Moderator.load(models)
    return [{"scores": v["scores"], "action": v["action"], "reasons": v["reasons"]}
            for v in moderator.check_many(texts)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["record", "compare"])
    parser.add_argument("file", type=Path)
    parser.add_argument("-m", "--models", type=Path, default=Path("models"))
    args = parser.parse_args()
    texts = sample_texts()
    now = verdicts(args.models, texts)
    if args.mode == "record":
        args.file.write_text(json.dumps({"texts": texts, "verdicts": now}))
        print(f"recorded {len(now)} verdicts to {args.file}")
        return 0
    saved = json.loads(args.file.read_text())
    if saved["texts"] != texts:
        print("the sample of texts differs from the recorded one", file=sys.stderr)
        return 2
    worst = 0.0
    actions = reasons = 0
    for before, after in zip(saved["verdicts"], now, strict=True):
        for rule, score in before["scores"].items():
            other = after["scores"].get(rule)
            if (score is None) != (other is None):
                worst = math.inf
            elif score is not None:
                worst = max(worst, abs(score - other))
        actions += before["action"] != after["action"]
        reasons += before["reasons"] != after["reasons"]
    print(f"{len(now)} comments: largest score difference {worst:.2e}, "
          f"{actions} actions differ, {reasons} reason lists differ")
    return 0 if worst < 1e-9 and not actions and not reasons else 1


if __name__ == "__main__":
    sys.exit(main())
