"""Reading a page from a file or stdin: plain text as is, HTML rendered to text first.

HTML is recognised by content (`html_input.looks_like_html`: a doctype or an opening HTML tag
at the start), never by the file name, decoded in the encoding the page declares, and rendered
with the renderer the default splitter is evaluated on (`render.DEFAULT_RENDERER`, html-text,
imported only when a page is HTML), so line numbers refer to the rendered text. Anything else
must be UTF-8 text: `read_page` rejects empty input, NUL bytes (a binary file) and invalid
UTF-8 with a `DataFormatError` naming the file, sharing moderation.comments_io's checks.
"""

from __future__ import annotations

from ..comments_io import decode, read_bytes
from ..errors import DataFormatError
from .html_input import decode_html, looks_like_html


def read_page(path: str) -> str:
    """Return the page text of `path` (`-` for stdin), HTML rendered; or raise
    DataFormatError."""
    raw, name = read_bytes(path)
    if looks_like_html(raw):
        from .render import DEFAULT_RENDERER, render

        text = render(decode_html(raw), DEFAULT_RENDERER)
        if not text.strip():
            raise DataFormatError("HTML page without any text to split", name)
        return text
    return decode(raw, name, empty="empty page: nothing to split")
