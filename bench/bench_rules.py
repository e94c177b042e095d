"""Benchmark the rules model against alt-profanity-check on the same real news comments.

Usage: python bench/bench_rules.py [--skip-train] [--n 20000] [--runs 5] [--model-dir DIR]
(or `make bench`). Prints one markdown table; each figure is a median over `--runs` runs unless
the row says otherwise, and the two models are timed alternately in the same process so that
they share the machine's noise. Texts: `comment_text` of c3/C3_anonymized.csv and
toxic_spans/comments.csv (read with the csv module from moderation.settings.data_dir()),
shuffled with a fixed seed; the first `--n` are the batch sample, the next `--latency-n` the
held-out texts for single-comment latency on words not seen before.

Rows:
- training: wall time of `moderate train --only rules` (one run; it rewrites the model dir).
- model size, load time (`Moderator.load`, median of `--runs` loads: in this process, and the
  import and first load in a new process, which also loads the compiled kernels from numba's
  cache).
- batch throughput of `Moderator.check_many` (reasons on, the public default, and off); the
  first (cold-cache) pass is reported apart from the median of the warm passes.
- the same with `Moderator.load(n_jobs=2)`: half the texts scored in this process, half in
  one worker process (moderation.workers).
- `check()` latency p50/p99 over single comments, on the sample (warm caches) and on held-out
  texts.
- peak RSS of this process after the rules model runs (before alt-profanity-check is loaded).
- alt-profanity-check `predict_prob`: batch throughput and single-comment latency, same texts.
- optionally (`--reference`) the scikit-learn reference pipeline rebuilt from the model's
  weights, on the first 5,000 texts.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from moderation import settings


def load_texts(data: Path) -> list[str]:
    csv.field_size_limit(1 << 30)
    texts: list[str] = []
    for path in (data / "c3" / "C3_anonymized.csv", data / "toxic_spans" / "comments.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            texts += [row["comment_text"] for row in csv.DictReader(handle)
                      if row.get("comment_text")]
    random.Random(0).shuffle(texts)
    return texts


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import scipy
    import sklearn

    return (f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, scipy {scipy.__version__}, "
            f"scikit-learn {sklearn.__version__}")


def timed(fn: Any, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def latencies(fn: Any, texts: list[str]) -> tuple[float, float]:
    """p50, p99 in ms of fn(text) over texts."""
    out = []
    gc.collect()
    for text in texts:
        start = time.perf_counter()
        fn(text)
        out.append(time.perf_counter() - start)
    out.sort()
    return 1e3 * out[len(out) // 2], 1e3 * out[min(len(out) - 1, int(0.99 * len(out)))]


def first_load(model_dir: Path) -> float:
    """Seconds of `import moderation` and the first Moderator.load in a new Python process
    (together: since issue 13 the heavy libraries are imported by the load, not the import)."""
    code = ("import sys, time; t = time.perf_counter(); from moderation import Moderator; "
            "Moderator.load(sys.argv[1]); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code, str(model_dir)], check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def train(model_dir: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["moderate", "train", "--only", "rules", "--out", str(model_dir)], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def reference_pipeline(scorer: Any) -> Any:
    """The scikit-learn reference (FeatureUnion + RuleClassifiers) with the model's weights."""
    import numpy as np
    from sklearn.pipeline import Pipeline

    from moderation.classifiers import RuleClassifiers
    from moderation.features import build_features

    union = build_features(scorer.spec)
    for (_, vectorizer), terms, idf in (
            (union.transformer_list[0], scorer.word_terms, scorer.idf[:scorer.n_word]),
            (union.transformer_list[1], scorer.char_terms, scorer.idf[scorer.n_word:])):
        vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms)}
        vectorizer.idf_ = idf
    rules = RuleClassifiers()
    rules.coef_, rules.intercept_ = scorer.coef, scorer.intercept
    rules.scored_, rules.n_features_in_ = scorer.scored, scorer.coef.shape[0]
    pipeline = Pipeline([("features", union), ("rules", rules)])
    assert np.allclose(np.nan_to_num(pipeline.predict_proba(["you idiot", "nice piece"])),
                       np.nan_to_num(scorer.predict_proba(["you idiot", "nice piece"])))
    return pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-train", action="store_true", help="do not time training")
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--n", type=int, default=20_000, help="batch sample size")
    parser.add_argument("--latency-n", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-procs", action="store_true", help="skip the 2-process run")
    parser.add_argument("--reference", action="store_true",
                        help="also time the scikit-learn reference pipeline (slow)")
    args = parser.parse_args()
    model_dir = settings.model_dir(args.model_dir)
    rows: list[tuple[str, str, str]] = []

    if not args.skip_train:
        rows.append(("training, `moderate train --only rules` (1 run)",
                     f"{train(model_dir):.0f} s", ""))

    from moderation.hook import Moderator

    texts = load_texts(settings.data_dir())
    sample, held_out = texts[:args.n], texts[args.n:args.n + args.latency_n]
    n = len(sample)
    size = (model_dir / settings.RULES_MODEL_NAME).stat().st_size
    rows.append(("rules model file", f"{size / 1e6:.1f} MB", ""))
    loads = [timed(Moderator.load, model_dir) for _ in range(args.runs)]
    rows.append(("`Moderator.load`, again in the same process", f"{statistics.median(loads):.2f} s",
                 ""))
    fresh = [first_load(model_dir) for _ in range(args.runs)]
    rows.append(("import + first `Moderator.load` in a new process (kernels from numba's cache)",
                 f"{statistics.median(fresh):.2f} s", ""))

    moderator = Moderator.load(model_dir, freeze_gc=True)  # as `moderate score` and serve do
    cold = timed(moderator.check_many, sample)
    rows.append(("`check_many`, first pass (cold caches), reasons on", f"{n / cold:,.0f}/s", ""))

    from profanity_check import predict_prob

    predict_prob(sample[:100])
    ours_on, ours_off, theirs = [], [], []
    for _ in range(args.runs):
        ours_on.append(timed(moderator.check_many, sample))
        ours_off.append(timed(lambda t: moderator.check_many(t, reasons=False), sample))
        theirs.append(timed(predict_prob, sample))
    theirs_rate = n / statistics.median(theirs)
    for label, runs in (("reasons on (default)", ours_on), ("reasons off", ours_off)):
        rate = n / statistics.median(runs)
        rows.append((f"`check_many` throughput, {label}, 1 process", f"{rate:,.0f}/s",
                     f"{rate / theirs_rate:.2f}x"))

    # The same without gc.freeze() (freeze_gc=False, the library default): what it saves.
    gc.unfreeze()
    unfrozen = [timed(moderator.check_many, sample) for _ in range(args.runs)]
    gc.freeze()
    rate = n / statistics.median(unfrozen)
    rows.append(("`check_many` throughput, reasons on, 1 process, `freeze_gc=False`",
                 f"{rate:,.0f}/s", f"{rate / theirs_rate:.2f}x"))

    if not args.no_procs:
        parallel = Moderator.load(model_dir, n_jobs=2)  # this process + 1 worker process
        parallel.check_many(sample)  # start the worker and warm both processes' caches
        for label, reasons in (("reasons on", True), ("reasons off", False)):
            runs = [timed(lambda r=reasons: parallel.check_many(sample, reasons=r))
                    for _ in range(args.runs)]
            rate = n / statistics.median(runs)
            rows.append((f"`check_many` throughput, {label}, `Moderator.load(n_jobs=2)`",
                         f"{rate:,.0f}/s", f"{rate / theirs_rate:.2f}x"))
        parallel.close()

    lat = latencies(moderator.check, sample[:args.latency_n])
    lat_new = latencies(moderator.check, held_out)
    their_lat = latencies(lambda t: predict_prob([t]), sample[:args.latency_n])
    rows.append(("`check()` latency p50 / p99, sample texts",
                 f"{lat[0]:.3f} / {lat[1]:.3f} ms", ""))
    rows.append(("`check()` latency p50 / p99, held-out texts",
                 f"{lat_new[0]:.3f} / {lat_new[1]:.3f} ms", ""))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS (ours: data + model + runs)", f"{rss:.0f} MB", ""))
    rows.append(("alt-profanity-check `predict_prob` throughput", f"{theirs_rate:,.0f}/s",
                 "1.00x"))
    rows.append(("alt-profanity-check latency p50 / p99",
                 f"{their_lat[0]:.3f} / {their_lat[1]:.3f} ms", ""))

    if args.reference:
        pipeline = reference_pipeline(moderator.model.scorer)
        few = sample[:5000]
        pipeline.predict_proba(few)
        runs = [timed(pipeline.predict_proba, few) for _ in range(max(1, args.runs // 2))]
        rate = len(few) / statistics.median(runs)
        rows.append(("scikit-learn reference pipeline, scores only (5,000 texts)",
                     f"{rate:,.0f}/s", f"{rate / theirs_rate:.2f}x"))

    print(f"Machine: {machine()}")
    print(f"Sample: {n:,} comments (c3 + toxic_spans, mean {sum(map(len, sample)) / n:.0f} "
          f"chars), {args.runs} runs each; ratio = ours / alt-profanity-check, same run.")
    print()
    print("| measure | value | vs alt-profanity-check |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
