"""The in-process API a CMS calls: load once, then check comments from any thread.

    from moderation import Moderator
    m = Moderator.load()              # models/ by default, or Moderator.load("path/to/models")
    verdict = m.check("You are an idiot")
    verdicts = m.check_many(texts)

A Moderator holds only its loaded models: no global state beyond them. It leaves the host's
garbage collector alone unless asked (`load(freeze_gc=True)`, which our own CLI, service and
worker processes do). Scoring reads the model's arrays and a per-token cache whose reads and
writes are atomic, so one instance may be shared by threads. Models are loaded only from the
directory the operator names, and only after their manifest's sha256 (and, with a model key,
its signature) check out; a model file holds arrays and JSON only, so loading one runs no code
from it (moderation.persist). A missing or broken splitter affects only `split` and
`check_page`: it is reported when they are called.

Importing this module is cheap: scikit-learn, numba and the model code are imported by `load`,
so `import moderation` (and the CLI's --help and input errors) do not wait for them."""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataFormatError, ModelLoadError
from .settings import model_dir, rules_model_path, splitter_path
from .splitter.gate_names import DEFAULT_THREAD_GATE

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from .rule_model import RulesModel

# Below this many comments, starting work in other processes costs more than it saves.
PARALLEL_MIN_BATCH = 4000


