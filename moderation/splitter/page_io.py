"""Reading a page's plain text from a file or stdin, refusing what is not text.

`read_page` rejects empty input, NUL bytes (a binary file) and invalid UTF-8 with a
`DataFormatError` naming the file, instead of guessing; it shares moderation.comments_io's checks.
"""

from __future__ import annotations

from ..comments_io import decode, read_bytes


def read_page(path: str) -> str:
    """Return the UTF-8 text of `path` (`-` for stdin), or raise DataFormatError."""
    raw, name = read_bytes(path)
    return decode(raw, name, empty="empty page: nothing to split")
