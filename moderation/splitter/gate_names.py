"""The splitter's thread-gate policy names (`thread_gate.THREAD_GATES`), importable without
the model code: the CLI options and the HTTP service check a name before any model loads."""

from __future__ import annotations

THREAD_GATE_NAMES = ("strict", "lenient")
DEFAULT_THREAD_GATE = "strict"


def thread_gate_problem(name: object, page: bool = True) -> str | None:
    """Why `name` cannot be used as the thread gate (unknown, or other than the default
    where no page is split), or None; each caller raises its own kind of error with it."""
    if name not in THREAD_GATE_NAMES:
        return f"must be one of {', '.join(THREAD_GATE_NAMES)}"
    if name != DEFAULT_THREAD_GATE and not page:
        return "applies to pages: give --page too"
    return None
