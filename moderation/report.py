"""`moderate evaluate --report DIR`: what the model does, for an editor, as one HTML page.

`write_report` takes the result of `moderation.evaluate.evaluate` and the per-cell scores it
kept (`keep=`), and writes DIR/index.html with PNG figures beside it (matplotlib, the optional
`report` extra; Agg backend, no network: the page opens from disk). Every number in the page
comes from that one run, so it equals `moderate evaluate --json` of the same model:

- per rule, the precision-recall and ROC curves on every evaluation set, with the saved review
  (circle) and reject (cross) thresholds marked;
- per rule, the workload curve: the share of *acceptable* real news comments (C3 held-out
  articles) sent to review against the share of violations caught on each set;
- a calibration plot per rule on its first evaluation set (the Jigsaw test rows, sampled half
  toxic, so scores there are not a real stream's rates);
- the rules x sets ROC AUC table, the identity bias table (worst BPSN first), the top positive
  n-grams per rule, the 10 most confident false positives and false negatives per rule on its
  first evaluation set with the words that drove them, and the splitter's line confusion
  table on held-out real pages.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

N_ERRORS = 10
N_NGRAMS = 15
FIGURE_DPI = 90
MIN_BIN_ROWS = 20  # fewer rows make a bin's share of violations noise


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:
        from .errors import ModerateError

        raise ModerateError("the report needs matplotlib: pip install 'moderate[report]'") \
            from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _esc(value: Any) -> str:
    if value is None:
        return ""
    return html.escape(f"{value:.3f}" if isinstance(value, float) else str(value))


def html_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Rows of dicts as an HTML table (columns in first-seen order unless given)."""
    if not rows:
        return "<p>(none)</p>"
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_esc(row.get(c))}</td>" for c in columns) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _curve_points(y: np.ndarray, p: np.ndarray, t: float) -> tuple[float, float, float]:
    """(recall, precision, false positive rate) when flagging at p >= t."""
    flagged = p >= t
    tp = float((flagged & (y == 1)).sum())
    recall = tp / max(1, int((y == 1).sum()))
    precision = tp / max(1, int(flagged.sum()))
    fpr = float((flagged & (y == 0)).sum()) / max(1, int((y == 0).sum()))
    return recall, precision, fpr


