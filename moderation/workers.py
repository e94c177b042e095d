"""Scoring in worker processes: `Moderator(n_jobs=2).check_many` on big batches, and
`moderate serve --processes N`.

In threads, the model's Python-heavy feature extraction holds the GIL that the event loop also
needs, so one server process uses about one core. Here each worker process loads the model once
(spawned, not forked: the server already runs threads) and scores whole batches; only the texts
and the result dicts cross the process boundary. The parent keeps its own loaded model for the
manifest, small batches and the page splitter.

The pool is given the loader (a picklable callable, e.g. `Moderator.worker_loader()`) and runs
it as each worker's initializer, so this module imports nothing of the model's: the Moderator
depends on the pool, never the other way round.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol


class Checker(Protocol):
    def check_many(self, texts: list[str], reasons: bool = True) -> list[dict[str, Any]]: ...


_model: Checker | None = None  # this worker's model, set once by _start


def _start(load: Callable[[], Checker]) -> None:
    """Each worker's initializer: load the model once, for every batch this process scores."""
    global _model
    _model = load()


def check_many_in_worker(texts: list[str], reasons: bool = True,
                         with_text: bool = True) -> list[dict[str, Any]]:
    """check_many with the worker's own model (module-level, so it pickles by name).
    `with_text=False` leaves "text" out of the verdicts, for a caller that has the texts (no
    need to pickle them twice)."""
    if _model is None:
        raise RuntimeError("check_many_in_worker runs only in a pool made by start_pool")
    verdicts = _model.check_many(texts, reasons=reasons) if texts else []
    if not with_text:
        for verdict in verdicts:
            del verdict["text"]
    return verdicts


def start_pool(load: Callable[[], Checker], processes: int) -> ProcessPoolExecutor:
    """A pool of `processes` workers, each with the model `load()` returns loaded and warmed,
    or an error now. `load` must pickle (a module-level function, or a partial of one)."""
    pool = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(load,),
    )
    try:
        warm = [pool.submit(check_many_in_worker, ["warm up"]) for _ in range(processes)]
        for future in warm:
            future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool
