"""`moderate explain "some comment"`: per rule, the score, its thresholds and every n-gram's
contribution (moderation.explain, imported once the comment has passed its checks)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ..comments_io import MAX_COMMENT_CHARS
from ..errors import DataFormatError
from ..hook import Moderator
from ._app import command, model_dir_option, output_errors, reported_errors, trusted_key_option
from ._safe_text import terminal_safe


def _limit(value: float | None) -> str:
    return "never" if value is None else f"{value:.3f}"


def write_explanation(result: dict[str, Any]) -> None:
    typer.echo(f"comment: {terminal_safe(result['text'])}")
    flags = ", ".join(result["flags"]) or "none"
    typer.echo(f"action:  {result['action']} (flags: {flags})")
    if "note" in result:
        typer.echo(f"note:    {result['note']}")
    for token, words in result.get("stand_ins", {}).items():
        shown = terminal_safe(", ".join(words))
        typer.echo(f"{token!r} stands for: {shown} (any such word reads the same)")
    for rule_id, rule in result["rules"].items():
        typer.echo("")
        if not rule["scored"]:
            typer.echo(f"{rule_id}: not scored (no labelled training data for it)")
            continue
        mark = "  FLAGGED" if rule["flagged"] else ""
        typer.echo(f"{rule_id}: score {rule['score']:.3f}  review at {_limit(rule['review'])}"
                   f"  reject at {_limit(rule['reject'])}{mark}")
        if "sentence" in rule:
            typer.echo(f"  (the claim model, on the sentence: {terminal_safe(rule['sentence'])})")
        typer.echo(f"  {'weight':>8}  n-gram")
        for item in rule["contributions"]:
            shown = terminal_safe(repr(item["ngram"]))
            typer.echo(f"  {item['weight']:>+8.3f}  {item['kind']} {shown}")
        typer.echo(f"  {rule['rest']:>+8.3f}  (all other n-grams)")
        typer.echo(f"  {rule['intercept']:>+8.3f}  (intercept)")
        typer.echo(f"  {rule['decision']:>+8.3f}  = decision value; score = 1 / (1 + e^-decision)")


@command
def explain_cli(
    text: Annotated[str, typer.Argument(help="The comment to explain.")],
    model: model_dir_option = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    top: Annotated[int, typer.Option("--top", min=1, help="N-grams shown per rule.")] = 10,
    trusted_key: trusted_key_option = None,
) -> None:
    """Show, per rule, the score, the thresholds it is compared with, and each n-gram's part."""
    if format not in ("table", "json"):
        raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
    with reported_errors():
        if len(text) > MAX_COMMENT_CHARS:
            raise DataFormatError(f"comment is {len(text):,} characters; the limit is "
                                  f"{MAX_COMMENT_CHARS:,}")
        from ..explain import explain_text

        moderator = Moderator.load(model, key=trusted_key)
        result = explain_text(moderator.model, text, top)
        with output_errors():
            if format == "json":
                typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            else:
                write_explanation(result)
