"""Hostile comments: time to score 8 KiB and 64 KiB adversarial comments, beside real ones.

    python bench/bench_hostile.py [--model models/] [--runs 5]

For each adversarial unit (repeated to 8 KiB and to 64 KiB) it prints the median time of
`Moderator.check` with cold caches, the 64/8 ratio (8 for linear growth), and, as a peer in the
same run, the median time of a 64 KiB real-looking comment (real comments joined) and
alt-profanity-check on the same 64 KiB text when it is installed (`pip install -e '.[bench]'`).
Issue 9's target: one 64 KiB comment well under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from moderation import Moderator

UNITS = {
    "1$ (leet pairs)": "1$",
    "a. (dotted letters)": "a.",
    "* (stars)": "*",
    "f* (masked start)": "f*",
    "'a ' (spaced letters)": "a ",
    "a.b": "a.b",
    "аaоo (look-alikes)": "аaоo",
    "&amp;": "&amp;",
    "a<zero-width>": "a\u200b",
    "<< (angle brackets)": "<<",
}
REAL = ("The council voted 5-2 to approve the budget, and I think that was a mistake. "
        "My neighbour was there that night and saw the whole thing happen. ")


def _text(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _median_ms(fn, text: str, runs: int, reset=None) -> float:
    times = []
    for _ in range(runs):
        if reset is not None:
            reset()
        started = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    moderator = Moderator.load(args.model)
    scorer = moderator.model.scorer

    def reset() -> None:  # cold caches, outside the timed part
        from moderation import normalize

        normalize._WORD_CACHE.clear()
        scorer.clear_caches()

    try:
        from profanity_check import predict_prob

        def peer(text: str) -> None:
            predict_prob([text])
    except ImportError:
        peer = None

    print(f"{'input':<24}{'8 KiB ms':>10}{'64 KiB ms':>11}{'ratio':>8}{'peer 64 KiB ms':>16}")
    for name, unit in [*UNITS.items(), ("real comments joined", REAL)]:
        small = _median_ms(moderator.check, _text(unit, 8 * 1024), args.runs, reset)
        large = _median_ms(moderator.check, _text(unit, 64 * 1024), args.runs, reset)
        other = (f"{_median_ms(peer, _text(unit, 64 * 1024), args.runs):>16.1f}"
                 if peer else f"{'-':>16}")
        print(f"{name:<24}{small:>10.2f}{large:>11.2f}{large / max(small, 1e-3):>8.1f}{other}")


if __name__ == "__main__":
    main()
