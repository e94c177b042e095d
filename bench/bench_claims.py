"""What the be_truthful claim model costs in the scoring path (issue 16).

Usage: python bench/bench_claims.py [--n 20000] [--runs 5] [--model-dir DIR]

Scores the same real news comments (C3 and ToxicSpans `comment_text`, shuffled with a fixed
seed, as bench_rules.py) with the saved rules model twice per run, alternately: as saved (the
claim model scores be_truthful sentence by sentence) and with the claim model detached (the
rules model alone, be_truthful not scored). Prints a markdown table of median comments/s over
`--runs` warm passes, the ratio, and `check()` p50/p99 on single comments.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from pathlib import Path

from bench_rules import load_texts

from moderation import settings
from moderation.hook import Moderator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    texts = load_texts(settings.data_dir())[:args.n]
    with_claims = Moderator.load(args.model_dir, freeze_gc=True)
    if with_claims.model.claims is None:
        raise SystemExit("this model has no claim model: retrain with `moderate train`")
    alone_model = copy.copy(with_claims.model)
    alone_model.__dict__.pop("_explain", None)
    alone_model.claims = None
    alone = Moderator(alone_model, with_claims.manifest)
    peers = {"rules + claims (as saved)": with_claims, "rules alone": alone}
    rates: dict[str, list[float]] = {name: [] for name in peers}
    latency: dict[str, list[float]] = {name: [] for name in peers}
    for moderator in peers.values():  # warm the caches once
        moderator.check_many(texts)
    for _ in range(args.runs):
        for name, moderator in peers.items():
            started = time.perf_counter()
            moderator.check_many(texts)
            rates[name].append(len(texts) / (time.perf_counter() - started))
    for name, moderator in peers.items():
        for text in texts[:2000]:
            started = time.perf_counter()
            moderator.check(text)
            latency[name].append((time.perf_counter() - started) * 1000)
    base = statistics.median(rates["rules alone"])
    print(f"{len(texts):,} comments, {args.runs} runs, medians\n")
    print("| scorer | check_many comments/s | vs rules alone | check() p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for name in peers:
        rate = statistics.median(rates[name])
        ms = sorted(latency[name])
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f}x | {ms[len(ms) // 2]:.2f} | "
              f"{ms[int(len(ms) * 0.99)]:.2f} |")


if __name__ == "__main__":
    main()
