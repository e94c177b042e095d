"""Coral's external moderation phase: the request it POSTs and the decision we answer.

Coral sends `{"action", "comment": {"body", "parentID"}, "author": {"id", "role"}, "story",
"site", "tenantID", "tenantDomain"}` for every new or edited comment and accepts, within its
timeout, either 204 (nothing to do) or 200 with `{"status"?, "actions"?, "tags"?}`; any other
status makes Coral skip the phase. Coral validates those three keys and strips any others, so
the answer carries nothing else; the decision and flags go in response headers for logs. The
phase sends the body as HTML or as plain text (its "format" setting); both are handled.

Mapping (see `decide`): approve -> 204; review -> a FLAG with reason COMMENT_DETECTED_TOXIC;
reject -> the configured status (REJECTED by default) plus the same FLAG, so moderators see why
in the comment's history. An approved comment whose share_with_us signal is high may get the
FEATURED tag suggestion when the site turns that on.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any

from ..errors import DataFormatError
from .config import STAFF_ROLES, ServiceConfig
from .payloads import field, optional

ACTIONS = ("NEW", "EDIT")
FLAG_TOXIC = {"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}
SIGNAL_RULE = "share_with_us"


@dataclass(frozen=True)
class CoralComment:
    """The parts of a Coral request the decision depends on."""

    action: str
    text: str
    parent_id: str | None
    author_id: str
    author_role: str

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

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
    return CoralComment(
        action=action,
        text=html_to_text(field(comment, "body", str, "comment")),
        parent_id=optional(comment, "parentID", str, "comment"),
        author_id=field(author, "id", str, "author"),
        author_role=field(author, "role", str, "author"),
    )


def decide(result: dict[str, Any], manifest: dict[str, Any], config: ServiceConfig) -> dict | None:
    """Coral's answer for one check() result: a response body, or None for 204."""
    answer: dict[str, Any] = {}
    action = result.get("action")
    if action == "reject":
        answer["status"] = config.reject_status
        answer["actions"] = [dict(FLAG_TOXIC)]
    elif action == "review":
        answer["actions"] = [dict(FLAG_TOXIC)]
    elif config.featured and is_featured(result, manifest, config):
        answer["tags"] = ["FEATURED"]
    return answer or None


def is_featured(result: dict[str, Any], manifest: dict[str, Any], config: ServiceConfig) -> bool:
    """share_with_us at or over the configured threshold, else over its own review threshold."""
    score = (result.get("scores") or {}).get(SIGNAL_RULE)
    if score is None:
        return False
    threshold = config.featured_threshold
    if threshold is None:
        threshold = signal_review_threshold(manifest)
    if threshold is None:
        return SIGNAL_RULE in (result.get("flags") or [])
    return float(score) >= threshold


def signal_review_threshold(manifest: dict[str, Any]) -> float | None:
    """The review threshold the model's manifest gives share_with_us, if any."""
    for rule in manifest.get("rules") or []:
        if isinstance(rule, dict) and rule.get("id") == SIGNAL_RULE:
            thresholds = rule.get("thresholds") or {}
            review = thresholds.get("review") if isinstance(thresholds, dict) else None
            return float(review) if isinstance(review, int | float) else None
    return None


class _TextExtractor(HTMLParser):
    """Collect text, with line breaks for block elements and nothing from script/style."""

    BREAKS = frozenset({"br", "p", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5"})
    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(body: str) -> str:
    """The readable text of a Coral comment body: tags stripped, entities unescaped."""
    if "<" not in body and "&" not in body:
        return body.strip()
    parser = _TextExtractor()
    try:
        parser.feed(body)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # html.parser is lenient, but never let a body crash the request
        text = unescape(body)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
