"""MODEL_CARD.md, written from a model's manifests and one evaluation run.

`moderate evaluate --model-card PATH` calls `render_model_card` after the evaluation it prints,
so every figure in the card comes from the manifests (what was trained, on what, when, with
which thresholds) or from that run (held-out figures); none is typed by hand. What is written
here by hand is prose that no run measures: intended use, what each data licence means for a
site, the failure modes a moderator should expect, and how a site retrains. Failure modes that
a run does measure (checklist functionalities below 60%, the identity term with the worst
BPSN AUC, comment-free pages given a comment line) are listed from the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .rules import claim_rules

# Not training data, but part of how every text is read, in training and in scoring.
WORD_LIST_NOTE = ("Words run together (`youareanidiot`) are split with symspellpy's English "
                  "word list (82,765 words with Google Books n-gram counts, MIT licence), read "
                  "from the installed package.")

# Each training set's licence (from its SOURCE.md) and what it means for a site using a model
# trained on it. Sets not listed here are reported as "see its SOURCE.md".
SOURCE_LICENCES: dict[str, tuple[str, str]] = {
    "jigsaw_predibase": ("data CC0; comment text CC BY-SA 3.0 (Wikipedia)",
                         "attribution, share-alike for the text"),
    "jigsaw_khanhhk": ("data CC0; comment text CC BY-SA 3.0 (Wikipedia)",
                       "attribution, share-alike for the text"),
    "toxic_spans": ("CC0", "none"),
    "davidson": ("MIT", "permissive"),
    "olid": ("none stated", "unknown: check before commercial use"),
    "edos": ("CC0", "none"),
    "ethos": ("GPL-3.0", "**copyleft**: redistributing a model or data derived from it may "
              "oblige you to release it under the GPL"),
    "hatexplain_magpie": ("MIT (MAGPIE copy Apache-2.0)", "permissive"),
    "gab_hate_corpus": ("CC BY 4.0", "attribution: cite Kennedy et al. 2022"),
    "implicit_hate": ("CC BY 4.0", "attribution: cite ElSherief et al. 2021"),
    "contrasts": ("this project's own templates", "as the project"),
    "c3": ("not stated; its parent corpus SOCC is CC BY-NC-SA 4.0",
           "**non-commercial**, share-alike: a commercial site must retrain without it or "
           "obtain a licence"),
    "sfu_ctc": ("CC BY-NC-SA 4.0", "**non-commercial**, share-alike: a commercial site must "
                "retrain without it or obtain a licence"),
    "dragnet_train": ("AGPLv3", "**copyleft, also as a service**: works derived from the data, "
                      "this splitter included, must be open-sourced even when only offered "
                      "over a network"),
}
CLAIM_SOURCES = ("ClaimBuster (`claimbuster`, U.S. presidential debate sentences, CC BY 4.0: "
                 "cite Arslan et al. 2020) and our labelled sentences of C3 comments "
                 "(`data/claims/`; C3's licence applies to their text: **non-commercial**)")
SPLITTER_SOURCE = "dragnet_train"
CHECKLIST_FLOOR = 0.6

INTENDED_USE = """\
Triage of reader comments on news sites into approve / review / reject, one probability per
posting rule, with the words that drove each score. It assists human moderators: `review`
means a person decides. It is not meant for automatic decisions about people (bans,
reputation scores), and a `reject` should stay reversible by a moderator. It was trained and
evaluated on English only."""

KNOWN_FAILURES = """\
- **Identity terms.** Group names are read as one token (`identityterm`) so that naming a group
  is not toxic by itself; the model still leans on words that co-occur with hate in training.
- **Sarcasm and irony** are read literally.
- **Quoted slurs and hate reported in order to condemn it** (counter-speech) are often sent to
  review: the words are there, the stance is not modelled.
- **Threats without threat words** ("we know where your kids go to school") score low; violent
  idioms and crime reports ("the robber was stabbed") can score high.
- **Padding**: a toxic comment followed by a run of friendly words scores lower and can pass
  under the review threshold (`moderate evaluate --perturb`, rewrite `benign`).
- **Style of the training data**: much of it is Wikipedia talk pages, tweets and Gab posts;
  figures on a site's own comments can differ. Measure on your own decisions (below)."""

