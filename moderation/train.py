"""`moderate train` as a library call: corpus -> rules model (+ page splitter) -> models/.

Silent; returns a summary dict. A failure anywhere leaves the models already in `out_dir`
untouched, because each artifact is written to a temporary file and renamed (moderation.persist).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .corpus import SOURCES, build_corpus, is_acceptable, rule_targets, sample_weights
from .errors import DataSourceError
from .loaders import LABELS, load_site_csv
from .persist import save_model
from .progress import stage
from .rule_model import REJECT_PRECISION, REVIEW_RATE, REVIEW_RECALL, RulesModel, train_rules
from .rules import load_review_rate, load_rules
from .settings import RULES_MODEL_NAME, SPLITTER_MODEL_NAME


def rules_manifest_entries(rules, thresholds, scored) -> list[dict[str, Any]]:
    return [{"id": r.id, "title": r.title, "kind": r.kind, "text": r.text,
             "labels": list(r.feeding_labels), "scored": bool(s), "thresholds": thresholds[r.id],
             "scored_by": r.scored_by, "on_flag": r.on_flag}
            for r, s in zip(rules, scored, strict=True)]


def train_rules_part(data_dir: Path, out_dir: Path, *, rules_path: Path | None = None,
                     site_data: Path | None = None, sources: tuple[str, ...] = SOURCES,
                     seed: int = 0, review_recall: float = REVIEW_RECALL,
                     reject_precision: float = REJECT_PRECISION,
                     max_review_rate: float | None = None,
                     key: str | None = None) -> dict[str, Any]:
    """Train the rules model. Review thresholds keep the share of acceptable C3 calibration
    comments leaving approve within `max_review_rate` (else the rules file's `review_rate`,
    else REVIEW_RATE); without C3 they fall back to `review_recall` on validation rows."""
    started = time.perf_counter()
    rules = load_rules(rules_path)
    review_rate = max_review_rate or load_review_rate(rules_path) or REVIEW_RATE
    extra = None
    if site_data is not None:
        extra = load_site_csv(site_data, set(LABELS) | {r.id for r in rules})
    with stage("rules: loading the data sets"):
        corpus = build_corpus(data_dir, sources, extra)
    texts = [ex.text for ex in corpus.train]
    targets = rule_targets(corpus.train, rules)
    acceptable = [ex for ex in corpus.calibration if is_acceptable(ex)]
    model, _, info = train_rules(texts, targets, rules, sample_weights(corpus.train), seed=seed,
                                 review_recall=review_recall,
                                 reject_precision=reject_precision,
                                 calibration_texts=[ex.text for ex in acceptable],
                                 calibration_groups=[ex.group for ex in acceptable],
                                 review_rate=review_rate)
    if any(rule.scored_by == "claims" for rule in rules):
        info["claims"] = _attach_claim_model(model, data_dir)
    info.update({
        "rules": rules_manifest_entries(rules, model.thresholds, model.scored),
        "sources": corpus.counts,
        "labelled_rows": {r.id: int((targets[:, j] >= 0).sum()) for j, r in enumerate(rules)},
        "non_commercial_sources": [s for s in ("c3", "sfu_ctc") if s in sources],
        "training_seconds": round(time.perf_counter() - started, 1),
    })
    path = out_dir / RULES_MODEL_NAME
    arrays, meta = model.to_state()
    with stage("rules: saving"):
        manifest = save_model(path, "rules", arrays, meta, info, key=key)
    return {"path": str(path), "manifest": manifest}


def _attach_claim_model(model: RulesModel, data_dir: Path) -> dict[str, Any]:
    """Train the claim model into `model` and give its rules their flag threshold; without
    ClaimBuster in the data directory those rules stay unscored."""
    from .claims_train import train_claim_model

    try:
        claims, threshold, info = train_claim_model(data_dir)
    except DataSourceError as exc:
        return {"trained": False, "why": str(exc)}
    model.attach_claims(claims, threshold)
    return {"trained": True, **info}


def train_split_part(data_dir: Path, out_dir: Path, *, seed: int = 0,
                     key: str | None = None) -> dict[str, Any]:
    from .splitter import train_splitter

    started = time.perf_counter()
    model, info = train_splitter(data_dir, seed=seed)
    info = dict(info)
    info["training_seconds"] = round(time.perf_counter() - started, 1)
    path = out_dir / SPLITTER_MODEL_NAME
    arrays, meta = model.to_state()
    manifest = save_model(path, "splitter", arrays, meta, info, key=key)
    return {"path": str(path), "manifest": manifest}


def train(data_dir: Path, out_dir: Path, *, only: str | None = None, **options: Any
          ) -> dict[str, dict[str, Any]]:
    """Train the rules model and the splitter (or `only` one of them) into `out_dir`."""
    results: dict[str, dict[str, Any]] = {}
    if only in (None, "rules"):
        results["rules"] = train_rules_part(data_dir, out_dir, **options)
    if only in (None, "split"):
        results["split"] = train_split_part(data_dir, out_dir, seed=options.get("seed", 0),
                                            key=options.get("key"))
    return results
