"""How much of a comment the normaliser reads back after each evasion rewrite, on dev rows only.

No model: for each rewrite of moderation.perturb, the share of a comment's clean tokens
(`tokenize(text)`) that are still among the tokens of the rewritten text (multiset overlap),
over all tokens and over the rewrite's *target* tokens alone (the clean tokens of words in
ATTACK_WORDS, the ones an attacker disguises). Rows: the toxic rows of the Jigsaw train dev
tenth (both Jigsaw sources) that bench/rules_dev.py holds out (never the official test rows, which
`moderate evaluate --perturb` reports on), so the normaliser can be tuned here without reading
the evaluation set.

Usage: python bench/normalize_dev.py [--rows 3000] [--show REWRITE]
`--show` prints the rows of one rewrite whose target tokens were lost, to read them.
"""

from __future__ import annotations

import argparse
import time
import zlib
from collections import Counter

from moderation import settings
from moderation.loaders import load_jigsaw_khanhhk, load_jigsaw_predibase
from moderation.normalize import tokenize
from moderation.perturb import ATTACK_WORDS, REWRITES, perturb

JIGSAW_DEV = 0.1  # the same tenth as bench/rules_dev.py


def _dev_rows(limit: int) -> list[str]:
    data = settings.data_dir()
    examples = load_jigsaw_predibase(data) + load_jigsaw_khanhhk(data)
    rows = {ex.text: None for ex in examples
            if ex.split != "test" and ex.labels.get("toxic") == 1
            and zlib.crc32(ex.text.encode()) / 2**32 < JIGSAW_DEV}
    return list(rows)[:limit]


def _overlap(clean: Counter, seen: Counter) -> int:
    return sum(min(n, seen[t]) for t, n in clean.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--show", default="")
    args = parser.parse_args()
    texts = _dev_rows(args.rows)
    clean = [Counter(tokenize(t)) for t in texts]
    targets = [Counter({t: n for t, n in c.items() if t in ATTACK_WORDS}) for c in clean]
    print(f"{len(texts)} toxic dev rows of Jigsaw train")
    print(f"{'rewrite':10} {'all tokens':>10} {'targets':>8} {'ms':>6}")
    for name in REWRITES:
        start = time.perf_counter()
        rewritten = perturb(texts, name)
        seen = [Counter(tokenize(t)) for t in rewritten]
        ms = (time.perf_counter() - start) * 1000
        total = sum(sum(c.values()) for c in clean)
        kept = sum(_overlap(c, s) for c, s in zip(clean, seen, strict=True)) / total
        total_targets = sum(sum(t.values()) for t in targets)
        kept_targets = sum(_overlap(t, s) for t, s in zip(targets, seen, strict=True))
        kept_targets /= max(total_targets, 1)
        print(f"{name:10} {kept:10.3f} {kept_targets:8.3f} {ms:6.0f}")
        if name == args.show:
            for text, t, s in zip(rewritten, targets, seen, strict=True):
                if _overlap(t, s) < sum(t.values()):
                    lost = sorted((t - s).elements())
                    print(f"  lost {lost}: {text[:160]!r}")


if __name__ == "__main__":
    main()
