"""`moderate split FILE`: label each line of a page body / comment / boilerplate.

FILE is plain text or HTML (recognised by content, rendered to text with html-text; line
numbers then refer to the rendered text). Reading, and rejecting empty, binary or non-UTF-8
input, is `splitter.page_io.read_page`; loading checks the model against its manifest
(`model_files.load_splitter`). Library errors reach
the user as one `error: ...` line with exit code 1 through `reported_errors()`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .. import settings
from ..model_files import load_splitter, splitter_path
from ..splitter.page_io import read_page
from ._app import command, output_errors, reported_errors, trusted_key_option
from ._safe_text import terminal_safe


@command
def split_cli(
    file: Annotated[str, typer.Argument(help="Page (text or HTML) to split, or - for stdin.")],
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="Model directory (default: models/), "
                                  "or the splitter model file itself.")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="Output: table or jsonl.")
    ] = "table",
    trusted_key: trusted_key_option = None,
) -> None:
    """Label every non-empty line of a page as body, comment or boilerplate."""
    if format not in ("table", "jsonl"):
        raise typer.BadParameter("must be 'table' or 'jsonl'", param_hint="--format")
    with reported_errors():
        text = read_page(file)
        directory = settings.model_dir(model)
        path = directory if directory.is_file() else splitter_path(directory)
        splitter, _ = load_splitter(path, key=trusted_key)
        rows = splitter.split(text)
        with output_errors():
            if format == "jsonl":
                for row in rows:
                    typer.echo(json.dumps(row, ensure_ascii=False))
            else:
                for row in rows:
                    typer.echo(f"{row['line']:>6}  {row['kind']:<11} {row['confidence']:.2f}  "
                               f"{terminal_safe(row['text'])}")