RETRAINING = """\
A site retrains on its own moderation decisions with `moderate train --data decisions.csv`
(a `text` column and one 0/1 column per rule id; blank = unknown), and moves its review queue
with `--max-review-rate` or `review_rate` in `rules.toml`. To drop a data set (for instance
the non-commercial ones), edit its row of `SOURCE_POLICY` in `moderation/corpus.py` so it speaks
for no label, retrain, and regenerate this card with
`moderate evaluate --model-card MODEL_CARD.md`."""


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    return f"{value:.3f}" if isinstance(value, float) else str(value).replace("|", "/")


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows of dicts as a Markdown table (columns in first-seen order unless given)."""
    if not rows:
        return "(none)"
    columns = list(columns or dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _sources(manifest: dict[str, Any]) -> str:
    rows = []
    for name, counts in manifest.get("sources", {}).items():
        trained = counts.get("train", 0)
        licence, meaning = SOURCE_LICENCES.get(name, ("see its SOURCE.md", ""))
        rows.append({"data set": name, "rows trained": trained,
                     "held out for evaluation": counts.get("evaluation", 0),
                     "licence": licence, "what it means for a site": meaning if trained else
                     "not trained on (evaluation only or no label)"})
    return markdown_table(rows)


def _thresholds(manifest: dict[str, Any]) -> str:
    rows = []
    for rule in manifest.get("rules", []):
        thresholds = rule.get("thresholds") or {}
        rows.append({"rule": rule["id"], "title": rule.get("title", ""),
                     "kind": rule.get("kind", ""),
                     "scored": "yes" if rule.get("scored") else "no (no labelled rows)",
                     "review at": thresholds.get("review"), "reject at": thresholds.get("reject"),
                     "scored by": rule.get("scored_by", "rules"),
                     "a flag": ("" if rule.get("kind") != "signal" else
                                "sends to review" if rule.get("on_flag") == "review" else
                                "only tags")})
    return markdown_table(rows)


def _claims(rules: dict[str, Any], result: dict[str, Any]) -> list[str]:
    info = rules.get("claims")
    if not info:
        return []
    if not info.get("trained"):
        return ["## Claim model (be_truthful)", "", f"Not trained: {info.get('why')}; "
                "be_truthful is not scored.", ""]
    sentences = info.get("training_sentences", {})
    out = ["## Claim model (be_truthful)", "",
           "Points out sentences that state a check-worthy claim of fact, and whom they are "
           "about; it does not judge whether a claim is true, and never rejects. Trained on "
           f"{sentences.get('claimbuster')} sentences of {CLAIM_SOURCES}, "
           f"{sentences.get('comments')} of the latter; flag threshold chosen for "
           f"{info.get('precision_target')} precision on our labelled dev comment sentences.",
           ""]
    scored_by_claims = claim_rules(rules)
    rows = [{"data": r["data"], "gold": r["gold"], "positives": r.get("positives"),
             "ROC AUC": r.get("roc_auc"), "precision at flag": r.get("precision@review"),
             "recall at flag": r.get("recall@review")}
            for r in result.get("rules", []) if r.get("rule") in scored_by_claims]
    if rows:
        out += ["Held-out sentences:", "", markdown_table(rows), ""]
    return out


def _measured_failures(result: dict[str, Any]) -> list[str]:
    out = []
    checklist = result.get("checklist")
    if checklist:
        for row in checklist["per_functionality"]:
            if row["right"] < CHECKLIST_FLOOR:
                out.append(f"- Checklist `{row['functionality']}`: {row['right']:.0%} of "
                           f"{row['n']} cases get the right action ({row['action']} expected).")
    for bias in (result.get("bias"), *result.get("bias_rules", {}).values()):
        if bias and bias.get("per_term"):
            worst = bias["per_term"][0]
            out.append(f"- `{bias['rule']}` on bias_madlibs: worst identity term "
                       f"*{worst['term']}*, BPSN AUC {_cell(worst['bpsn_auc'])} "
                       f"(overall AUC {_cell(bias['overall_auc'])}).")
    split = result.get("splitter", {}).get("real", {})
    for name, metrics in split.items():
        out.append(f"- Page splitter ({name}): {metrics['comment_free_pages_with_comment_line']}"
                   f" of {metrics['comment_free_pages']} held-out pages whose gold has no "
                   "comments get a line called comment (the gold misses some real threads).")
    return out


def _splitter(split: dict[str, Any]) -> str:
    rows = []
    for name, metrics in split.get("real", {}).items():
        word = metrics["word_weighted"]
        rows.append({"rendering": name, "pages": metrics["pages"],
                     "body word F1": word["body"]["f1"], "comment word F1": word["comment"]["f1"],
                     "boilerplate word F1": word["boilerplate"]["f1"],
                     "comment-free pages with a comment line":
                         f"{metrics['comment_free_pages_with_comment_line']}/"
                         f"{metrics['comment_free_pages']}"})
    return markdown_table(rows)


def render_model_card(manifests: dict[str, dict[str, Any]], result: dict[str, Any],
                      auc_matrix: list[dict[str, Any]], recall_matrix: list[dict[str, Any]]
                      ) -> str:
    """The card's Markdown. `manifests` maps "rules" / "splitter" to a model's manifest (either
    may be missing); `result` is `moderation.evaluate.evaluate`'s; the matrices are the rules x
    sets tables the CLI prints (ROC AUC, recall at the review threshold)."""
    rules = manifests.get("rules", {})
    parts = ["# Model card: moderate", "",
             "Generated by `moderate evaluate --model-card` from the model manifests and one "
             "evaluation run; do not edit by hand.", ""]
    for kind, manifest in manifests.items():
        versions = ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())
        parts.append(f"- **{kind} model** `{manifest.get('file')}`: sha256 "
                     f"`{str(manifest.get('sha256', ''))[:12]}`, trained "
                     f"{manifest.get('trained_at', '?')}, with {versions}.")
    parts += ["", "## Intended use", "", INTENDED_USE, ""]
    if rules:
        parts += ["## Rules and thresholds", "", _thresholds(rules), ""]
        calibration = rules.get("calibration") or {}
        if calibration:
            parts += [f"Review thresholds are set so that at most "
                      f"{calibration.get('review_rate', 0):.0%} of acceptable real news "
                      f"comments (C3 calibration articles, never trained on; "
                      f"{calibration.get('rows')} comments) leave approve.", ""]
        parts += ["## Training data", "", f"{rules.get('training_rows')} rows, "
                  f"{rules.get('n_features')} features.", "", _sources(rules), "",
                  WORD_LIST_NOTE, ""]
        non_commercial = rules.get("non_commercial_sources") or []
        if non_commercial:
            parts += [f"**Non-commercial data**: this model was trained on "
                      f"{', '.join(non_commercial)} (CC BY-NC-SA). A commercial site must "
                      "retrain without them (see Retraining) or obtain a licence.", ""]
    parts += _claims(rules, result)
    if "rules" in result:
        parts += ["## Held-out figures", "", "ROC AUC, rules x evaluation sets (none trained "
                  "or tuned on):", "", markdown_table(auc_matrix), "",
                  "Recall at the saved review threshold:", "", markdown_table(recall_matrix), ""]
        queue = result.get("review_queue")
        if queue:
            parts += [f"Review queue: on C3's held-out articles, {queue['leave_approve']:.1%} "
                      f"of {queue['acceptable_comments']} comments judged acceptable leave "
                      f"approve ({queue['rejected']:.1%} rejected).", ""]
        checklist = result.get("checklist")
        if checklist:
            parts += [f"Functional checklist (our own, evaluation only): {checklist['right']:.1%}"
                      f" of {checklist['cases']} cases get the right action.", "",
                      markdown_table(checklist["per_functionality"],
                                     ["functionality", "action", "n", "right"]), ""]
    if "splitter" in manifests:
        info = manifests["splitter"].get("splitter", {})
        pages = {name: src.get("pages") for name, src in info.get("sources", {}).items()}
        licences = info.get("licences", {})
        parts += ["## Page splitter", "", "Training pages: " + ", ".join(
            f"{name} {n}" for name, n in pages.items()) + ". Licences: " + "; ".join(
            f"{name}: {text}" for name, text in licences.items()) + ".", ""]
        if SPLITTER_SOURCE in pages:
            parts += [f"{SPLITTER_SOURCE}: {SOURCE_LICENCES[SPLITTER_SOURCE][1]}.", ""]
        if "splitter" in result:
            parts += ["Word-weighted F1 on real pages of held-out sites:", "",
                      _splitter(result["splitter"]), ""]
    parts += ["## Known failure modes", "", KNOWN_FAILURES]
    measured = _measured_failures(result)
    if measured:
        parts += ["", "Measured in this run:", "", *measured]
    parts += ["", "## Retraining", "", RETRAINING, ""]
    return "\n".join(parts)
