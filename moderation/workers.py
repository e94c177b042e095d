"""Scoring in worker processes: `Moderator(n_jobs=2).check_many` on big batches, and
`moderate serve --processes N`.

In threads, the model's Python-heavy feature extraction holds the GIL that the event loop also
needs, so one server process uses about one core. Here each worker process loads the model once
(spawned, not forked: the server already runs threads) and scores whole batches; only the texts
and the result dicts cross the process boundary. The parent keeps its own loaded model for the
manifest, small batches and the page splitter.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_model: Any = None


def _load(model_dir: str | os.PathLike[str] | None, key: str | bytes | None = None) -> None:
    global _model
    from .hook import Moderator

    _model = Moderator.load(model_dir, key=key)  # freezes the garbage collector's view (see load)


def check_many_in_worker(texts: list[str], reasons: bool = True,
                         with_text: bool = True) -> list[dict[str, Any]]:
    """check_many with the worker's own model (module-level, so it pickles by name).
    `with_text=False` leaves "text" out of the verdicts, for a caller that has the texts (no
    need to pickle them twice)."""
    verdicts = _model.check_many(texts, reasons=reasons) if texts else []
    if not with_text:
        for verdict in verdicts:
            del verdict["text"]
    return verdicts


def start_pool(model_dir: str | os.PathLike[str] | None, processes: int,
               key: str | bytes | None = None) -> ProcessPoolExecutor:
    """A pool of `processes` workers, each with the model loaded and warmed, or an error now."""
    pool = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_load,
        initargs=(model_dir, key),
    )
    try:
        warm = [pool.submit(check_many_in_worker, ["warm up"]) for _ in range(processes)]
        for future in warm:
            future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool
