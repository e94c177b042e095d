"""The `moderate` command line. One module per command; importing them registers them."""

from __future__ import annotations

from . import evaluate, score, score_archive, serve, split, train  # noqa: F401  (registration)
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
