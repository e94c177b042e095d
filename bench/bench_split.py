"""Time `SplitterModel.split` on a ~1 MB page (median of several runs) and print a table.

Usage: python bench/bench_split.py [MODEL] [--runs N] [--real]. MODEL defaults to the saved
splitter; without one, the default splitter is trained first (not timed). The page is made of
held-out assembled pages (documents never seen in training) concatenated up to 1 MB, or with
--real of held-out real dragnet pages rendered by html-text.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from moderation import settings
from moderation.model_files import load_splitter
from moderation.splitter import SplitterModel, train_splitter
from moderation.splitter.pages import build_pages, split_sources
from moderation.splitter.sources import load_sources

TARGET = 1_000_000


def make_page(seed: int = 0) -> str:
    src = load_sources(settings.data_dir(), seed=seed, scale=0.3)
    _, test = split_sources(src, seed)
    parts: list[str] = []
    size = 0
    batch = 0
    while size < TARGET:
        for page in build_pages(test, 50, seed + 100 + batch):
            parts.append(page.text)
            size += len(page.text.encode("utf-8")) + 2
            if size >= TARGET:
                break
        batch += 1
    return "\n\n".join(parts)


def make_real_page() -> str:
    from moderation.splitter.dragnet import HELD_OUT_FOLD, real_pages

    parts: list[str] = []
    size = 0
    for page in real_pages(settings.data_dir(), "html_text", {HELD_OUT_FOLD}):
        parts.append(page.text)
        size += len(page.text.encode("utf-8")) + 2
        if size >= TARGET:
            break
    return "\n\n".join(parts)


def get_model(path: Path | None) -> SplitterModel:
    path = path or settings.model_dir() / settings.SPLITTER_MODEL_NAME
    if path.exists():
        model, _ = load_splitter(path)
        return model
    print(f"no model at {path}; training the default splitter first")
    model, _ = train_splitter(settings.data_dir())
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real", action="store_true", help="held-out real pages")
    args = parser.parse_args()
    model = get_model(args.model)
    page = make_real_page() if args.real else make_page()
    n_bytes = len(page.encode("utf-8"))
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        rows = model.split(page)
        times.append(time.perf_counter() - start)
    print(f"{'page bytes':<16}{n_bytes:>12,}")
    print(f"{'lines':<16}{page.count(chr(10)) + 1:>12,}")
    print(f"{'non-empty lines':<16}{len(rows):>12,}")
    print(f"{'runs':<16}{args.runs:>12}")
    print(f"{'median s':<16}{statistics.median(times):>12.3f}")
    print(f"{'min s':<16}{min(times):>12.3f}")
    print(f"{'max s':<16}{max(times):>12.3f}")


if __name__ == "__main__":
    main()
