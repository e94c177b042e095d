"""`moderate evaluate`: held-out figures for the trained models, as tables (or --json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import settings
from ..evaluate import evaluate
from ._app import command, reported_errors


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    cells = [[_fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


@command
def evaluate_cli(
    model: Annotated[Path | None, typer.Option("--model", "-m", help="Model directory.")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Raw data sets.")] = None,
    only: Annotated[str | None, typer.Option("--only", help="`rules` or `split`.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    perturb: Annotated[bool, typer.Option(
        "--perturb", help="Evasion rewrites of the Jigsaw test rows: AUC, recall.")] = False,
) -> None:
    """ROC AUC, average precision, precision/recall at the saved thresholds, bias and splitter."""
    if perturb:
        from ..perturb import evaluate_model_perturbations

        with reported_errors():
            rows = evaluate_model_perturbations(model, settings.data_dir(data_dir))
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
        else:
            print_table(rows, ["rule", "rewrite", "roc_auc", "drop", "recall@review",
                               "clean_recall@review"])
        return
    with reported_errors():
        result = evaluate(model, settings.data_dir(data_dir), only)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    if "rules" in result:
        typer.echo("== Rules model, held-out data")
        print_table(result["rules"], ["data", "rule", "gold", "positives", "negatives", "roc_auc",
                                      "average_precision", "precision@review", "recall@review",
                                      "precision@reject", "recall@reject",
                                      "precision@reject@prevalence"])
        typer.echo("\n== share_with_us on C3 held-out articles, by length (words)")
        print_table(result["length_bands"], ["gold", "band", "n", "auc", "length_auc"])
        bias = result["bias"]
        typer.echo(f"\n== bias_madlibs ({bias['rows']} templates): overall AUC "
                   f"{_fmt(bias['overall_auc'])}; identity terms, worst BPSN first")
        print_table(bias["per_term"][:10], ["term", "n", "subgroup_auc", "bpsn_auc", "bnsp_auc"])
    if "splitter" in result:
        print_splitter(result["splitter"])


def print_splitter(split: dict[str, Any]) -> None:
    typer.echo(f"\n== Page splitter, {split.get('pages')} held-out pages "
               f"({split.get('lines')} lines) from documents never seen in training")
    rows = []
    for kind, line in split["line_level"].items():
        word = split["word_weighted"][kind]
        rows.append({"kind": kind, "line_P": line["precision"], "line_R": line["recall"],
                     "line_F1": line["f1"], "word_P": word["precision"],
                     "word_R": word["recall"], "word_F1": word["f1"],
                     "lines": int(line["support"])})
    print_table(rows, ["kind", "line_P", "line_R", "line_F1", "word_P", "word_R", "word_F1",
                       "lines"])
    typer.echo("\nworst held-out errors (most confident wrong lines):")
    for err in split.get("worst_errors", [])[:5]:
        typer.echo(f"  {err['true']:>11} -> {err['predicted']:<11} {err['confidence']:.4f}  "
                   f"{err['text'][:80]!r}")
