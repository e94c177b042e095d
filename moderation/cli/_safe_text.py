"""Making user text safe to show: in a terminal, and in a spreadsheet that opens our CSV.

A comment can carry terminal escape sequences (`\x1b]0;title\x07` retitles the window, others
move the cursor or rewrite what is on screen) and bidirectional overrides that make text read
differently from what it is; table output shows them as visible escapes instead. A CSV cell
that starts with `= + - @` (or a tab or carriage return) is a live formula in Excel, LibreOffice
and Google Sheets (`=HYPERLINK(...)`); such cells get a leading apostrophe, the usual
neutraliser, which spreadsheets hide and a program reading the CSV can strip.
"""

from __future__ import annotations

import unicodedata

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """`text` with control characters and bidi overrides shown as `\\xNN` / `\\uNNNN`."""
    if text.isprintable() and not any(ch in _BIDI_CONTROLS for ch in text):
        return text
    return "".join(_escape(ch) if (unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS)
                   else ch for ch in text)


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
