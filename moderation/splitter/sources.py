"""Load the raw source documents the splitter learns from, each tagged with its split group.

Three pools, all real text:

* `Article`: a headline and body paragraphs (bbc_news, Globe and Mail articles, realnews, and the
  gold text of scrapinghub_aeb / cleanportaleval pages).
* `Comment`: one reader comment split into its paragraphs (Globe and Mail threads and CSVs, C3,
  SFU CTC, ToxicSpans/Civil Comments), deduplicated on normalised text across sources.
* `WebPage`: a real page rendered to plain-text lines, each marked body or boilerplate by aligning
  it with the page's gold text (scrapinghub_aeb, cleaneval, cleanportaleval) or, for the Common
  Crawl samples, the navigation lines above the first paragraph.

Every document carries a `group`: documents that share one (a page and its gold article, an
article and its comment thread, comments on one article) must land on the same side of a split.
"""

from __future__ import annotations

import ast
import csv
import glob
import gzip
import html
import json
import random
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import DataSourceError
from ..loaders.news_comments import C3_FILE, SFU_CTC_FILE
from ..loaders.toxic_spans import COMMENTS_FILE
from .html_text import html_to_lines

csv.field_size_limit(1 << 30)

_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")


@dataclass
class Article:
    source: str
    group: str
    title: str
    paragraphs: list[str]


@dataclass
class Comment:
    source: str
    group: str
    paragraphs: list[str]
    author: str | None = None
    votes: int | None = None
    depth: int = 0


@dataclass
class WebPage:
    source: str
    group: str
    lines: list[str]
    labels: list[str]  # "body" or "boilerplate", one per line


@dataclass
class Sources:
    articles: list[Article] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    pages: list[WebPage] = field(default_factory=list)
    threads: dict[str, list[Comment]] = field(default_factory=dict)  # group -> its own comments

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for pool, docs in (("articles", self.articles), ("comments", self.comments),
                           ("pages", self.pages)):
            for doc in docs:
                out.setdefault(pool, {}).setdefault(doc.source, 0)
                out[pool][doc.source] += 1
        out["thread_comments"] = {g: len(c) for g, c in self.threads.items()}
        return out

    @cached_property
    def short_comments(self) -> list[Comment]:
        """Comments of at most 15 words: the one-liners local-news sections are full of."""
        return [c for c in self.comments if sum(len(p.split()) for p in c.paragraphs) <= 15]


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def clean(text: str) -> str:
    return _WS.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()


