"""Plain text from HTML with the standard library only.

A tiny renderer for the CleanEval-format inputs: block-level tags end a line, script/style/head
content is dropped, entities are decoded. It is not a browser; it only needs to produce the kind
of line-per-block text that scrapers hand us, so that page lines can be aligned with gold text.
Training and evaluation only, never user input: Python's HTMLParser grows quadratically on
some hostile markup (2.9 s on 16 KiB of `<a `); pages from users go through
`render.DEFAULT_RENDERER` (html-text).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "footer", "nav", "section", "article", "aside", "form", "option",
    "blockquote", "pre", "dd", "dt", "dl", "hr", "title", "body", "center", "address",
}
_SKIP = {"script", "style", "noscript", "head", "select", "iframe", "svg"}
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data.replace("\n", " "))


def html_to_lines(html: str) -> list[str]:
    """Render `html` to its non-empty text lines, whitespace collapsed."""
    renderer = _Renderer()
    try:
        renderer.feed(html)
        renderer.close()
    except Exception:  # malformed markup: keep what was rendered so far
        pass
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(renderer.parts).split("\n"))
    return [line for line in lines if line]
