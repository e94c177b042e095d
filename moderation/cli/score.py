"""`moderate score FILE`: score comments (or, with --page, a page's comment lines).

The input is read and checked before the model code is imported or the model loaded."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, Any

import typer

from ..comments_io import FORMATS, read_comments
from ..hook import Moderator
from ..splitter.gate_names import DEFAULT_THREAD_GATE
from ..splitter.page_io import read_page
from ._app import (
    command,
    model_dir_option,
    output_errors,
    reported_errors,
    thread_gate_needs_page,
    thread_gate_option,
    trusted_key_option,
)
from ._safe_text import spreadsheet_safe, terminal_safe

OUTPUTS = ("table", "jsonl", "csv")


def write_table(rows: list[dict[str, Any]], rule_ids: list[str]) -> None:
    short = [rid[:8] for rid in rule_ids]
    typer.echo(f"{'line':>5}  {'action':<8}" + "".join(f"{s:>9}" for s in short) + "  comment")
    for row in rows:
        cells = "".join(f"{'-' if row['scores'][r] is None else format(row['scores'][r], '.2f'):>9}"
                        for r in rule_ids)
        text = " ".join(row["text"].split())
        text = terminal_safe(text if len(text) <= 60 else text[:57] + "...")
        typer.echo(f"{row['line']:>5}  {row['action']:<8}{cells}  {text}")
        for rule, words in row["reasons"].items():
            typer.echo(f"{'':>15}{rule}: {terminal_safe(', '.join(words))}")
    typer.echo("(- = not scored: no labelled training data for the rule, or no word in the "
               "comment)")


def write_csv(rows: list[dict[str, Any]], rule_ids: list[str]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["line", "text", "action", "flags", *rule_ids, "reasons"])
    for row in rows:
        writer.writerow([row["line"], spreadsheet_safe(row["text"]), row["action"],
                         " ".join(row["flags"]),
                         *["" if row["scores"][r] is None else row["scores"][r] for r in rule_ids],
                         spreadsheet_safe(json.dumps(row["reasons"], ensure_ascii=False))])


@command
def score_cli(
    file: Annotated[str, typer.Argument(help="Comments: text (one per line), .jsonl or .csv; "
                                             "- for stdin.")],
    model: model_dir_option = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv.")] = "table",
    input_format: Annotated[str | None, typer.Option(
        "--input-format", help="text, jsonl or csv (default: from the file name).")] = None,
    page: Annotated[bool, typer.Option(
        "--page", help="FILE is a whole page: split it and score only the comment lines.")] = False,
    trusted_key: trusted_key_option = None,
    thread_gate: thread_gate_option = DEFAULT_THREAD_GATE,
) -> None:
    """Score each comment against the posting rules: probabilities, flags, action, reasons."""
    if format not in OUTPUTS:
        raise typer.BadParameter(f"must be one of {', '.join(OUTPUTS)}", param_hint="--format")
    thread_gate_needs_page(thread_gate, page)
    if input_format is not None and input_format not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}",
                                 param_hint="--input-format")
    with reported_errors():
        # the input is read and checked first: a bad file is reported at once, not after the
        # model has loaded
        if page:
            page_text = read_page(file)
            moderator = Moderator.load(model, key=trusted_key, freeze_gc=True)
            rows = moderator.check_page(page_text, thread_gate)
        else:
            comments = read_comments(file, input_format)
            moderator = Moderator.load(model, key=trusted_key, freeze_gc=True)
            verdicts = moderator.check_many([text for _, text in comments])
            rows = [{"line": line, **v} for (line, _), v in zip(comments, verdicts, strict=True)]
        with output_errors():
            if format == "jsonl":
                for row in rows:
                    typer.echo(json.dumps(row, ensure_ascii=False))
            elif format == "csv":
                write_csv(rows, moderator.rule_ids)
            else:
                write_table(rows, moderator.rule_ids)
