"""The splitter's thread-gate policy names (`thread_gate.THREAD_GATES`), importable without
the model code: the CLI options and the HTTP service check a name before any model loads."""

from __future__ import annotations

THREAD_GATE_NAMES = ("strict", "lenient")
DEFAULT_THREAD_GATE = "strict"
