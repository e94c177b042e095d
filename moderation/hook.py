"""The in-process API a CMS calls: load once, then check comments from any thread.

    from moderation import Moderator
    m = Moderator.load()              # models/ by default, or Moderator.load("path/to/models")
    verdict = m.check("You are an idiot")
    verdicts = m.check_many(texts)

A Moderator holds only its loaded models: no global state beyond them, except that `load`
calls `gc.freeze()` by default (process-wide: every object alive then, the host's included,
is left out of later cyclic collections; `freeze_gc=False` opts out). Scoring reads the model's
arrays and a per-token cache whose reads and writes are atomic, so one instance may be shared by
threads. Models are loaded only from the directory the operator names, and only after their
manifest's sha256 (and, with a model key, its signature) check out; a model file holds arrays
and JSON only, so loading one runs no code from it (moderation.persist). A missing or broken
splitter affects only `split` and `check_page`: it is reported when they are called.
"""

from __future__ import annotations

import gc
import os
import threading
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from .errors import DataFormatError, ModelLoadError
from .model_files import load_rules_model, load_splitter, rules_model_path, splitter_path
from .persist import manifest_path
from .rule_model import RulesModel
from .settings import model_dir

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
             n_jobs: int = 1, freeze_gc: bool = True, key: str | bytes | None = None
             ) -> Moderator:
        """Load `<dir>/rules.npz` (required) and `<dir>/splitter.npz` (if present), each
        checked against its manifest; with `key` (or $MODERATION_MODEL_KEY) each manifest must
        also carry a matching HMAC signature. A splitter that fails its checks is not an error
        here: `split` and `check_page` report it.

        With `freeze_gc` (the default), `gc.freeze()` is called once loaded: Python's cyclic
        garbage collector then skips every object alive in the process at that point (the
        model, the ~250k objects of the libraries imported, and the caller's own), which
        otherwise costs about a fifth of a big batch. Objects alive now still go when their
        last reference does; only ones that later become unreachable cycles are never
        collected. Pass False to leave the collector alone.

        With `n_jobs` > 1, batches of PARALLEL_MIN_BATCH comments or more are scored in
        n_jobs equal parts, one in the calling thread and the others in n_jobs - 1 worker
        processes (started on first use, each loading the same checked model); smaller
        batches stay in this process."""
        path = Path(model_dir(model_dir_path))
        rules_path = rules_model_path(path)
        directory = rules_path.parent
        rules_model, manifest = load_rules_model(rules_path, key)
        # The compiled kernels are loaded from numba's cache (or compiled) on first use: do it
        # here, so that load time is honest and the first comment is not slow.
        rules_model.verdicts(["warm up, you idiot"])
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
        from .workers import check_many_in_worker, start_pool

        with self._pool_lock:
            if self._pool is None:
                self._pool = start_pool(self._model_dir, self.n_jobs - 1, key=self._key)
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

    def split(self, text: str) -> list[dict[str, Any]]:
        """Label each non-empty line of a page body, comment or boilerplate."""
        if self.splitter is None:
            raise ModelLoadError(self.splitter_error or "no splitter model beside the rules "
                                 "model: run `moderate train --only split`")
        return self.splitter.split(text)

    def check_page(self, text: str) -> list[dict[str, Any]]:
        """Split a page, then score only its comment lines (each verdict gets its page line)."""
        comments = [line for line in self.split(text) if line["kind"] == "comment"]
        verdicts = self.check_many([line["text"] for line in comments])
        return [{"line": line["line"], "kind": "comment", **verdict}
                for line, verdict in zip(comments, verdicts, strict=True)]
