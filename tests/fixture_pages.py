"""A tiny page splitter from hand-written parts (tests/fixtures/pages.txt), for tests that
need *a* splitter but not a good one; trained in seconds without ../shared/data.

Each site's furniture is put around each article; two pages in three also get a comment
thread of hand-written comments (tests/fixtures/comments.tsv) between the article and the
footer. The other pages show a "top comments elsewhere" widget there instead, in the next
site's thread style (boilerplate: not this page's thread), so that the thread gate, fitted on
out-of-fold predictions by site, also sees comment-like lines on pages with no thread.
"""

from __future__ import annotations

from pathlib import Path

from moderation.splitter.model import SplitterModel
from moderation.splitter.pages import Page

PAGES_FILE = Path(__file__).resolve().parent / "fixtures" / "pages.txt"
NAMES = ["Anna K.", "riverwatcher", "Tom B.", "J. Okafor", "oldtimer52", "Maria L.",
         "citizen_dan", "Priya S."]
WHENS = ["2 hours ago", "yesterday", "March 3, 2026 at 9:14 am", "5 days ago"]


def _parse(path: Path = PAGES_FILE) -> tuple[list[dict[str, list[str]]], list[list[str]]]:
    sites: list[dict[str, list[str]]] = []
    articles: list[list[str]] = []
    current: dict[str, list[str]] | list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@site "):
            current = {"name": [line[6:]], "h": [], "f": [], "n": [], "m": [], "a": []}
            sites.append(current)
        elif line == "@article":
            current = []
            articles.append(current)
        elif isinstance(current, dict):
            code, text = line.split(" ", 1)
            current[code].append(text)
        elif isinstance(current, list):
            current.append(line)
        else:
            raise ValueError(f"{path}: a line before any @site or @article block: {line!r}")
    return sites, articles


def _thread(site: dict[str, list[str]], comments: list[str], k: int, n: int,
            kind: str) -> list[tuple[str, str]]:
    """`n` comments from the `k`-th on, laid out in `site`'s style; comment lines as `kind`."""
    items = []
    for i in range(k, k + n):
        name, when = NAMES[i % len(NAMES)], WHENS[i % len(WHENS)]
        items += [(m.format(name=name, when=when), "boilerplate") for m in site["m"]]
        items.append((comments[i % len(comments)], kind))
        items += [(line, "boilerplate") for line in site["a"]]
    return items


def fixture_pages(comments: list[str]) -> list[Page]:
    """Every site around every article, with a thread on two pages in three."""
    sites, articles = _parse()
    pages = []
    k = 0
    for s, site in enumerate(sites):
        for a, article in enumerate(articles):
            items = [(line, "boilerplate") for line in site["h"]]
            items += [(line, "body") for line in article]
            if (s + a) % 3:
                n = 6 + 2 * ((s + a) % 4)
                items.append((site["n"][0].format(n=n), "boilerplate"))
                items += _thread(site, comments, k, n, "comment")
                k += n
            else:
                items.append(("Top comments from around the site", "boilerplate"))
                items += _thread(sites[(s + 1) % len(sites)], comments, k, 1, "boilerplate")
                k += 1
            items += [(line, "boilerplate") for line in site["f"]]
            lines = [text for text, _ in items]
            labels: list[str | None] = [kind for _, kind in items]
            pages.append(Page(lines, labels, {site["name"][0]}, "fixture", f"fixture:{s}:{a}"))
    return pages


def fixture_splitter(comments: list[str]) -> tuple[SplitterModel, dict]:
    """(SplitterModel, info) fitted on `fixture_pages` as `moderate train` fits real pages."""
    from moderation.splitter.train import fit_splitter

    model, counts = fit_splitter(fixture_pages(comments), seed=0)
    return model, {"splitter": {"source": "tests/fixtures/pages.txt", **counts}}
