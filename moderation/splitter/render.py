"""Render a page's HTML to plain text the ways scrapers do, so the splitter learns no one habit.

Three renderers, all on real parsers:

* `html_text` — the html-text library (lxml) with `guess_layout`: a line per block, a blank line
  around paragraphs and headings (what `moderate split page.html` uses on HTML input);
* `browser`   — the same cleaned lxml tree, every block on its own line and no blank lines at
  all, like text copied out of a browser window (compare ../shared/seeds/wfsb_page.txt);
* `stdlib`    — our own `html_text.html_to_lines` on the standard library's HTMLParser: every
  block-level tag (table cells too) ends a line, no blank lines.

Pathologically large inputs are cut: at most MAX_HTML characters of HTML are parsed.
"""

from __future__ import annotations

import html_text as _ht
from lxml import etree

from .html_text import html_to_lines

RENDERERS = ("html_text", "browser", "stdlib")
DEFAULT_RENDERER = "html_text"
MAX_HTML = 4_000_000
_BLOCKS = frozenset(_ht.NEWLINE_TAGS) | frozenset(_ht.DOUBLE_NEWLINE_TAGS) | {"td", "th",
                                                                                  "section"}


def _tree(html: str):
    html = html[:MAX_HTML]
    try:
        return _ht.cleaner.clean_html(_ht.parse_html(html))
    except (etree.ParserError, ValueError):  # empty document or a declaration lxml refuses
        return None


def _tidy(text: str, keep_blank: bool) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    if keep_blank:
        out: list[str] = []
        for line in lines:
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip("\n")
    return "\n".join(line for line in lines if line)


def render(html: str, renderer: str = DEFAULT_RENDERER) -> str:
    """`html` as plain text, one block per line, in the style of `renderer`."""
    if renderer == "stdlib":
        return "\n".join(html_to_lines(html[:MAX_HTML]))
    if renderer not in RENDERERS:
        raise ValueError(f"unknown renderer {renderer!r}; choose one of {RENDERERS}")
    tree = _tree(html)
    if tree is None:
        return ""
    if renderer == "html_text":
        return _tidy(_ht.etree_to_text(tree, guess_layout=True), keep_blank=True)
    text = _ht.etree_to_text(tree, guess_layout=True, newline_tags=_BLOCKS,
                             double_newline_tags=())
    return _tidy(text, keep_blank=False)
