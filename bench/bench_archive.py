"""Benchmark `score_archive` on a local Dask cluster against single-process `check_many`.

Usage: python bench/bench_archive.py [--n 1000000] [--workers 2] [--partition-rows 50000]
                                     [--model-dir DIR] [--work-dir DIR] [--keep]

Texts: real news comments (`load_c3` + `load_toxic_spans` from moderation.settings.data_dir()),
resampled with replacement to `--n` rows with seed 0 and written to Parquet (`row_id`, `text`;
one row group per partition) before anything is timed. Then, in the same run:

- single process: `Moderator.load(model)`, then `check_many(batch, reasons=False)` over all rows
  in batches of `--partition-rows` (the same batches the cluster scores), timed;
- cluster: the `LocalCluster` score-archive starts (moderation.archive.local_cluster:
  `--workers` single-threaded worker processes on 127.0.0.1; start-up timed apart), the model
  loaded on each worker (the plugin score_archive registers; timed apart, as the single
  process's load is), then `score_archive(..., client=...)` timed end to end: planning
  (reading and hashing the input), reading, scoring (reasons off), writing the Parquet output.
  Peak RSS of each worker process (VmHWM) afterwards.

Prints one markdown table; the ratio is cluster rows/s over single-process rows/s.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-rows", type=int, default=50_000)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the input and output files")
    args = parser.parse_args()

    from distributed import Client

    from moderation import settings
    from moderation.archive import ModelPlugin, local_cluster, score_archive
    from moderation.hook import Moderator
    from moderation.model_files import load_rules_model, rules_model_path

    model_dir = settings.model_dir(args.model_dir)
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench_archive."))
    work.mkdir(parents=True, exist_ok=True)
    source, output = work / "comments.parquet", work / "scored"
    shutil.rmtree(output, ignore_errors=True)
    texts, mean_chars = build_input(source, args.n, args.partition_rows)
    n, size = len(texts), args.partition_rows

    moderator = Moderator.load(model_dir, freeze_gc=True)  # as the local cluster's workers do
    moderator.check_many(texts[:1000], reasons=False)  # warm up (compiled kernels loaded)
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, n, size):
        moderator.check_many(texts[i:i + size], reasons=False)
    single = time.perf_counter() - start
    single_cpu = time.process_time() - cpu
    single_rss = peak_rss_mb()
    del moderator, texts
    gc.collect()

    start = time.perf_counter()
    cluster = local_cluster(args.workers)
    client = Client(cluster)
    startup = time.perf_counter() - start
    try:
        # the plugin score_archive registers (same name): each worker loads the model now
        # (register_plugin returns once every worker's setup has run)
        directory = rules_model_path(Path(model_dir).resolve()).parent
        sha = load_rules_model(rules_model_path(directory))[1]["sha256"]
        start = time.perf_counter()
        # freeze_gc as on the workers of the cluster score_archive starts itself (and as the
        # single process above): the bench's own cluster is one score_archive did not start
        client.register_plugin(ModelPlugin(str(directory), sha, freeze_gc=True),
                               name=f"moderate-model-{sha[:16]}")
        loading = time.perf_counter() - start
        start = time.perf_counter()
        summary = score_archive(source, output, model_dir=model_dir, client=client,
                                rows_per_partition=size)
        clustered = time.perf_counter() - start
        worker_rss = sorted(client.run(peak_rss_mb).values())
    finally:
        client.close()
        cluster.close()
    assert summary["rows_in"] == summary["rows_out"] == n and summary["errors"] == 0

    rate1, rate2 = n / single, n / clustered
    load = os.getloadavg()
    print(f"Input: {n:,} comments resampled (seed 0) from c3 + toxic_spans, mean "
          f"{mean_chars:.0f} chars, Parquet, {size:,} rows per partition; reasons off.")
    print(f"Machine: nproc {os.cpu_count()}, Python {sys.version.split()[0]}; load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the end: shared, "
          "noisy.")
    print()
    print("| run | rows | seconds | rows/s | vs single process |")
    print("|---|---|---|---|---|")
    print(f"| `check_many`, 1 process, batches of {size:,} | {n:,} | {single:.1f} | "
          f"{rate1:,.0f} | 1.00x |")
    print(f"| `score_archive`, LocalCluster {args.workers} workers x 1 thread (plan, read, "
          f"score, write Parquet; cluster up, model loaded) | {n:,} | {clustered:.1f} | "
          f"{rate2:,.0f} | {rate2 / rate1:.2f}x |")
    total = clustered + loading
    print(f"| same, counting the model load on the workers ({loading:.1f} s) | {n:,} | "
          f"{total:.1f} | {n / total:,.0f} | {n / total / rate1:.2f}x |")
    total += startup
    print(f"| same, counting LocalCluster start-up too ({startup:.1f} s) | {n:,} | {total:.1f} "
          f"| {n / total:,.0f} | {n / total / rate1:.2f}x |")
    print()
    print(f"CPU seconds per 100k rows: single process {1e5 * single_cpu / n:.1f}; cluster "
          f"workers' scoring (summed) {1e5 * summary['score_cpu_seconds'] / n:.1f}, their "
          f"scoring wall time (summed) {1e5 * summary['score_seconds'] / n:.1f}, Parquet "
          f"writing {1e5 * summary['write_seconds'] / n:.1f} s.")
    print(f"Peak RSS per worker: {', '.join(f'{r:,.0f} MB' for r in worker_rss)}; single "
          f"process (holding all {n:,} texts): {single_rss:,.0f} MB.")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
