"""The `moderate` command line. One module per command; importing them registers them."""

from __future__ import annotations

from . import (  # noqa: F401  (registration)
    evaluate,
    explain,
    score,
    score_archive,
    serve,
    split,
    train,
)
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
