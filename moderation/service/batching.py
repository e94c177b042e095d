"""Score comments off the event loop, batching the ones that arrive together.

Each request awaits `Scorer.check(text)`. Texts wait in a queue; up to `workers` runner tasks
each take up to `max_batch` waiting texts, score them with one `check_many` call in a bounded
thread pool, and hand every request its own result. Under load this turns many small model
calls into a few larger ones (the model's per-call overhead dominates for one short comment),
and the event loop never runs the model itself, so it keeps accepting and answering requests.

If a batch fails, its texts are scored one by one so only the text that caused the failure gets
the error. Requests whose client went away are dropped from the queue without being scored.

By default batches run in threads of this process, which share its GIL with the event loop. A
`batch_executor` such as the process pool of `moderation.workers` runs them beside the loop instead.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

CheckMany = Callable[[list[str]], list[dict[str, Any]]]


class Scorer:
    """Asynchronous, batching front of a `check_many` function."""

    def __init__(
        self,
        check_many: CheckMany,
        workers: int = 1,
        max_batch: int = 32,
        batch_executor: Executor | None = None,
        linger: float = 0.0,
    ) -> None:
        """`workers` batches run at once, in `batch_executor` (e.g. a process pool) if given,
        else in a thread pool of that size; `call` always uses the thread pool. A runner that
        finds fewer than `max_batch` texts waiting first lingers `linger` seconds for more."""
        self._check_many = check_many
        self._workers = workers
        self._max_batch = max_batch
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="moderate")
        self._batch_executor = batch_executor or self._executor
        self._queue: deque[tuple[str, asyncio.Future]] = deque()
        self._running = 0
        self._tasks: set[asyncio.Task] = set()  # keep runner tasks referenced until done
        self._linger = linger
        self.batches = 0
        self.scored = 0

    async def check(self, text: str) -> dict[str, Any]:
        """The check() result for one text, scored in some batch."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._queue.append((text, future))
        if self._running < self._workers:
            self._running += 1
            task = asyncio.get_running_loop().create_task(self._run())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def check_many(self, texts: list[str]) -> list[dict[str, Any]]:
        """check() results for several texts, in order."""
        return list(await asyncio.gather(*(self.check(text) for text in texts)))

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run another model call (e.g. split) in the same bounded pool."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._batch_executor is not self._executor:
            self._batch_executor.shutdown(wait=True, cancel_futures=True)

    async def _run(self) -> None:
        try:
            while self._queue:
                if self._linger and len(self._queue) < self._max_batch:
                    await asyncio.sleep(self._linger)
                batch = []
                while self._queue and len(batch) < self._max_batch:
                    text, future = self._queue.popleft()
                    if not future.done():  # cancelled: the client disconnected
                        batch.append((text, future))
                if batch:
                    self.batches += 1
                    self.scored += len(batch)
                    await self._score(batch)
        finally:
            self._running -= 1

    async def _score(self, batch: list[tuple[str, asyncio.Future]]) -> None:
        texts = [text for text, _ in batch]
        try:
            loop = asyncio.get_running_loop()
            results = await loop.run_in_executor(self._batch_executor, self._check_many, texts)
            if len(results) != len(texts):
                raise RuntimeError(f"check_many returned {len(results)} results for {len(texts)}")
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exception=exc)
                return
            for item in batch:  # isolate the text that failed
                await self._score([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)


def _settle(
    future: asyncio.Future, result: Any = None, exception: BaseException | None = None
) -> None:
    if future.done():
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)
