"""Reading comments to score: plain text (one per non-empty line), .jsonl (`text` field) or
.csv (`text` column), from a path or `-` for stdin.

Nothing is dropped silently: bytes that are not UTF-8, NUL bytes (binary files), a comment over
the length limit, a JSON line without a string `text`, or an empty input each raise
DataFormatError naming the file and line, before anything is scored.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from .errors import DataFormatError

MAX_COMMENT_CHARS = 64 * 1024
FORMATS = ("text", "jsonl", "csv")


def read_bytes(path: str) -> tuple[bytes, str]:
    """The raw input and the name to report it by."""
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        return Path(path).read_bytes(), path
    except FileNotFoundError:
        raise DataFormatError("no such file", path) from None
    except IsADirectoryError:
        raise DataFormatError("is a directory, not a file", path) from None
    except OSError as exc:
        raise DataFormatError(f"cannot read: {exc.strerror}", path) from exc


def decode(raw: bytes, name: str, empty: str = "empty input: no comments to score") -> str:
    """UTF-8 text, or a DataFormatError naming the first bad line."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataFormatError("binary data (NUL byte), not text", name, line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFormatError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", name, line) from None
    if not text.strip():
        raise DataFormatError(empty, name)
    return text


def guess_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}.get(suffix, "text")


def _check_length(text: str, name: str, line: int, limit: int) -> None:
    if len(text) > limit:
        raise DataFormatError(f"comment is {len(text):,} characters; the limit is {limit:,}",
                              name, line)


def parse_comments(text: str, fmt: str, name: str, limit: int = MAX_COMMENT_CHARS
                   ) -> list[tuple[int, str]]:
    """(line number, comment) pairs in input order."""
    out: list[tuple[int, str]] = []
    if fmt == "text":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                _check_length(line, name, number, limit)
                out.append((number, line))
    elif fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise DataFormatError(f"not JSON ({exc.msg})", name, number) from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise DataFormatError('each line must be an object with a string "text"',
                                      name, number)
            _check_length(obj["text"], name, number, limit)
            out.append((number, obj["text"]))
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            if "text" not in (reader.fieldnames or []):
                raise DataFormatError("CSV has no `text` column in its header", name, 1)
            start = reader.line_num + 1
            for row in reader:
                value = row.get("text")
                if value is None:
                    raise DataFormatError("row has no `text` cell", name, start)
                if value.strip():
                    _check_length(value, name, start, limit)
                    out.append((start, value))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise DataFormatError(f"bad CSV: {exc}", name, reader.line_num) from None
    else:
        raise DataFormatError(f"unknown input format {fmt!r}; use one of {FORMATS}", name)
    if not out:
        raise DataFormatError("no comments to score", name)
    return out


def read_comments(path: str, fmt: str | None = None, limit: int = MAX_COMMENT_CHARS
                  ) -> list[tuple[int, str]]:
    raw, name = read_bytes(path)
    return parse_comments(decode(raw, name), fmt or guess_format(path), name, limit)
