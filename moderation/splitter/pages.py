"""Assemble labelled training pages from real documents, after splitting documents by group.

`split_sources` first sends every source group (a page with its gold article, an article with
its comment thread, the comments on one article) wholly to train or test, by a hash of the group
and the seed, so a held-out page never contains text seen in training. `build_pages` then draws
from one side only and composes pages in realistic, varied orders:

* template pages: site header (real navigation lines), headline, byline, body paragraphs with
  captions and "Related:" links, share bar / copyright / recommended headlines, then maybe a
  comment section, community rules and a real site footer, blocks shuffled a little;
* real pages (scrapinghub_aeb, cleaneval, cleanportaleval, Common Crawl) with their own
  body/boilerplate lines, a comment section spliced in after the article on most of them;
* the four Globe and Mail articles with their own reply threads.

A comment section is a header ("(12) comments", whose count need not match), sign-in prompts,
then comments, each with or without furniture (handle, time, votes, Reply/Report) in one of
several site styles. A third of sections are bare plain-text scrapes (comments as paragraphs,
no furniture at all), a third draw mostly from one-line comments, and some are typed casually
(no final stop, lower-case start, curly apostrophes), so short lines under a comments header are
not all furniture. Blank-line layout varies per page. Comment text lines are `comment`;
furniture and the community-rules blocks that follow sections are `boilerplate`.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

from . import furniture as fx
from .sources import Article, Comment, Sources, WebPage

Item = tuple[str, str]  # (text, kind)


@dataclass
class Page:
    lines: list[str]  # the page text split into lines, empty lines included
    labels: list[str | None]  # kind of each line, None for empty lines
    groups: set[str] = field(default_factory=set)  # source groups whose text is on the page
    kind: str = ""
    name: str = ""  # where the page came from (a dragnet page id), for reports

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def is_test_group(group: str, seed: int, test_fraction: float = 0.25) -> bool:
    """Deterministic train/test side of a source group (independent of which others load)."""
    return (zlib.crc32(f"{seed}:{group}".encode()) % 10_000) < test_fraction * 10_000


def split_sources(src: Sources, seed: int, test_fraction: float = 0.25) -> tuple[Sources,
                                                                                 Sources]:
    """Split every pool by group: no group has documents on both sides."""
    sides = (Sources(), Sources())
    for name in ("articles", "comments", "pages"):
        for doc in getattr(src, name):
            getattr(sides[is_test_group(doc.group, seed, test_fraction)], name).append(doc)
    for group, comments in src.threads.items():
        sides[is_test_group(group, seed, test_fraction)].threads[group] = comments
    return sides


# --- blocks ---------------------------------------------------------------------------------


def _comment_items(rng: random.Random, comment: Comment, style: dict) -> list[Item]:
    items: list[Item] = []
    name = comment.author if comment.author and not comment.author.isdigit() else fx.handle(rng)
    if style["name"] == "line":
        items.append((name, "boilerplate"))
    elif style["name"] == "says":
        items.append((f"{name} {rng.choice(['says:', 'wrote:', 'said:'])}", "boilerplate"))
    elif style["name"] == "name_time":
        items.append((f"{name} {rng.choice(['|', '·', '-', ''])} {fx.when(rng)}", "boilerplate"))
    if style["time"] == "before":
        items.append((fx.when(rng), "boilerplate"))
    if style["depth"] and comment.depth:
        if rng.random() < 0.5:
            items.append((f"Reply to {fx.handle(rng)}", "boilerplate"))
    paras = comment.paragraphs
    if len(paras) > 12:
        paras = paras[:12]
    if style.get("casual") and rng.random() < 0.5:  # typed on a phone: no final stop, lower case
        paras = [p.rstrip(".") if rng.random() < 0.6 else p[:1].lower() + p[1:] for p in paras]
    if rng.random() < 0.3:  # phones and editors curl apostrophes
        paras = [p.replace("'", "’") for p in paras]
    items += [(p, "comment") for p in paras if p]
    if style["time"] == "after":
        items.append((fx.when(rng), "boilerplate"))
    if style["votes"]:
        items.append((fx.votes(rng, comment.votes if rng.random() < 0.5 else None),
                      "boilerplate"))
    for action in style["actions"]:
        if rng.random() < 0.9:
            items.append((action, "boilerplate"))
    return items


def comment_section(rng: random.Random, comments: list[Comment]) -> list[list[Item]]:
    """The blocks of a comment section: header block, then one block per comment."""
    style = {
        "name": rng.choice(["none", "none", "line", "line", "says", "name_time"]),
        "time": rng.choice(["none", "before", "after", "before"]),
        "votes": rng.random() < 0.4,
        "actions": rng.sample(fx.ACTIONS, rng.choice([0, 0, 1, 1, 2, 3])),
        "depth": rng.random() < 0.5,
    }
    if style["name"] == "none" and rng.random() < 0.5:
        style["time"] = "none"
    bare = rng.random() < 0.35  # a bare plain-text scrape: comments as paragraphs, no furniture
    if bare:
        style = {"name": "none", "time": "none", "votes": False, "actions": [], "depth": False}
    style["casual"] = rng.random() < 0.4
    header: list[Item] = []
    if rng.random() < 0.9:
        header.append((fx.comment_count_header(rng, len(comments)), "boilerplate"))
    for _ in range(rng.choice([0, 0, 0, 0, 1]) if bare else rng.choice([0, 0, 1, 2, 3])):
        header.append((fx.sign_in_prompt(rng), "boilerplate"))
    blocks = [header] if header else []
    for comment in comments:
        blocks.append(_comment_items(rng, comment, style))
        if rng.random() < 0.05:
            blocks.append([(fx.load_more(rng), "boilerplate")])
    if rng.random() < 0.3:
        blocks.append([(fx.load_more(rng), "boilerplate")])
    return blocks


def _pick_comments(rng: random.Random, side: Sources) -> list[Comment]:
    """Comments for one section; a third of sections draw mostly from the one-liners."""
    pool = side.comments
    if side.short_comments and rng.random() < 0.35:
        pool = side.short_comments
    n = min(len(pool), int(rng.choice([1, 2, 2, 3, 4, 5, 6, 8, 10, 15, 25])))
    chosen = rng.sample(pool, n) if n else []
    if pool is not side.comments and n > 1 and rng.random() < 0.5:  # and a few longer ones
        chosen[rng.randrange(n)] = rng.choice(side.comments)
    return chosen


def _article_blocks(rng: random.Random, art: Article, others: list[Article]) -> list[list[Item]]:
    blocks: list[list[Item]] = []
    head: list[Item] = []
    if art.title and rng.random() < 0.85:
        head.append((art.title, "boilerplate"))
    if rng.random() < 0.6:
        head += [(x, "boilerplate") for x in fx.byline(rng)]
    if head:
        blocks.append(head)
    body: list[Item] = []
    for i, para in enumerate(art.paragraphs):
        body.append((para, "body"))
        if i < len(art.paragraphs) - 1 and rng.random() < 0.06:
            body.append((fx.caption(rng, rng.choice(others).title or "File photo"),
                         "boilerplate"))
        if i < len(art.paragraphs) - 1 and rng.random() < 0.04:
            other = rng.choice(others).title or "More news"
            body.append((rng.choice(["Related: ", "RELATED: ", "Read more: ", "See also: ", ""])
                         + other, "boilerplate"))
    blocks.append(body)
    return blocks


def _extras(rng: random.Random, others: list[Article], site: str) -> list[list[Item]]:
    """Blocks that sit between article and comments: share bar, copyright, recommended."""
    blocks = []
    if rng.random() < 0.4:
        blocks.append([(x, "boilerplate") for x in fx.share_bar(rng)])
    if rng.random() < 0.5:
        blocks.append([(fx.copyright_line(rng, site), "boilerplate")])
    if rng.random() < 0.5:
        titles = [a.title for a in rng.sample(others, min(len(others), rng.randrange(0, 6)))]
        blocks.append([(fx.recommended_header(rng), "boilerplate")]
                      + [(t, "boilerplate") for t in titles if t])
    rng.shuffle(blocks)
    return blocks


def _site_parts(rng: random.Random, pages: list[WebPage]) -> tuple[list[Item], list[Item]]:
    """Real header and footer lines: what precedes the first / follows the last body line."""
    if not pages:
        return [], []
    page = rng.choice(pages)
    body_at = [i for i, k in enumerate(page.labels) if k == "body"] or [len(page.lines)]
    head = [(x, "boilerplate") for x in page.lines[: body_at[0]]]
    foot = [(x, "boilerplate") for x in page.lines[body_at[-1] + 1:]]
    return head[-rng.randrange(1, 40):] if head else [], foot[: rng.randrange(0, 40)]


def render(rng: random.Random, blocks: list[list[Item]], groups: set[str], kind: str) -> Page:
    """Lay blocks out as text with one of several blank-line styles."""
    style = rng.choice(["none", "every", "blocks", "blocks", "mixed"])
    lines: list[str] = []
    labels: list[str | None] = []
    for b, block in enumerate(blocks):
        if b and style in ("blocks", "mixed"):
            gap = rng.choice([1, 2, 2, 3]) if style == "blocks" else rng.randrange(0, 3)
            lines += [""] * gap
            labels += [None] * gap
        for j, (text, label) in enumerate(block):
            if j and (style == "every" or (style != "none" and style == "blocks"
                                           and label != "boilerplate")):
                lines.append("")
                labels.append(None)
            elif j and style == "mixed" and rng.random() < 0.3:
                lines.append("")
                labels.append(None)
            if b and not j and style == "every":
                lines.append("")
                labels.append(None)
            lines.append(text)
            labels.append(label)
    return Page(lines, labels, groups, kind)


# --- pages ----------------------------------------------------------------------------------


def template_page(rng: random.Random, side: Sources, with_comments: bool) -> Page:
    art = rng.choice(side.articles)
    site = fx.site_name(rng)
    head, foot = _site_parts(rng, side.pages)
    groups = {art.group}
    blocks: list[list[Item]] = []
    if head and rng.random() < 0.7:
        blocks.append(head)
    blocks += _article_blocks(rng, art, side.articles)
    extras = _extras(rng, side.articles, site)
    split_at = rng.randrange(len(extras) + 1)
    blocks += extras[:split_at]
    rules = [[(x, "boilerplate") for x in fx.rules_block(rng)]] if rng.random() < 0.5 else []
    if with_comments:
        chosen = _pick_comments(rng, side)
        groups |= {c.group for c in chosen}
        section = comment_section(rng, chosen)
        if rules and rng.random() < 0.35:
            blocks += rules + section
        else:
            blocks += section + rules
    else:
        blocks += rules
    blocks += extras[split_at:]
    if foot and rng.random() < 0.8:
        blocks.append(foot)
    return render(rng, [b for b in blocks if b], groups, "template")


def real_page(rng: random.Random, side: Sources, with_comments: bool) -> Page:
    page = rng.choice(side.pages)
    items = list(zip(page.lines, page.labels, strict=True))
    body_at = [i for i, (_, k) in enumerate(items) if k == "body"]
    if body_at:  # keep some of the site's header and footer, not hundreds of menu lines
        first, last = body_at[0], body_at[-1]
        items = items[max(0, first - rng.randrange(5, 60)): last + rng.randrange(5, 80)]
    groups = {page.group}
    body_at = [i for i, (_, k) in enumerate(items) if k == "body"]
    last = body_at[-1] if body_at else len(items) - 1
    cut = min(len(items), last + 1 + rng.choice([0, 0, 1, 2, 3, 5, 10]))
    blocks: list[list[Item]] = [items[:cut]]
    if with_comments:
        chosen = _pick_comments(rng, side)
        groups |= {c.group for c in chosen}
        blocks += comment_section(rng, chosen)
        if rng.random() < 0.5:
            blocks.append([(x, "boilerplate") for x in fx.rules_block(rng)])
    blocks.append(items[cut:])
    return render(rng, [b for b in blocks if b], groups, "real")


def thread_page(rng: random.Random, side: Sources, group: str) -> Page:
    art = next((a for a in side.articles if a.group == group), None)
    thread = side.threads[group]
    start = rng.randrange(max(1, len(thread) - 20))
    chosen = thread[start: start + rng.randrange(3, 30)]
    blocks = (_article_blocks(rng, art, side.articles) if art else []) + comment_section(
        rng, chosen)
    if rng.random() < 0.5:
        blocks.append([(x, "boilerplate") for x in fx.rules_block(rng)])
    return render(rng, blocks, {group}, "thread")


def build_pages(side: Sources, n_pages: int, seed: int) -> list[Page]:
    """Compose `n_pages` labelled pages from one side of the split."""
    rng = random.Random(seed)
    threads = [g for g in side.threads if side.threads[g]]
    out = []
    for _ in range(n_pages):
        roll = rng.random()
        with_comments = rng.random() < 0.75 and bool(side.comments)
        if threads and roll < 0.06:
            out.append(thread_page(rng, side, rng.choice(threads)))
        elif side.pages and roll < 0.5:
            out.append(real_page(rng, side, with_comments))
        else:
            out.append(template_page(rng, side, with_comments))
    return out
