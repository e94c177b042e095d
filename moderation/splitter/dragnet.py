"""Real pages with gold text: dragnet_train (966 news and blog pages, AGPLv3), by site.

`load_dragnet` reads each page's HTML (gzip, decoded in its declared encoding) and its gold
text, split at the comments marker into body and comments. Each page gets a `site`: the host of
its canonical link or `og:url`, else the host most of its absolute links point to (a site links
to itself), "www." dropped. `site_fold` puts every page of a site in one of N_FOLDS folds by a
hash of the site, so validation never sees a site it trained on. `real_pages` renders pages
with one renderer and labels their lines by alignment with the gold (`align.label_lines`).

Some gold files put the page's comment thread in the main part, without the comments marker
(a slashdot thread, blog comments as "Name 07.15.12 at 11:59" paragraphs), so alignment would
call those comments body. `comments_in_main` spots them by comment furniture repeated in the
main part: at least MIN_MAIN_FURNITURE short lines (<= 14 words) with a date and a clock time,
or ending "says:" / "wrote:", or "by Name (12345)". On dragnet_train 12 of 966 pages reach 5
(7 to 274 such lines); every other page has at most 3. Training skips them; the evaluation
reports the held-out figures with and without them.

The gold also leaves out whole threads that the static HTML holds (a WordPress comment list the
annotator skipped, a Disqus fallback). `static_thread_audit` reads our page-level audit of the
held-out fold's comment-free pages (data/splitter/fold0_static_threads.tsv, method in
data/splitter/README.md), which the evaluation reports beside the gold's count, never instead.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from ..errors import DataSourceError
from .align import label_lines
from .html_input import decode_html
from .pages import Page
from .render import render

SOURCE = "dragnet_train"
LICENCE = "AGPL-3.0 (dragnet_train, Moz 2012)"
MARKER = "!@#$%^&*()  COMMENTS"
N_FOLDS = 5
HELD_OUT_FOLD = 0
MIN_MAIN_FURNITURE = 5
AUDIT_COLUMNS = ("page_id", "site", "static_thread", "evidence")
STATIC_THREAD_AUDIT = (Path(__file__).resolve().parents[2] / "data" / "splitter"
                       / "fold0_static_threads.tsv")
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d\d(?::\d\d)?\s?(?:am|pm|a\.m\.|p\.m\.)?", re.I)
_DATE = re.compile(r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d\d-\d\d|(?:jan|feb|mar|apr|"
                   r"may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s{1,3}\d{1,2}(?:st|nd|rd|th)?\b)",
                   re.I)
_FURNITURE = re.compile(r"\b(?:says|said|wrote|writes)\s*:\s*$|^\s*(?:reply|permalink)\s*$|"
                        r"\bby [^()]{1,40}\(\s*[\d ]+\)", re.I)


@dataclass(frozen=True)
class RealPage:
    page_id: str
    site: str
    html: str
    body: str
    comments: str


def _host(url: str | None) -> str:
    if not url:
        return ""
    host = urlsplit(url.strip()).hostname or ""
    return host.removeprefix("www.")


def page_site(html: str) -> str:
    """The page's site: canonical / og:url host, else the host of most absolute links."""
    try:
        tree = lxml_html.fromstring(html.encode("utf-8", "replace"))
    except (etree.ParserError, ValueError):
        return ""
    for url in (tree.xpath('//link[@rel="canonical"]/@href')
                + tree.xpath('//meta[@property="og:url"]/@content')):
        if _host(url):
            return _host(url)
    hosts = Counter(_host(h) for h in tree.xpath("//a/@href") if h.startswith("http"))
    hosts.pop("", None)
    return hosts.most_common(1)[0][0] if hosts else ""


def main_furniture_lines(text: str) -> int:
    """Short lines of `text` that look like comment furniture (date and time, "says:", ...)."""
    n = 0
    for line in text.split("\n"):
        if line.strip() and len(line.split()) <= 14 and (
                _FURNITURE.search(line) or (_CLOCK.search(line) and _DATE.search(line))):
            n += 1
    return n


def comments_in_main(page: RealPage) -> bool:
    """Whether the gold's main part holds a comment thread (see the module docstring)."""
    return main_furniture_lines(page.body) >= MIN_MAIN_FURNITURE


def static_thread_audit(path: Path = STATIC_THREAD_AUDIT) -> dict[str, bool]:
    """Page id -> whether its static HTML holds a reader thread, for the held-out fold's pages
    whose gold has no comments part; {} when the file is not there (an installed package)."""
    if not path.is_file():
        return {}
    out: dict[str, bool] = {}
    rows = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    if not rows or rows[0].split("\t") != list(AUDIT_COLUMNS):
        raise DataSourceError(f"{path}: the first line must be the header "
                              f"{chr(9).join(AUDIT_COLUMNS)!r}")
    for line in rows[1:]:
        fields = line.split("\t")
        if len(fields) != 4:
            raise DataSourceError(f"{path}: {line[:60]!r}: want 4 tab-separated fields "
                                  f"({', '.join(AUDIT_COLUMNS)})")
        page_id, _site, verdict, _evidence = fields
        if page_id in out:
            raise DataSourceError(f"{path}: page {page_id} is listed twice")
        if verdict not in ("yes", "no"):
            raise DataSourceError(f"{path}: page {page_id}: static_thread must be yes or no")
        out[page_id] = verdict == "yes"
    return out


def site_fold(site: str) -> int:
    return zlib.crc32(site.encode()) % N_FOLDS


@lru_cache(maxsize=2)
def load_dragnet(data_dir: Path) -> tuple[RealPage, ...]:
    """Every page of dragnet_train, in ids.txt order."""
    root = Path(data_dir) / SOURCE
    if not (root / "ids.txt").exists():
        raise DataSourceError(f"{root}: no ids.txt (see its SOURCE.md)")
    out = []
    for page_id in (root / "ids.txt").read_text().split():
        raw = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        html = decode_html(raw)
        gold = (root / "gold" / f"{page_id}.txt").read_text(encoding="utf-8", errors="replace")
        body, _, comments = gold.partition(MARKER)
        out.append(RealPage(page_id, page_site(html) or f"page:{page_id}", html, body,
                            comments))
    return tuple(out)


def labelled_page(page: RealPage, renderer: str) -> Page:
    lines = render(page.html, renderer).split("\n")
    return Page(lines=lines, labels=label_lines(lines, page.body, page.comments),
                groups={page.site}, kind=renderer, name=page.page_id)


def real_pages(data_dir: Path, renderer: str, folds: set[int]) -> list[Page]:
    """The pages of sites in `folds`, rendered by `renderer` and labelled from the gold."""
    return [labelled_page(p, renderer) for p in load_dragnet(Path(data_dir))
            if site_fold(p.site) in folds]
