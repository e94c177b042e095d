"""Coral's external moderation phase: the request it POSTs and the decision we answer.

Coral sends `{"action", "comment": {"body", "parentID"}, "author": {"id", "role"}, "story",
"site", "tenantID", "tenantDomain"}` for every new or edited comment and accepts, within its
timeout, either 204 (nothing to do) or 200 with `{"status"?, "actions"?, "tags"?}`; any other
status makes Coral skip the phase. Coral validates those three keys and strips any others, so
the answer carries nothing else; the decision and flags go in response headers for logs. The
phase sends the body as HTML or as plain text (its "format" setting); both are handled.

Mapping (see `decide`): approve -> 204; review -> a FLAG with reason COMMENT_DETECTED_TOXIC;
reject -> the configured status (REJECTED by default) plus the same FLAG, so moderators see why
in the comment's history. An approved comment that scores high on a signal rule (a rule of kind
"signal" in the rules file the model was trained with: share_with_us in the packaged rules)
may get the FEATURED tag suggestion when the site turns that on; a claim (be_truthful) never
does. A claim only tags by default (no change to the answer; the flag is in the headers); with
`on_flag = "review"` a comment flagged by a claim alone gets FLAG_CLAIM.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from ..errors import DataFormatError
from ..rules import claim_rules
from .config import STAFF_ROLES, ServiceConfig
from .payloads import field, optional

ACTIONS = ("NEW", "EDIT")
FLAG_TOXIC = {"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}
# Coral has no flag reason for "states a claim to check". A comment sent to review by a claim
# alone (be_truthful with on_flag = "review") gets the nearest reason that is not a false
# accusation of toxicity; with the default on_flag = "tag" a claim changes nothing in Coral's
# answer and shows only in the X-Moderation-Flags header.
FLAG_CLAIM = {"actionType": "FLAG", "reason": "COMMENT_DETECTED_SUSPECT_WORD"}


@dataclass(frozen=True)
class CoralComment:
    """The parts of a Coral request the decision depends on."""

    action: str
    text: str
    """The body as a reader sees it (html_to_text)."""
    raw: str
    """The body as typed (raw_text); scored too, the higher toxicity wins."""
    parent_id: str | None
    author_id: str
    author_role: str

    @property
    def by_staff(self) -> bool:
        return self.author_role.upper() in STAFF_ROLES


def parse_request(body: dict[str, Any]) -> CoralComment:
    """Validate a Coral request body; missing or mistyped fields raise DataFormatError.

    Fields the decision does not use (story, site, tenant) are only type-checked when present,
    so a Coral version that adds or drops one of them still gets an answer. Roles other than
    the staff ones (e.g. a newer MEMBER role) are scored like COMMENTER.
    """
    action = field(body, "action", str)
    if action not in ACTIONS:
        raise DataFormatError(f"field 'action' must be one of {', '.join(ACTIONS)}")
    comment = field(body, "comment", dict)
    author = field(body, "author", dict)
    story = optional(body, "story", dict)
    if story is not None:
        optional(story, "id", str, "story")
        optional(story, "url", str, "story")
    site = optional(body, "site", dict)
    if site is not None:
        optional(site, "id", str, "site")
    optional(body, "tenantID", str)
    optional(body, "tenantDomain", str)
    body = field(comment, "body", str, "comment")
    return CoralComment(
        action=action,
        text=html_to_text(body),
        raw=raw_text(body),
        parent_id=optional(comment, "parentID", str, "comment"),
        author_id=field(author, "id", str, "author"),
        author_role=field(author, "role", str, "author"),
    )


def decide(result: dict[str, Any], signals: dict[str, float | None],
           config: ServiceConfig, violations: frozenset[str] | None = None,
           claims: frozenset[str] = frozenset()) -> dict | None:
    """Coral's answer for one check() result: a response body, or None for 204. `signals` is
    `signal_thresholds` of the model, `violations` its violation rules and `claims` the rules
    its claim model scores (`claim_rules`): a review that no violation rule flagged and a
    claim rule did gets FLAG_CLAIM."""
    answer: dict[str, Any] = {}
    action = result.get("action")
    if action == "reject":
        answer["status"] = config.reject_status
        answer["actions"] = [dict(FLAG_TOXIC)]
    elif action == "review":
        flags = set(result.get("flags") or [])
        by_claim = violations is not None and not flags & violations and bool(flags & claims)
        answer["actions"] = [dict(FLAG_CLAIM if by_claim else FLAG_TOXIC)]
    elif config.featured and is_featured(result, signals, config):
        answer["tags"] = ["FEATURED"]
    return answer or None


def is_featured(result: dict[str, Any], signals: dict[str, float | None],
                config: ServiceConfig) -> bool:
    """Any signal rule at or over the configured threshold, else over its own review threshold
    (else flagged, when the model gives it none)."""
    scores = result.get("scores") or {}
    for rule, review in signals.items():
        score = scores.get(rule)
        if score is None:
            continue
        threshold = config.featured_threshold if config.featured_threshold is not None else review
        if threshold is None:
            if rule in (result.get("flags") or []):
                return True
        elif float(score) >= threshold:
            return True
    return False


def signal_thresholds(rule_kinds: dict[str, str], manifest: dict[str, Any]
                      ) -> dict[str, float | None]:
    """The model's signal rules that may suggest FEATURED (kind "signal" in `rule_kinds`, e.g.
    share_with_us; not a rule the claim model scores: a claim is no mark of quality), each
    with the review threshold the manifest gives it, if any."""
    reviews: dict[str, float | None] = {}
    claims = claim_rules(manifest)
    for rule in manifest.get("rules") or []:
        if isinstance(rule, dict) and isinstance(rule.get("id"), str):
            thresholds = rule.get("thresholds") or {}
            review = thresholds.get("review") if isinstance(thresholds, dict) else None
            reviews[rule["id"]] = float(review) if isinstance(review, int | float) else None
    return {rule: reviews.get(rule) for rule, kind in rule_kinds.items()
            if kind == "signal" and rule not in claims}


# Every element name of the HTML living standard (and a few obsolete ones still rendered).
# A "tag" with any other name is text a commenter typed between angle brackets.
HTML_ELEMENTS = frozenset(
    """a abbr acronym address area article aside audio b base basefont bdi bdo big blink
    blockquote body br button canvas caption center cite code col colgroup data datalist dd del
    details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
    frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend
    li link main map mark marquee menu meta meter nav nobr noembed noframes noscript object ol
    optgroup option output p param picture plaintext pre progress q rp rt ruby s samp script
    search section select slot small source span strike strong style sub summary sup table tbody
    td template textarea tfoot th thead time title tr track tt u ul var video wbr""".split()
)
BREAKS = frozenset(
    """address article aside blockquote br dd details div dl dt figcaption figure footer h1 h2
    h3 h4 h5 h6 header hr li main nav ol p pre section summary table tr ul""".split()
)
# The tokens of the HTML tokenizer that matter here: a comment, an end tag, a start tag
# (attribute values quoted or not, none holding "<"). No match runs past the next "<" and the
# quantifiers are possessive (no backtracking), so the work is linear in the body's length.
# Anything else starting with "<" is text, as in the HTML standard.
_MARKUP = re.compile(
    r"""<!--(?P<comment>[^<]*?)-->"""
    r"""|</(?P<end>[A-Za-z][^\s/<>]*+)[^<>]*+>"""
    r"""|<(?P<start>[A-Za-z][^\s/<>]*+)(?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+>"""
)
_CHARREF = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]{0,31};?)")
_MAX_CHARREF = 12  # "&#x10FFFF;" is 10 characters; longer numbers are not characters


def _unescape(text: str) -> str:
    """html.unescape, linear in time on any input.

    html.unescape itself turns `&#` and a decimal number into an int, and over 4,300 digits
    Python refuses that conversion (ValueError); such a reference is no character anyway.
    """
    if "&" not in text:
        return text

    return _CHARREF.sub(_replace_charref, text)


def _replace_charref(match: re.Match[str]) -> str:
    return _charref(match.group())


@functools.lru_cache(maxsize=4096)
def _charref(ref: str) -> str:
    if ref[1] == "#" and len(ref) > _MAX_CHARREF:
        return "\ufffd"
    return unescape(ref)


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def html_to_text(body: str) -> str:
    """The readable text of a Coral comment body: markup removed, entities unescaped.

    Only real HTML markup is removed: start and end tags of HTML elements (block elements
    become line breaks) and the `<!--` `-->` delimiters of comments. Everything else a commenter
    can type between angle brackets stays text: `<you are an idiot>` (no such element),
    `x<y and ... >:(`, an unclosed `<b` or `<!--`. The contents of `<script>`, `<style>` and
    `<template>` are kept too: Coral's editor never produces them, so whatever is inside was
    typed by the commenter. Every pattern runs in linear time (Python's html.parser, measured
    on CPython 3.11.7, takes 74 s on 64 KiB of `<a `; see tests/test_service.py).
    """
    if "<" not in body and "&" not in body:
        return body.strip()  # plain text, scored as typed
    parts: list[str] = []
    position = 0
    for match in _MARKUP.finditer(body):
        name = (match.group("start") or match.group("end") or "").lower()
        if match.group("comment") is None and name not in HTML_ELEMENTS:
            continue  # not markup: stays in the text between the matches
        parts.append(_unescape(body[position : match.start()]))
        if match.group("comment") is not None:
            parts.append(" " + _unescape(match.group("comment")) + " ")
        else:
            parts.append("\n" if name in BREAKS else "")
        position = match.end()
    parts.append(_unescape(body[position:]))
    return _tidy("".join(parts))


def raw_text(body: str) -> str:
    """The body as typed, entities unescaped, markup and all: scored beside html_to_text's
    rendering, so nothing a commenter can hide in markup escapes scoring."""
    return _unescape(body).strip()


def loggable(value: str, limit: int = 120) -> str:
    """`value` fit for one log line: control and other unprintable characters (CR, LF, ESC,
    U+2028, ...) escaped as `\\n`, `\\x1b`, `\\u2028`; at most `limit` characters kept."""
    cut = value[:limit]
    if not cut.isprintable():
        cut = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in cut)
    return cut + ("..." if len(value) > limit else "")
