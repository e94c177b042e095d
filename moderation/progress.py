"""Stage-by-stage progress of long work (`moderate train`, `moderate evaluate`) on stderr.

Library code marks its stages with `with stage("fitting ..."):`; nothing is shown unless a
command turned progress on with `enable()`, which it does only when stderr is a terminal and
`--quiet` was not given, so pipes, logs, CI and in-process callers (a CMS importing the
package) stay silent. rich (already installed with typer) draws the spinner; each finished
stage leaves one line with its time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_console = None


def enable(quiet: bool = False, stream: TextIO | None = None) -> bool:
    """Show stages on `stream` (default stderr) if it is a terminal and not `quiet`; returns
    whether progress is shown."""
    global _console
    stream = stream if stream is not None else sys.stderr
    if quiet or not stream.isatty():
        _console = None
        return False
    from rich.console import Console

    _console = Console(file=stream, highlight=False)
    return True


def disable() -> None:
    global _console
    _console = None


@contextmanager
def stage(name: str) -> Iterator[None]:
    """One stage of a long command: a spinner while it runs, then `name ... done in N s`."""
    console = _console
    if console is None:
        yield
        return
    started = time.perf_counter()
    with console.status(name):
        yield
    console.print(f"{name} ... done in {time.perf_counter() - started:.1f} s")
