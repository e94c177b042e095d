"""Time `SplitterModel.split` on a ~1 MB page (median of several runs) and print a table.

Usage: python bench/bench_split.py [MODEL] [--runs N] [--real]. MODEL defaults to the saved
splitter; without one, the default splitter is trained first (not timed). The page is made of
held-out assembled pages (documents never seen in training) concatenated up to 1 MB, or with
--real of held-out real dragnet pages rendered by html-text.

The peer, timed in the same runs (alternating with the splitter): alt-profanity-check's
`predict_prob` over the same page's non-empty lines, the one-pass word-unigram scorer the other
benches compare with (`pip install -e '.[bench]'`). The issue's target is absolute (1 MB under
1 s), but these shared machines run at half speed some hours: the ratio tells a slow box from
a slow splitter.
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


def peer_scorer():
    try:
        from profanity_check import predict_prob
    except ImportError:
        print("alt-profanity-check is not installed: no peer timed (pip install -e '.[bench]')")
        return None
    return predict_prob


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real", action="store_true", help="held-out real pages")
    args = parser.parse_args()
    model = get_model(args.model)
    page = make_real_page() if args.real else make_page()
    n_bytes = len(page.encode("utf-8"))
    peer = peer_scorer()
    lines = [line for line in page.splitlines() if line.strip()]
    if peer is not None:
        peer(lines[:100])  # its first call loads the model
    times, peer_times = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        rows = model.split(page)
        times.append(time.perf_counter() - start)
        if peer is not None:
            start = time.perf_counter()
            peer(lines)
            peer_times.append(time.perf_counter() - start)
    print(f"page: {n_bytes:,} bytes, {page.count(chr(10)) + 1:,} lines, {len(rows):,} non-empty; "
          f"{args.runs} runs\n")
    print("| run | median s | min s | max s |")
    print("|---|---|---|---|")
    for name, ts in (("splitter `split`", times), ("alt-profanity-check on the lines", peer_times)):
        if ts:
            print(f"| {name} | {statistics.median(ts):.3f} | {min(ts):.3f} | {max(ts):.3f} |")
    if peer_times:
        print(f"\nsplitter / peer, median of per-run ratios: "
              f"{statistics.median(a / b for a, b in zip(times, peer_times, strict=True)):.2f}x")


if __name__ == "__main__":
    main()
