"""`moderate split FILE`: label each line of a page body / comment / boilerplate.

FILE is plain text or HTML (recognised by content, rendered to text with html-text; line
numbers then refer to the rendered text). Reading, and rejecting empty, binary or non-UTF-8
input, is `splitter.page_io.read_page`, done before the model code is imported; loading checks
the model against its manifest (`model_files.load_splitter`). The model is `splitter.npz` in the
model directory (`-m/--model DIR`, as in every command), or the file `--splitter-file` names.
Library errors reach the user as one `error: ...` line with exit code 1 through
`reported_errors()`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .. import settings
from ..splitter.gate_names import DEFAULT_THREAD_GATE
from ..splitter.page_io import read_page
from ._app import (
    command,
    model_dir_option,
    output_errors,
    reported_errors,
    thread_gate_option,
    trusted_key_option,
)
from ._safe_text import terminal_safe


@command
def split_cli(
    file: Annotated[str, typer.Argument(help="Page (text or HTML) to split, or - for stdin.")],
    model: model_dir_option = None,
    splitter_file: Annotated[Path | None, typer.Option(
        "--splitter-file", dir_okay=False,
        help="A splitter model file to use instead of the model directory's splitter.npz "
             "(its manifest beside it).")] = None,
    format: Annotated[
        str, typer.Option("--format", help="Output: table or jsonl.")
    ] = "table",
    trusted_key: trusted_key_option = None,
    thread_gate: thread_gate_option = DEFAULT_THREAD_GATE,
) -> None:
    """Label every non-empty line of a page as body, comment or boilerplate."""
    if format not in ("table", "jsonl"):
        raise typer.BadParameter("must be 'table' or 'jsonl'", param_hint="--format")
    if model is not None and splitter_file is not None:
        raise typer.BadParameter("give the model directory or the splitter file, not both",
                                 param_hint="--splitter-file")
    with reported_errors():
        text = read_page(file)
        from ..model_files import load_splitter, splitter_path

        path = splitter_file or splitter_path(settings.model_dir(model))
        splitter, _ = load_splitter(path, key=trusted_key)
        rows = splitter.split(text, thread_gate)
        with output_errors():
            if format == "jsonl":
                for row in rows:
                    typer.echo(json.dumps(row, ensure_ascii=False))
            else:
                for row in rows:
                    typer.echo(f"{row['line']:>6}  {row['kind']:<11} {row['confidence']:.2f}  "
                               f"{terminal_safe(row['text'])}")