def _curves(plt, cells: list[dict[str, Any]], thresholds: dict[str, Any], rule: str,
            out: Path) -> str:
    from sklearn.metrics import precision_recall_curve, roc_curve

    fig, (pr, roc) = plt.subplots(1, 2, figsize=(11, 4.2))
    for cell in cells:
        y, p = cell["y"], cell["p"]
        if not 0 < y.sum() < len(y):
            continue
        label = f"{cell['data']} ({cell['gold']})"
        precision, recall, _ = precision_recall_curve(y, p)
        line, = pr.plot(recall, precision, label=label)
        fpr, tpr, _ = roc_curve(y, p)
        roc.plot(fpr, tpr, color=line.get_color(), label=label)
        for name, marker in (("review", "o"), ("reject", "x")):
            t = (thresholds or {}).get(name)
            if t is None:
                continue
            r, prec, f = _curve_points(y, p, t)
            pr.plot([r], [prec], marker, color=line.get_color(), markersize=8)
            roc.plot([f], [r], marker, color=line.get_color(), markersize=8)
    pr.set(title=f"{rule}: precision-recall (o review, x reject threshold)", xlabel="recall",
           ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
    roc.plot([0, 1], [0, 1], ":", color="grey")
    roc.set(title=f"{rule}: ROC", xlabel="false positive rate", ylabel="true positive rate",
            xlim=(0, 1), ylim=(0, 1.02))
    pr.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    name = f"curves_{rule}.png"
    fig.savefig(out / name, dpi=FIGURE_DPI)
    plt.close(fig)
    return name


def _workload(plt, cells: list[dict[str, Any]], acceptable: np.ndarray, thresholds: dict,
              rule: str, out: Path) -> str:
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    # thresholds at log-spaced shares of acceptable comments flagged (0.03% to all)
    grid = np.unique(np.quantile(acceptable, 1 - np.logspace(-3.5, 0, 200)))
    queued = [(acceptable >= t).mean() for t in grid]
    for cell in cells:
        y, p = cell["y"], cell["p"]
        if not y.sum():
            continue
        caught = [(p[y == 1] >= t).mean() for t in grid]
        line, = ax.plot(queued, caught, label=f"{cell['data']} ({cell['gold']})")
        for name, marker in (("review", "o"), ("reject", "x")):
            t = (thresholds or {}).get(name)
            if t is not None:
                ax.plot([(acceptable >= t).mean()], [(p[y == 1] >= t).mean()], marker,
                        color=line.get_color(), markersize=8)
    ax.set(title=f"{rule}: review workload vs. violations caught",
           xlabel="acceptable C3 comments flagged (share)", ylabel="violations caught (recall)",
           xscale="log", xlim=(1e-3, 1), ylim=(0, 1.02))
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    name = f"workload_{rule}.png"
    fig.savefig(out / name, dpi=FIGURE_DPI)
    plt.close(fig)
    return name


def _calibration(plt, cells_by_rule: dict[str, list[dict[str, Any]]],
                 thresholds: dict[str, Any], out: Path) -> str:
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for rule, cells in cells_by_rule.items():
        cell = cells[0]
        y, p = cell["y"], cell["p"]
        bins = np.clip((p * 10).astype(int), 0, 9)
        full = [b for b in range(10) if (bins == b).sum() >= MIN_BIN_ROWS]
        line, = ax.plot([p[bins == b].mean() for b in full], [y[bins == b].mean() for b in full],
                        "o-", label=f"{rule} on {cell['data']}")
        review = (thresholds.get(rule) or {}).get("review")
        if review is not None:  # the review threshold, as a dashed line in the rule's colour
            ax.axvline(review, linestyle="--", linewidth=0.8, color=line.get_color())
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(title=f"calibration (10 bins of the score, bins of {MIN_BIN_ROWS}+ rows;\n"
                 "dashed: review thresholds)",
           xlabel="mean score in bin",
           ylabel="share of violations in bin", xlim=(0, 1), ylim=(0, 1))
    ax.legend(fontsize=7)
    fig.tight_layout()
    name = "calibration.png"
    fig.savefig(out / name, dpi=FIGURE_DPI)
    plt.close(fig)
    return name


def top_ngrams(model, rule: str, n: int = N_NGRAMS) -> list[dict[str, Any]]:
    """The n-grams with the largest positive weights for `rule` (word and char; for a rule
    the claim model scores, the claim model's)."""
    j = model.rule_ids.index(rule)
    scorer = model.scorer
    if j in model.claim_columns:
        scorer, j = model.claims.scorer, 0
    coef = scorer.coef[:, j]
    names = ([("word", term) for term in scorer.word_terms]
             + [("char", term) for term in scorer.char_terms])
    order = np.argsort(-coef, kind="stable")[:n]
    return [{"kind": names[i][0], "ngram": names[i][1], "weight": round(float(coef[i]), 4)}
            for i in order]


def confident_errors(model, cell: dict[str, Any], rule: str, n: int = N_ERRORS
                     ) -> list[dict[str, Any]]:
    """The `n` most confident false positives and false negatives of one cell, with the
    words that drove each score."""
    y, p, texts = cell["y"], cell["p"], cell["texts"]
    rows = []
    for kind, idx in (("false positive", np.flatnonzero(y == 0)),
                      ("false negative", np.flatnonzero(y == 1))):
        order = idx[np.argsort(-p[idx] if kind == "false positive" else p[idx],
                               kind="stable")][:n]
        verdicts = model.verdicts([texts[i] for i in order])
        for i, verdict in zip(order, verdicts, strict=True):
            rows.append({"error": kind, "score": round(float(p[i]), 4),
                         "action": verdict["action"],
                         "words": ", ".join(verdict["reasons"].get(rule, [])),
                         "comment": texts[i][:300]})
    return rows


def write_report(directory: str | Path, model, result: dict[str, Any],
                 keep: list[dict[str, Any]], auc_matrix: list[dict[str, Any]]) -> Path:
    """Write DIR/index.html and its PNGs (module docstring); returns the index path."""
    plt = _pyplot()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    cells = [c for c in keep if c["rule"] != "*"]
    acceptable = next((c["p_all"] for c in keep if c["rule"] == "*"), None)
    rules = [r for r in model.rules if any(c["rule"] == r.id for c in cells)]
    by_rule = {r.id: [c for c in cells if c["rule"] == r.id] for r in rules}
    parts = ["<h1>moderate: evaluation report</h1>",
             "<p>Every figure and table is from one run of <code>moderate evaluate</code> on "
             "held-out data (none trained or tuned on).</p>",
             "<h2>ROC AUC, rules x evaluation sets</h2>", html_table(auc_matrix)]
    queue = result.get("review_queue")
    if queue:
        parts.append(f"<p>Review queue: on C3's held-out articles, "
                     f"{queue['leave_approve']:.1%} of {queue['acceptable_comments']} "
                     f"acceptable comments leave approve.</p>")
    for rule in rules:
        thresholds = model.thresholds.get(rule.id)
        parts.append(f"<h2>{_esc(rule.id)}: {_esc(rule.title)}</h2>")
        saved = ", ".join(f"{name} {value:.3f}" for name, value in (thresholds or {}).items()
                          if value is not None) or "none"
        parts.append(f"<p>Saved thresholds: {_esc(saved)}</p>")
        name = _curves(plt, by_rule[rule.id], thresholds, rule.id, out)
        parts.append(f'<img src="{name}" alt="{_esc(rule.id)} curves">')
        if acceptable is not None and rule.kind == "violation":
            j = model.rule_ids.index(rule.id)
            name = _workload(plt, by_rule[rule.id], acceptable[:, j], thresholds, rule.id, out)
            parts.append(f'<img src="{name}" alt="{_esc(rule.id)} workload">')
        parts.append("<h3>Top positive n-grams</h3>")
        parts.append(html_table(top_ngrams(model, rule.id)))
        first = by_rule[rule.id][0]
        parts.append(f"<h3>Most confident errors on {_esc(first['data'])} "
                     f"({_esc(first['gold'])})</h3>")
        parts.append(html_table(confident_errors(model, first, rule.id)))
    violation = {r.id: by_rule[r.id] for r in rules if r.kind == "violation"}
    if violation:
        parts += ["<h2>Calibration</h2>",
                  f'<img src="{_calibration(plt, violation, model.thresholds, out)}" '
                  'alt="calibration">']
    for bias in (result.get("bias"), *result.get("bias_rules", {}).values()):
        if bias:
            parts.append(f"<h2>Identity bias, {_esc(bias['rule'])} (bias_madlibs; overall AUC "
                         f"{_esc(bias['overall_auc'])}; worst BPSN first)</h2>")
            parts.append(html_table(bias["per_term"], ["term", "n", "subgroup_auc",
                                                       "bpsn_auc", "bnsp_auc"]))
    split = result.get("splitter", {}).get("real", {})
    for name, metrics in split.items():
        confusion = metrics.get("confusion", {})
        rows = [{"gold \\ predicted": t, **counts} for t, counts in confusion.items()]
        parts.append(f"<h2>Page splitter, held-out real pages ({_esc(name)}): lines, gold x "
                     "predicted</h2>")
        parts.append(html_table(rows))
    style = ("body{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;font-size:13px;margin:.5em 0}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
             "img{max-width:100%;display:block;margin:.5em 0}")
    index = out / "index.html"
    index.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>moderate "
                     f"report</title><style>{style}</style></head><body>"
                     + "\n".join(parts) + "</body></html>\n", encoding="utf-8")
    return index
