"""Benchmark `score_archive` on a local Dask cluster against single-process `check_many`.

Usage: python bench/bench_archive.py [--n 1000000] [--workers 2] [--partition-rows 50000]
                                     [--rounds 1] [--model-dir DIR] [--work-dir DIR] [--keep]

Texts: real news comments (`load_c3` + `load_toxic_spans` from moderation.settings.data_dir()),
resampled with replacement to `--n` rows with seed 0 and written to Parquet (`row_id`, `text`;
one row group per partition) before anything is timed. Then, `--rounds` times in the same
run, one peer after the other (this VM's speed drifts by minutes, so a ratio is only fair
between peers timed back to back, and one round's ratio moves by +-0.15x):

- single process: a new process (spawned: caches cold, as a worker's are) reads the rows,
  `Moderator.load(model)`, then `check_many(batch, reasons=False)` over all rows in batches
  of `--partition-rows` (the same batches the cluster scores), timed;
- cluster: a fresh `LocalCluster` as score-archive starts it (moderation.archive.local_cluster:
  `--workers` single-threaded worker processes on 127.0.0.1; start-up timed apart), the model
  loaded on each worker (the plugin score_archive registers; timed apart, as the single
  process's load is), then `score_archive(..., client=...)` timed end to end: planning
  (reading and hashing the input), reading, scoring (reasons off), writing the Parquet output.
  Peak RSS of each worker process (VmHWM) afterwards.

Prints one markdown table, a row per round, and the median ratio over the rounds; the ratio is
cluster rows/s over single-process rows/s.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def build_input(path: Path, n: int, rows_per_group: int) -> tuple[list[str], float]:
    from moderation import settings
    from moderation.loaders import load_c3, load_toxic_spans

    data = settings.data_dir()
    pool = [ex.text for ex in load_c3(data) + load_toxic_spans(data) if ex.text.strip()]
    rng = np.random.default_rng(0)
    texts = [pool[i] for i in rng.integers(0, len(pool), n)]
    pq.write_table(pa.table({"row_id": np.arange(n, dtype=np.int64), "text": texts}), path,
                   row_group_size=rows_per_group)
    return texts, sum(map(len, texts)) / n


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: per process image, unlike ru_maxrss,
    which a spawned worker inherits from the process that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_single(source: Path, model_dir: Path, size: int) -> dict[str, float]:
    """Run in a fresh process (module-level caches cold, as a new process has): one Moderator
    scores every row of `source` with `check_many` in batches of `size`."""
    from moderation.hook import Moderator

    texts = pq.read_table(source, columns=["text"]).column("text").to_pylist()
    moderator = Moderator.load(model_dir, freeze_gc=True)  # as the local cluster's workers do
    moderator.check_many(texts[:1000], reasons=False)  # warm up (compiled kernels loaded)
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), size):
        moderator.check_many(texts[i:i + size], reasons=False)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "rss": peak_rss_mb()}


def time_single_in_new_process(source: Path, model_dir: Path, size: int) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(time_single, source, model_dir, size).result()


def time_cluster(source: Path, output: Path, model_dir: Path, workers: int, size: int
                 ) -> dict[str, Any]:
    """A fresh LocalCluster as score-archive starts it: start-up, model load on the workers and
    the run itself timed apart."""
    from distributed import Client

    from moderation.archive import ModelPlugin, local_cluster, score_archive
    from moderation.model_files import load_rules_model, rules_model_path

    shutil.rmtree(output, ignore_errors=True)
    start = time.perf_counter()
    cluster = local_cluster(workers)
    client = Client(cluster)
    startup = time.perf_counter() - start
    try:
        # the plugin score_archive registers (same name): each worker loads the model now
        # (register_plugin returns once every worker's setup has run)
        directory = rules_model_path(Path(model_dir).resolve()).parent
        sha = load_rules_model(rules_model_path(directory))[1]["sha256"]
        start = time.perf_counter()
        # freeze_gc as on the workers of the cluster score_archive starts itself (and as the
        # single process): the bench's own cluster is one score_archive did not start
        client.register_plugin(ModelPlugin(str(directory), sha, freeze_gc=True),
                               name=f"moderate-model-{sha[:16]}")
        loading = time.perf_counter() - start
        start = time.perf_counter()
        summary = score_archive(source, output, model_dir=model_dir, client=client,
                                rows_per_partition=size)
        seconds = time.perf_counter() - start
        worker_rss = sorted(client.run(peak_rss_mb).values())
    finally:
        client.close()
        cluster.close()
    return {"seconds": seconds, "loading": loading, "startup": startup,
            "summary": summary, "worker_rss": worker_rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=1,
                        help="single process then cluster, this many times; medians at the end")
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the input and output files")
    args = parser.parse_args()

    from moderation import settings

    model_dir = settings.model_dir(args.model_dir)
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench_archive."))
    work.mkdir(parents=True, exist_ok=True)
    source, output = work / "comments.parquet", work / "scored"
    texts, mean_chars = build_input(source, args.n, args.partition_rows)
    n, size = len(texts), args.partition_rows
    del texts

    print(f"Input: {n:,} comments resampled (seed 0) from c3 + toxic_spans, mean "
          f"{mean_chars:.0f} chars, Parquet, {size:,} rows per partition; reasons off. Each "
          f"round: a fresh process loads the model and scores all rows with `check_many` "
          f"(batches of {size:,}), then a fresh LocalCluster of {args.workers} workers x 1 "
          "thread runs `score_archive` (plan, read, score, write Parquet) on the same rows.")
    print()
    print("| round | single rows/s | cluster rows/s, model loaded | ratio | ratio counting the "
          "workers' model load | ratio counting start-up too | CPU-s per 100k rows, single / "
          "workers' scoring | peak RSS per worker (MB) | load average (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratios: list[list[float]] = [[], [], []]
    single_rss = 0.0
    for round_ in range(1, args.rounds + 1):
        single = time_single_in_new_process(source, model_dir, size)
        single_rss = max(single_rss, single["rss"])
        cluster = time_cluster(source, output, model_dir, args.workers, size)
        summary = cluster["summary"]
        assert summary["rows_in"] == summary["rows_out"] == n and summary["errors"] == 0
        rate1 = n / single["seconds"]
        spans = [cluster["seconds"], cluster["seconds"] + cluster["loading"],
                 cluster["seconds"] + cluster["loading"] + cluster["startup"]]
        round_ratios = [n / seconds / rate1 for seconds in spans]
        for kept, value in zip(ratios, round_ratios, strict=True):
            kept.append(value)
        print(f"| {round_} | {rate1:,.0f} | {n / spans[0]:,.0f} | **{round_ratios[0]:.2f}x** | "
              f"{round_ratios[1]:.2f}x ({cluster['loading']:.1f} s) | {round_ratios[2]:.2f}x "
              f"({cluster['startup']:.1f} s) | {1e5 * single['cpu'] / n:.1f} / "
              f"{1e5 * summary['score_cpu_seconds'] / n:.1f} | "
              f"{', '.join(f'{r:,.0f}' for r in cluster['worker_rss'])} | "
              f"{os.getloadavg()[0]:.1f} |", flush=True)
    print()
    names = ["model loaded", "counting the model load", "counting start-up too"]
    print("Median ratio over {} round(s): {}.".format(args.rounds, "; ".join(
        f"{name} {statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f}x)"
        for name, values in zip(names, ratios, strict=True))))
    print(f"Machine: nproc {os.cpu_count()}, Python {sys.version.split()[0]}; shared, noisy. "
          f"Peak RSS of the single process (holding all {n:,} texts): {single_rss:,.0f} MB.")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
