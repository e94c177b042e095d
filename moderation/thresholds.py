"""A site's own review and reject thresholds, saved into a trained rules model.

`moderate train` chooses the thresholds (review: a share of acceptable news comments leaving
approve; reject: a precision). A site that looked at its own workload (see
notebooks/thresholds.ipynb) moves them with `set_thresholds`, without retraining: the model
file is checked on load as always, rewritten atomically with the new thresholds, and its
manifest keeps the training time and records each change (`thresholds_history`: when, which
rule, before and after), so that the figures of `moderate evaluate` can be traced to them.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import ModerateError
from .model_files import load_rules_model, rules_model_path
from .persist import save_model
from .settings import model_dir

LIMITS = ("review", "reject")
# Written by save_model itself; everything else in the manifest is carried over.
_OWN_KEYS = frozenset(("kind", "format", "file", "sha256", "versions", "model", "model_sha256",
                       "signature"))


class ThresholdError(ModerateError, ValueError):
    """A threshold change that cannot be applied (unknown rule, value out of range, ...)."""


def _checked(value: Any, rule: str, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or not 0.0 <= value <= 1.0:
        raise ThresholdError(f"{rule}.{name} must be a number in [0, 1] or None, not {value!r}")
    return float(value)


def set_thresholds(directory: str | os.PathLike[str] | None,
                   changes: dict[str, dict[str, float | None]],
                   key: str | bytes | None = None) -> dict[str, Any]:
    """Set `changes` ({rule id: {"review": t, "reject": t}}; None removes a limit) in the rules
    model of `directory` (default: the configured model directory) and return the new
    manifest. Nothing is written unless every change is valid."""
    from .train import rules_manifest_entries

    path = rules_model_path(Path(model_dir(directory)))
    model, manifest = load_rules_model(path, key)
    rules = {rule.id: rule for rule in model.rules}
    thresholds = {rule_id: dict(limits) if limits else limits
                  for rule_id, limits in model.thresholds.items()}
    history = []
    for rule_id, limits in changes.items():
        rule = rules.get(rule_id)
        if rule is None:
            raise ThresholdError(f"no rule {rule_id!r} in {path} (rules: {', '.join(rules)})")
        if thresholds.get(rule_id) is None:
            raise ThresholdError(f"{rule_id} is not scored by this model: it has no thresholds")
        allowed = ("review",) if rule.kind == "signal" else LIMITS
        unknown = set(limits) - set(allowed)
        if unknown:
            raise ThresholdError(f"{rule_id} takes {' and '.join(allowed)} thresholds, "
                                 f"not {', '.join(sorted(unknown))}")
        before = dict(thresholds[rule_id])
        new = {**before, **{name: _checked(v, rule_id, name) for name, v in limits.items()}}
        if new.get("review") is not None and new.get("reject") is not None and (
                new["review"] > new["reject"]):
            raise ThresholdError(f"{rule_id}: review threshold {new['review']} is above the "
                                 f"reject threshold {new['reject']}")
        thresholds[rule_id] = new
        history.append({"rule": rule_id, "before": before, "after": new})
    model.thresholds = thresholds
    info = {k: v for k, v in manifest.items() if k not in _OWN_KEYS}
    info["rules"] = rules_manifest_entries(model.rules, thresholds, model.scored)
    info["thresholds_history"] = [*manifest.get("thresholds_history", []), {
        "at": datetime.now(UTC).isoformat(timespec="seconds"), "changes": history}]
    return save_model(path, "rules", *model.to_state(), info=info, key=key)
