"""Is the training corpus the same as before? One SHA-256 per part, in order, and row counts.

    python bench/corpus_fingerprint.py [--data-dir DIR] [--source-table]

Builds the corpus twice, as `moderate train` does (`build_corpus(data_dir)`) and as
bench/rules_dev.py does (`build_corpus(data_dir, hold_dev=True)`), and prints for each a
SHA-256 over every part, row by row in order:

- train: text, source, split, group, sorted labels (absent labels stay absent), and the
  sample weight `moderate train` gives the row (source weight times identity balance);
- evaluation, calibration and dev: text, source, split, group, sorted labels, per source;
- counts: `Corpus.counts` (the per-source numbers that go into the model's manifest).

Then the per-source rows trained. With `--source-table`, prints instead the README's table of
sources (moderation.corpus.source_table) with those row counts.

Used to show that a refactor of corpus.py (issue 13) leaves what the model is trained and
evaluated on unchanged: run before and after, compare the output. Loads every source: about a
minute per build on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from moderation.corpus import SOURCE_POLICY, Corpus, build_corpus, sample_weights, source_table
from moderation.loaders import Example
from moderation.settings import data_dir as default_data_dir


def _row(example: Example) -> list:
    return [example.text, example.source, example.split, example.group,
            sorted(example.labels.items())]


def _digest(rows: Iterable[list]) -> str:
    sha = hashlib.sha256()
    for row in rows:
        sha.update(json.dumps(row, ensure_ascii=False).encode())
        sha.update(b"\n")
    return sha.hexdigest()


def fingerprint(corpus: Corpus) -> dict[str, str]:
    """One hex digest per part of the corpus; equal digests mean equal rows in equal order."""
    weights = sample_weights(corpus.train)
    parts = {
        "train": _digest(_row(ex) + [float(w).hex()]
                         for ex, w in zip(corpus.train, weights, strict=True)),
        "calibration": _digest(_row(ex) for ex in corpus.calibration),
        "counts": _digest([[name, sorted(c.items())] for name, c in corpus.counts.items()]),
    }
    for name, rows in corpus.evaluation.items():
        parts[f"evaluation/{name}"] = _digest(_row(ex) for ex in rows)
    for name, rows in corpus.dev.items():
        parts[f"dev/{name}"] = _digest(_row(ex) for ex in rows)
    parts["all"] = _digest([[k, v] for k, v in parts.items()])
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--source-table", action="store_true",
                        help="print the README's table of sources and nothing else")
    args = parser.parse_args()
    data = args.data_dir or default_data_dir()
    if args.source_table:
        trained = Counter(ex.source for ex in build_corpus(data).train)
        print(source_table({name: trained[name] for name in SOURCE_POLICY}))
        return
    for title, hold_dev in (("moderate train", False), ("hold_dev=True", True)):
        corpus = build_corpus(data, hold_dev=hold_dev)
        print(f"## build_corpus as {title}: {len(corpus.train)} rows trained")
        for part, digest in fingerprint(corpus).items():
            print(f"{digest}  {part}")
        per_source = Counter(ex.source for ex in corpus.train)
        for name, n in per_source.items():
            print(f"{n:>8}  trained from {name}")
        print()


if __name__ == "__main__":
    main()