def paragraphs_of(text: str) -> list[str]:
    """Split a comment or article into non-empty paragraphs (one per input line)."""
    text = html.unescape(_TAG.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n")))
    return [p for p in (_WS.sub(" ", line).strip() for line in text.split("\n")) if p]


_ALNUM = re.compile(r"[a-z0-9]+")


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def label_lines(lines: list[str], gold: str) -> list[str]:
    """Mark each page line body if it occurs in the gold text, boilerplate otherwise.

    Short lines must equal a gold line; longer ones need half their word 3-grams in the gold
    text, which tolerates the encoding and spacing differences between page and gold.
    """
    gold_lines = {norm(g) for g in gold.splitlines() if g.strip()}
    gold_shingles = _shingles(_ALNUM.findall(gold.lower()))
    labels = []
    for line in lines:
        n = norm(line)
        words = _ALNUM.findall(n)
        if len(words) >= 5:
            sh = _shingles(words)
            inside = len(sh & gold_shingles) >= 0.5 * len(sh)
        else:
            inside = n in gold_lines
        labels.append("body" if inside else "boilerplate")
    return labels


def _usable(page: WebPage, gold: str) -> bool:
    """Enough body lines, and they cover most of the gold text (else alignment failed)."""
    n_body = page.labels.count("body")
    covered = sum(len(x) for x, k in zip(page.lines, page.labels, strict=True) if k == "body")
    text = " ".join(page.lines)
    latin = sum(ch.isascii() for ch in text) >= 0.9 * max(1, len(text))
    return n_body >= 3 and len(page.lines) >= 8 and covered >= 0.6 * len(norm(gold)) and latin


# --- articles -------------------------------------------------------------------------------


def _bbc(root: Path, rng: random.Random, limit: int) -> list[Article]:
    path = root / "bbc_news" / "bbc_2225.jsonl.gz"
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            paras = [p.strip() for p in doc["text"].split("\n") if p.strip()]
            out.append(Article("bbc_news", f"bbc:{doc['id']}", doc["title"].strip(), paras))
    rng.shuffle(out)
    return out[:limit]


def _gnm_articles(root: Path) -> list[Article]:
    out = []
    for path in sorted(glob.glob(str(root / "sfu_gnm_articles_comments" / "articles" / "*.json"))):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for key, doc in data.items():
            raw = doc.get("article_text", [])
            if isinstance(raw, str):
                try:
                    raw = ast.literal_eval(raw)
                except (ValueError, SyntaxError):
                    raw = [raw]
            paras = [p for p in (clean(x) for x in raw) if p]
            title = clean(doc.get("title", "")).replace(" - The Globe and Mail", "")
            if paras:
                out.append(Article("sfu_gnm_articles", f"gnm:{key}", title, paras))
    return out


def _realnews(root: Path) -> list[Article]:
    out = []
    for path in sorted(glob.glob(str(root / "realnews_samples" / "*.jsonl"))):
        for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            doc = json.loads(line)
            paras = paragraphs_of(doc.get("text", ""))
            if paras:
                out.append(Article("realnews_samples", f"realnews:{Path(path).stem}:{i}",
                                   (doc.get("title") or "").strip(), paras))
    return out


# --- real pages -----------------------------------------------------------------------------


def _aeb(root: Path) -> tuple[list[WebPage], list[Article]]:
    base = root / "scrapinghub_aeb"
    gold = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    full = json.loads((base / "baseline_outputs" / "html-text.json").read_text(encoding="utf-8"))
    full = full.get("output", full)
    pages, articles = [], []
    for key in sorted(gold):
        body = gold[key].get("articleBody") or ""
        text = (full.get(key) or {}).get("articleBody") or ""
        lines = [_WS.sub(" ", x).strip() for x in text.splitlines()]
        lines = [x for x in lines if x]
        page = WebPage("scrapinghub_aeb", f"aeb:{key}", lines, label_lines(lines, body))
        if _usable(page, body):
            pages.append(page)
        paras = [p for p in (x.strip() for x in body.splitlines()) if p]
        if paras:
            articles.append(Article("scrapinghub_aeb_gold", f"aeb:{key}", "", paras))
    return pages, articles


def _cleaneval_gold(path: Path) -> str:
    """Gold text with one paragraph per line (CleanEval hard-wraps paragraphs)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"^\s*URL:.*$", "", text, flags=re.M)
    parts = (_WS.sub(" ", html.unescape(p)).strip() for p in re.split(r"<[phl]>", text))
    return "\n".join(p for p in parts if p)


def _cleaneval_like(source: str, inputs: list[str], gold_dir_of) -> tuple[list[WebPage],
                                                                           list[Article]]:
    pages, articles = [], []
    for path in inputs:
        name = Path(path).name.removesuffix(".html.gz")
        gold_path = gold_dir_of(path) / f"{name}.txt"
        if not gold_path.exists():
            continue
        gold = _cleaneval_gold(gold_path)
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
            lines = html_to_lines(handle.read())
        group = f"{source}:{Path(path).parent.parent.name}:{name}"
        page = WebPage(source, group, lines, label_lines(lines, gold))
        if _usable(page, gold):
            pages.append(page)
        paras = paragraphs_of(gold)
        if len(paras) >= 3 and source == "cleanportaleval":
            articles.append(Article(f"{source}_gold", group, "", paras))
    return pages, articles


def _cc_navigation(root: Path) -> list[WebPage]:
    """Common Crawl full-page texts: the lines above the first paragraph are navigation."""
    out = []
    path = root / "cc_fulltext_samples" / "dolma_provided_documents_000.json.gz"
    if not path.exists():
        return out
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            doc = json.loads(line)
            lines = [x.strip() for x in doc["text"].splitlines() if x.strip()]
            head = []
            for x in lines:
                if len(x) >= 120:
                    break
                head.append(x)
            if 2 <= len(head) < len(lines):
                out.append(WebPage("cc_fulltext_samples", f"cc:{i}", head,
                                   ["boilerplate"] * len(head)))
    return out


# --- comments -------------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        return list(csv.DictReader(handle))


def _flatten(node: dict, group: str, depth: int, out: list[Comment]) -> None:
    paras = paragraphs_of(node.get("commentText") or "")
    if paras:
        sender = node.get("sender") or {}
        votes = (node.get("posVotes") or 0) - (node.get("negVotes") or 0)
        out.append(Comment("sfu_gnm_threads", group, paras, sender.get("name"), votes, depth))
    for reply in node.get("replies") or []:
        _flatten(reply, group, depth + 1, out)


def _threads(root: Path) -> dict[str, list[Comment]]:
    out: dict[str, list[Comment]] = {}
    base = root / "sfu_gnm_articles_comments" / "comment_threads"
    for path in sorted(glob.glob(str(base / "*.json"))):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for key, doc in data.items():
            flat: list[Comment] = []
            for node in doc.get("comments", []):
                _flatten(node, f"gnm:{key}", 0, flat)
            out[f"gnm:{key}"] = flat
    return out


def _comments(root: Path, rng: random.Random, per_source: int) -> list[Comment]:
    specs = [
        ("c3", root / "c3" / C3_FILE, "comment_text", "article_id"),
        ("sfu_ctc", root / "sfu_ctc" / SFU_CTC_FILE, "comment", "url"),
        ("sfu_gnm_csv", root / "sfu_gnm_articles_comments" / "comment_csvs" / "old_comments.csv",
         "text", "article_id"),
        ("sfu_gnm_csv", root / "sfu_gnm_articles_comments" / "comment_csvs" /
         "new_comments_preprocessed.csv", "text", "article_id"),
        ("sfu_gnm_csv", root / "sfu_gnm_articles_comments" / "comment_csvs" /
         "comments_csv_sample.csv", "text", "article_id"),
        ("toxic_spans", root / "toxic_spans" / COMMENTS_FILE, "comment_text", "comment_id"),
    ]
    seen: set[str] = set()
    by_source: dict[str, list[Comment]] = {}
    for source, path, text_col, group_col in specs:
        if not path.exists():
            continue
        for row in _csv_rows(path):
            paras = paragraphs_of(row.get(text_col) or "")
            key = norm(" ".join(paras))
            if len(key) < 2 or key in seen:
                continue
            seen.add(key)
            author = row.get("author") or row.get("comment_author") or None
            prefix = "socc" if source in ("c3", "sfu_gnm_csv") else source  # same articles
            group = f"{prefix}:{row.get(group_col, '')}"
            by_source.setdefault(source, []).append(Comment(source, group, paras, author))
    out = []
    for source in sorted(by_source):
        docs = by_source[source]
        rng.shuffle(docs)
        out.extend(docs[:per_source])
    return out


def load_sources(root: Path, seed: int = 0, scale: float = 1.0) -> Sources:
    """Read every source under `root`; `scale` < 1 reads fewer documents (for quick tests)."""
    root = Path(root)
    if not root.is_dir():
        raise DataSourceError(f"data directory {root} does not exist")
    rng = random.Random(seed)
    src = Sources()
    required = [root / "bbc_news", root / "scrapinghub_aeb", root / "c3"]
    missing = [p.name for p in required if not p.exists()]
    if missing:
        raise DataSourceError(f"{root} lacks the splitter's core sources: {', '.join(missing)}")
    src.articles += _bbc(root, rng, int(900 * scale))
    src.articles += _gnm_articles(root)
    src.articles += _realnews(root)
    pages, articles = _aeb(root)
    src.pages += pages
    src.articles += articles
    if (root / "cleanportaleval").exists():
        inputs = sorted(glob.glob(str(root / "cleanportaleval" / "input" / "*.html.gz")))
        pages, articles = _cleaneval_like("cleanportaleval", inputs,
                                          lambda p: root / "cleanportaleval" / "gold")
        src.pages += pages
        src.articles += articles
    if (root / "cleaneval").exists():
        inputs = sorted(glob.glob(str(root / "cleaneval" / "*" / "input" / "*.html.gz")))
        rng.shuffle(inputs)
        inputs = sorted(inputs[: int(300 * scale)])
        pages, _ = _cleaneval_like("cleaneval", inputs, lambda p: Path(p).parent.parent / "gold")
        src.pages += pages
    src.pages += _cc_navigation(root)
    src.threads = _threads(root)
    src.comments = _comments(root, rng, int(4000 * scale))
    return src