class Moderator:
    def __init__(self, rules_model: RulesModel, manifest: dict[str, Any],
                 splitter: Any | None = None, splitter_manifest: dict[str, Any] | None = None,
                 n_jobs: int = 1, model_dir_path: str | os.PathLike[str] | None = None,
                 splitter_error: str | None = None, key: str | bytes | None = None):
        if n_jobs > 1 and model_dir_path is None:
            # worker processes load the model from disk: without its directory they would load
            # the default models/, which need not be the model given here
            raise ValueError("n_jobs > 1 needs model_dir_path (use Moderator.load)")
        self.model = rules_model
        self.manifest = manifest
        self.splitter = splitter
        self.splitter_manifest = splitter_manifest
        self.splitter_error = splitter_error
        self.n_jobs = n_jobs
        self._model_dir = model_dir_path
        self._key = key  # worker processes load the same model with the same key
        self._pool: Executor | None = None
        self._pool_lock = threading.Lock()

    @classmethod
    def load(cls, model_dir_path: str | os.PathLike[str] | None = None,
             n_jobs: int = 1, freeze_gc: bool = False, key: str | bytes | None = None,
             expect_sha256: str | None = None) -> Moderator:
        """Load `<dir>/rules.npz` (required) and `<dir>/splitter.npz` (if present), each
        checked against its manifest; with `key` (or $MODERATION_MODEL_KEY) each manifest must
        also carry a matching HMAC signature. A splitter that fails its checks is not an error
        here: `split` and `check_page` report it.

        The garbage collector is left alone by default: it belongs to the host process. With
        `freeze_gc=True`, `gc.freeze()` is called once loaded: Python's cyclic garbage
        collector then skips every object alive in the process at that point (the model, the
        ~250k objects of the libraries imported, and the caller's own), which otherwise costs
        about a fifth of a big batch. Objects alive then still go when their last reference
        does; only ones that later become unreachable cycles are never collected. The CLI, the
        service and the worker processes ask for it; a host that owns its process may too.

        With `n_jobs` > 1, batches of PARALLEL_MIN_BATCH comments or more are scored in
        n_jobs equal parts, one in the calling thread and the others in n_jobs - 1 worker
        processes (started on first use, each loading the same checked model); smaller
        batches stay in this process. Each worker is given this model's sha256
        (`expect_sha256`) and refuses any other rules model, so a model retrained in between
        is never mixed with this one."""
        directory = Path(model_dir(model_dir_path))
        # checked before the heavy imports below, so that a wrong path answers at once
        rules_path = rules_model_path(directory)
        if not directory.exists():
            raise ModelLoadError(f"no model directory {directory}: run `moderate train` first "
                                 "or pass --model")
        from .model_files import load_rules_model, load_splitter
        from .persist import manifest_path

        rules_model, manifest = load_rules_model(rules_path, key)
        if expect_sha256 is not None and manifest.get("sha256") != expect_sha256:
            raise ModelLoadError(f"{rules_path} is not the model the caller loaded (sha256 "
                                 f"{str(manifest.get('sha256'))[:12]}… != {expect_sha256[:12]}…): "
                                 "retrained in between? Load it again")
        # The compiled kernels are loaded from numba's cache (or compiled) on first use, and
        # the normaliser's English word list is read on the first run-together word: do both
        # here, so that load time is honest and the first comment is not slow.
        rules_model.verdicts(["warm up, you idiot: youareanidiot"])
        splitter = splitter_manifest = splitter_error = None
        split_path = splitter_path(directory)
        if split_path.exists() or manifest_path(split_path).exists():
            try:
                splitter, splitter_manifest = load_splitter(split_path, key)
            except ModelLoadError as exc:
                splitter_error = str(exc)
        if freeze_gc:
            gc.freeze()
        return cls(rules_model, manifest, splitter, splitter_manifest, n_jobs, directory,
                   splitter_error, key)

    @property
    def rule_ids(self) -> list[str]:
        return self.model.rule_ids

    @property
    def rule_kinds(self) -> dict[str, str]:
        """Each rule's kind, from the rules file the model was trained with: "violation" (drives
        the action) or "signal" (only flags, e.g. share_with_us)."""
        return {rule.id: rule.kind for rule in self.model.rules}

    @property
    def model_dir(self) -> Path | None:
        """The directory the model was loaded from (None for one built in memory)."""
        return None if self._model_dir is None else Path(self._model_dir)

    def worker_loader(self) -> Callable[[], Moderator]:
        """A picklable callable that loads this model again, from the same directory with the
        same key, for a worker process (which owns its process, so it freezes the collector);
        it refuses a rules model whose sha256 is not this one's."""
        if self._model_dir is None:
            raise ValueError("worker processes load the model from its directory: this "
                             "Moderator has none (use Moderator.load)")
        return functools.partial(Moderator.load, self._model_dir, key=self._key,
                                 freeze_gc=True, expect_sha256=self.manifest.get("sha256"))

    def start_workers(self, processes: int) -> Executor:
        """A pool of `processes` worker processes, each with this model loaded and warmed
        (moderation.workers); the caller shuts it down. Used by `check_many` with n_jobs > 1
        and by the service's --processes."""
        from .workers import start_pool

        return start_pool(self.worker_loader(), processes)

    def check(self, text: str) -> dict[str, Any]:
        """Score one comment: {"text", "scores", "flags", "action", "reasons"}."""
        return self.check_many([text])[0]

    def check_many(self, texts: list[str], reasons: bool = True) -> list[dict[str, Any]]:
        """Score comments in one batch; one verdict per text, in order. `reasons=False` skips
        the explanations (a pre-moderation hook that only needs the action)."""
        if isinstance(texts, str | bytes):
            raise DataFormatError("check_many takes a list of comments, not one string "
                                  "(use check for one comment)")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise DataFormatError(f"comment {i} is {type(text).__name__}, not text")
        if not texts:
            return []
        if self.n_jobs > 1 and len(texts) >= PARALLEL_MIN_BATCH:
            return self._check_in_workers(texts, reasons)
        return self.model.verdicts(texts, reasons)

    def _check_in_workers(self, texts: list[str], reasons: bool) -> list[dict[str, Any]]:
        """Score the first of n_jobs equal parts here while n_jobs - 1 worker processes
        score the others (a worker's verdicts come back without the texts we already have)."""
        from .workers import check_many_in_worker

        with self._pool_lock:
            if self._pool is None:
                self._pool = self.start_workers(self.n_jobs - 1)
        size = -(-len(texts) // self.n_jobs)
        parts = [texts[i:i + size] for i in range(0, len(texts), size)]
        futures = [self._pool.submit(check_many_in_worker, part, reasons, False)
                   for part in parts[1:]]
        out = self.model.verdicts(parts[0], reasons)
        for part, future in zip(parts[1:], futures, strict=True):
            out.extend({"text": text, **verdict}
                       for text, verdict in zip(part, future.result(), strict=True))
        return out

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def split(self, text: str, thread_gate: str = DEFAULT_THREAD_GATE) -> list[dict[str, Any]]:
        """Label each non-empty line of a page body, comment or boilerplate. `thread_gate`
        "lenient" keeps short comment threads at the cost of more teaser lines called comment
        (moderation.splitter.thread_gate.THREAD_GATES)."""
        if self.splitter is None:
            raise ModelLoadError(self.splitter_error or "no splitter model beside the rules "
                                 "model: run `moderate train --only split`")
        return self.splitter.split(text, thread_gate)

    def check_page(self, text: str, thread_gate: str = DEFAULT_THREAD_GATE
                   ) -> list[dict[str, Any]]:
        """Split a page, then score only its comment lines (each verdict gets its page line)."""
        comments = [line for line in self.split(text, thread_gate) if line["kind"] == "comment"]
        verdicts = self.check_many([line["text"] for line in comments])
        return [{"line": line["line"], "kind": "comment", **verdict}
                for line, verdict in zip(comments, verdicts, strict=True)]
