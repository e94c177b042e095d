"""A committed model and the verdicts it gave when it was saved, so that a change to the
scoring path that moves any score is caught (issue 13: scores identical before and after).

`tests/fixtures/saved_model/` holds a rules model trained on the fixture corpus (small, arrays
and a manifest like any model) and its verdicts on two sets of comments: the fixture corpus
with the edge cases of `test_fast` (always checked) and 3,000 real comments sampled from the
shared data (checked where the data is present; only their scores are committed, never the
texts). Regenerate, deliberately, after a change that is meant to move scores or that changes
the model format:

    python -m tests.saved_model
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from moderation.loaders.samples import real_comment_sample
from moderation.rule_model import RulesModel
from moderation.settings import data_dir

SAVED = Path(__file__).resolve().parent / "fixtures" / "saved_model"
MODEL = SAVED / "rules.npz"
FIXTURE_VERDICTS = SAVED / "verdicts_fixture.json"
REAL_VERDICTS = SAVED / "verdicts_real.json.gz"
PER_SET = 1000


def real_sample(data: Path) -> list[str]:
    """1,000 comments from each of the Jigsaw official test rows, C3 and GHC's test file."""
    return real_comment_sample(data, PER_SET)


def verdicts_of(model: RulesModel, texts: list[str]) -> list[dict[str, Any]]:
    """What is compared: every score, the action and the reasons (texts left out)."""
    return [{"scores": v["scores"], "action": v["action"], "reasons": v["reasons"]}
            for v in model.verdicts(texts)]


def read_verdicts(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def main() -> None:
    from moderation.model_files import load_rules_model

    from . import conftest
    from .test_fast import EDGE_CASES

    corpus = conftest.load_fixture_comments()
    trained = conftest.train_fixture_model(corpus)
    SAVED.mkdir(parents=True, exist_ok=True)
    conftest._save_rules_model(SAVED, trained)
    model, _ = load_rules_model(MODEL)
    fixture_texts = [ex.text for ex in corpus] + EDGE_CASES
    FIXTURE_VERDICTS.write_text(json.dumps(verdicts_of(model, fixture_texts)))
    print(f"saved {MODEL} and {len(fixture_texts)} fixture verdicts")
    data = data_dir()
    if data.is_dir() and any(data.iterdir()):
        texts = real_sample(data)
        payload = json.dumps(verdicts_of(model, texts)).encode("utf-8")
        with gzip.GzipFile(REAL_VERDICTS, "wb", mtime=0) as handle:  # same bytes, same file
            handle.write(payload)
        print(f"saved {len(texts)} real verdicts")


if __name__ == "__main__":
    main()
