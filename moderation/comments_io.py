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


def split_lines(text: str) -> list[str]:
    """Lines split at `\n` only (a `\r` before it is dropped). `str.splitlines` also breaks at
    U+2028, U+0085, `\v`, `\f` and `\x1c`-`\x1e`, which would cut one comment in several and
    put every later line number off."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _check_text(text: str, name: str, line: int, limit: int) -> None:
    _check_length(text, name, line, limit)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DataFormatError(f"text holds a lone surrogate (U+{ord(text[exc.start]):04X}), "
                              "which is not Unicode text", name, line) from None


def _json_line(line: str, name: str, number: int, limit: int) -> str:
    if len(line) > 12 * limit:  # every character escaped (\uXXXX) is 6; allow other fields
        raise DataFormatError(f"line is {len(line):,} characters, far over the comment limit",
                              name, number)
    try:
        obj = json.loads(line)
    except RecursionError:
        raise DataFormatError("not JSON (nested too deeply)", name, number) from None
    except ValueError as exc:  # JSONDecodeError, or a number over Python's digit limit
        raise DataFormatError(f"not JSON ({getattr(exc, 'msg', exc)})", name, number) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise DataFormatError('each line must be an object with a string "text"', name, number)
    _check_text(obj["text"], name, number, limit)
    return obj["text"]


def _csv_rows(text: str, name: str, limit: int) -> list[tuple[int, str]]:
    """Rows of a CSV with a `text` column. Strict: a row with more cells than the header (an
    unquoted comma) or a quote that is never closed is an error naming its line, never a
    comment cut short or a hundred rows merged into one."""
    out: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        header = next(reader, None)
        if header is None or "text" not in header:
            raise DataFormatError("CSV has no `text` column in its header", name, 1)
        column = header.index("text")
        start = reader.line_num + 1
        for row in reader:
            if not row:  # a blank line
                start = reader.line_num + 1
                continue
            if len(row) > len(header):
                raise DataFormatError(
                    f"row has {len(row)} cells but the header has {len(header)} (an unquoted "
                    "comma? quote the text)", name, start)
            if column >= len(row):
                raise DataFormatError("row has no `text` cell", name, start)
            value = row[column]
            if value.strip():
                _check_text(value, name, start, limit)
                out.append((start, value))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataFormatError(f"bad CSV in the row that starts here ({exc}; an unclosed "
                              "quote?)", name, start) from None
    return out


def parse_comments(text: str, fmt: str, name: str, limit: int = MAX_COMMENT_CHARS
                   ) -> list[tuple[int, str]]:
    """(line number, comment) pairs in input order."""
    out: list[tuple[int, str]] = []
    if fmt == "text":
        for number, line in enumerate(split_lines(text), 1):
            if line.strip():
                _check_text(line, name, number, limit)
                out.append((number, line))
    elif fmt == "jsonl":
        for number, line in enumerate(split_lines(text), 1):
            if line.strip():
                out.append((number, _json_line(line, name, number, limit)))
    elif fmt == "csv":
        out = _csv_rows(text, name, limit)
    else:
        raise DataFormatError(f"unknown input format {fmt!r}; use one of {FORMATS}", name)
    if not out:
        raise DataFormatError("no comments to score", name)
    return out


def read_comments(path: str, fmt: str | None = None, limit: int = MAX_COMMENT_CHARS
                  ) -> list[tuple[int, str]]:
    raw, name = read_bytes(path)
    return parse_comments(decode(raw, name), fmt or guess_format(path), name, limit)
