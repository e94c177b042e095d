"""Typed errors. The library raises these; only the CLI and the service turn them into messages.

Each subclass also inherits a builtin so callers may catch the builtin they expect.
"""

from __future__ import annotations


class ModerateError(Exception):
    """Base class of every error this package raises on purpose."""


class DataFormatError(ModerateError, ValueError):
    """Input text or labels that cannot be used; carries the path and line when known."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class RulesError(ModerateError, ValueError):
    """A posting-rules file that is missing fields or refers to unknown things."""


class ModelLoadError(ModerateError, RuntimeError):
    """A model file that is missing, corrupt, or does not match its manifest."""


class DataSourceError(ModerateError, FileNotFoundError):
    """A training data set that is not where the settings say it is."""
