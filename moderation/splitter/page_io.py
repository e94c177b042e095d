"""Reading a page's plain text from a file or stdin, refusing what is not text.

`read_page` is what the CLI (and anyone else) uses: it rejects empty input, NUL bytes (a binary
file) and invalid UTF-8 with a `DataFormatError` naming the file, instead of guessing.
"""

from __future__ import annotations

import sys

from ..errors import DataFormatError


def read_page(path: str) -> str:
    """Return the UTF-8 text of `path` (`-` for stdin), or raise DataFormatError."""
    name = "<stdin>" if path == "-" else path
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as handle:
            data = handle.read()
    if b"\x00" in data:
        raise DataFormatError("looks like a binary file (NUL bytes); expected plain text", name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"not valid UTF-8 text (byte {exc.start})", name) from None
    if not text.strip():
        raise DataFormatError("empty page: nothing to split", name)
    return text
