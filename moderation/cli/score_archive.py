"""`moderate score-archive INPUT OUTPUT`: score a Parquet/JSONL/CSV archive on a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..archive_input import check_input
from ..errors import ModerateError
from ..splitter.gate_names import DEFAULT_THREAD_GATE
from ._app import (
    command,
    model_dir_option,
    output_errors,
    reported_errors,
    thread_gate_needs_page,
    thread_gate_option,
    trusted_key_option,
)


def _progress_bar() -> tuple[Any, Any]:
    """A rich progress bar on stderr when it is a terminal; (callback, context) or Nones."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress("partitions", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(file=sys.stderr))
    task = bar.add_task("score", total=None)
    return (lambda done, total: bar.update(task, completed=done, total=total)), bar


@command
def score_archive_cli(
    input: Annotated[str, typer.Argument(
        help="Parquet file or directory, .jsonl or .csv, with a `text` column.")],
    output: Annotated[Path, typer.Argument(
        help="Output directory of part-NNNNN.parquet files (a rerun resumes it).")],
    model: model_dir_option = None,
    page: Annotated[bool, typer.Option(
        "--page", help="Each row is a page (text or HTML): one output row per comment line.")
    ] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of an existing Dask scheduler, e.g. tcp://host:8786.")
    ] = None,
    local_workers: Annotated[int, typer.Option(
        "--local-workers", "-w", min=1,
        help="Without --scheduler: worker processes of the local cluster.")] = 2,
    partition_rows: Annotated[int, typer.Option(
        "--partition-rows", min=1, help="Input rows per partition (fixed for a resumed run).")
    ] = 50_000,
    input_format: Annotated[str | None, typer.Option(
        "--input-format", help="parquet, jsonl or csv (default: from the name).")] = None,
    reasons: Annotated[bool, typer.Option(
        "--reasons", help="Add a `reasons` column (JSON; about a third slower).")] = False,
    trusted_key: trusted_key_option = None,
    thread_gate: thread_gate_option = DEFAULT_THREAD_GATE,
) -> None:
    """Score an archive on a Dask cluster into partitioned Parquet, resumably."""
    thread_gate_needs_page(thread_gate, page)
    with reported_errors():
        # the input first, in a light module: a missing file or an unknown suffix is told at
        # once, not after the seconds dask, pandas and pyarrow take to import
        check_input(input, input_format)
        try:
            from ..archive import score_archive
        except ImportError as exc:
            raise ModerateError(f"score-archive needs the `archive` extra ({exc.name} is "
                                "missing): pip install 'moderate[archive]'") from None
        callback, bar = _progress_bar()
        try:
            if bar is not None:
                bar.start()
            summary = score_archive(
                input, output, model_dir=model, key=trusted_key, page=page,
                thread_gate=thread_gate, reasons=reasons,
                input_format=input_format, rows_per_partition=partition_rows,
                scheduler=scheduler, local_workers=local_workers, progress=callback)
        finally:
            if bar is not None:
                bar.stop()
        with output_errors():
            actions = ", ".join(f"{n:,} {a}" for a, n in summary["actions"].items())
            typer.echo(f"rows in {summary['rows_in']:,}, rows out {summary['rows_out']:,} "
                       f"({actions}; {summary['errors']:,} with an error)")
            typer.echo(f"partitions {summary['partitions']} "
                       f"({summary['partitions_skipped']} already done), "
                       f"{summary['rows_scored_now']:,} rows scored now in "
                       f"{summary['seconds']:.1f} s, {summary['rows_per_second']:,.0f} rows/s")
            typer.echo(f"output: {summary['output']}")
