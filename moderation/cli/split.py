"""`moderate split FILE`: label each line of a page body / comment / boilerplate.

FILE is plain text or HTML (recognised by content, rendered to text with html-text; line
numbers then refer to the rendered text). Reading, and rejecting empty, binary or non-UTF-8
input, is `splitter.page_io.read_page`;
loading checks the model against its manifest (`persist.load_artifact`). Library errors reach
the user as one `error: ...` line with exit code 1 through `reported_errors()`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .. import settings
from ..persist import load_artifact
from ..splitter.page_io import read_page
from ._app import command, reported_errors


@command
def split_cli(
    file: Annotated[str, typer.Argument(help="Page (text or HTML) to split, or - for stdin.")],
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="Splitter model file.")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="Output: table or jsonl.")
    ] = "table",
) -> None:
    """Label every non-empty line of a page as body, comment or boilerplate."""
    if format not in ("table", "jsonl"):
        raise typer.BadParameter("must be 'table' or 'jsonl'", param_hint="--format")
    with reported_errors():
        text = read_page(file)
        path = model or settings.model_dir() / settings.SPLITTER_MODEL_NAME
        splitter, _ = load_artifact(path, kind="splitter")
        rows = splitter.split(text)
    if format == "jsonl":
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['line']:>6}  {row['kind']:<11} {row['confidence']:.2f}  {row['text']}")
