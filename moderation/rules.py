"""Posting rules as data: a TOML file the site can edit, parsed into Rule objects.

Each rule has an id, a title, the text shown to readers, a kind ("violation" rules drive the
action, "signal" rules such as share_with_us only flag, or with `on_flag = "review"` also send
to review), which model scores it (`scored_by`: the rules model, or the claim model of
moderation.claims for be_truthful), the training labels that feed it, and
optionally its prevalence: the share of the site's comments that breach it, which turns the
validation split's (source-mixed, toxic-enriched) rates into the precision a site will see.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RulesError
from .settings import DEFAULT_RULES_FILE

KINDS = ("violation", "signal")
SCORERS = ("rules", "claims")  # which model scores a rule: see moderation.claims
ON_FLAG = ("tag", "review")  # what a flagged signal does to the action


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str
    kind: str = "violation"
    labels: tuple[str, ...] = field(default_factory=tuple)
    prevalence: float | None = None  # share of real comments that breach it, for thresholds
    scored_by: str = "rules"  # "claims": sentence by sentence by the claim model
    on_flag: str = "tag"  # a signal's flag only tags ("tag") or also sends to review

    @property
    def feeding_labels(self) -> tuple[str, ...]:
        """The label columns that feed this rule: its own id plus the labels it lists."""
        return (self.id, *[label for label in self.labels if label != self.id])


def claim_rules(manifest: dict) -> frozenset[str]:
    """The rules a saved model's claim model scores (`scored_by = "claims"` in the rule
    entries of its manifest)."""
    return frozenset(rule["id"] for rule in manifest.get("rules") or []
                     if isinstance(rule, dict) and isinstance(rule.get("id"), str)
                     and rule.get("scored_by") == "claims")


def _read(path: str | os.PathLike[str] | None) -> tuple[Path, dict]:
    path = Path(path) if path else DEFAULT_RULES_FILE
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {path}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"rules file {path} is not valid TOML: {exc}") from exc


def load_review_rate(path: str | os.PathLike[str] | None = None) -> float | None:
    """The rules file's `review_rate`: the share of acceptable comments that may leave approve
    (None when the file does not set one)."""
    path, data = _read(path)
    rate = data.get("review_rate")
    if rate is None:
        return None
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < 1:
        raise RulesError(f"review_rate in {path} must be a number between 0 and 1")
    return float(rate)


def load_rules(path: str | os.PathLike[str] | None = None) -> list[Rule]:
    """Parse a rules TOML file (the packaged default when `path` is None)."""
    path, data = _read(path)
    entries = data.get("rule")
    if not isinstance(entries, list) or not entries:
        raise RulesError(f"rules file {path} has no [[rule]] entries")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        missing = [k for k in ("id", "title", "text") if not isinstance(entry.get(k), str)]
        if missing:
            raise RulesError(f"rule #{i} in {path} lacks {', '.join(missing)}")
        rule_id = entry["id"]
        if not rule_id.isidentifier() or rule_id != rule_id.lower():
            raise RulesError(f"rule id {rule_id!r} in {path} is not snake_case")
        if rule_id in seen:
            raise RulesError(f"rule id {rule_id!r} appears twice in {path}")
        kind = entry.get("kind", "violation")
        if kind not in KINDS:
            raise RulesError(f"rule {rule_id!r} has kind {kind!r}; use one of {KINDS}")
        labels = entry.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise RulesError(f"rule {rule_id!r}: labels must be a list of strings")
        prevalence = entry.get("prevalence")
        if prevalence is not None and not (isinstance(prevalence, float) and 0 < prevalence < 1):
            raise RulesError(f"rule {rule_id!r}: prevalence must be a number between 0 and 1")
        scored_by = entry.get("scored_by", "rules")
        if scored_by not in SCORERS:
            raise RulesError(f"rule {rule_id!r} has scored_by {scored_by!r}; use one of "
                             f"{SCORERS}")
        if scored_by == "claims" and kind != "signal":
            raise RulesError(f"rule {rule_id!r}: a rule scored by the claim model must be of "
                             "kind \"signal\" (a claim is pointed out, never rejected)")
        on_flag = entry.get("on_flag", "tag")
        if on_flag not in ON_FLAG:
            raise RulesError(f"rule {rule_id!r} has on_flag {on_flag!r}; use one of {ON_FLAG}")
        seen.add(rule_id)
        rules.append(Rule(rule_id, entry["title"], entry["text"], kind, tuple(labels),
                          prevalence, scored_by, on_flag))
    return rules
