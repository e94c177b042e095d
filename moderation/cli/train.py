"""`moderate train`: declare options, call moderation.train.train, print a short summary.

moderation.train (scikit-learn, numba, the loaders) is imported inside the command, once the
options are checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import progress, settings
from ._app import MODEL_DIR_HELP, command, model_dir_not_a_file, reported_errors, trusted_key_option


@command
def train_cli(
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Raw data sets (default: $MODERATION_DATA, else ../shared/data/raw)."
    )] = None,
    data: Annotated[Path | None, typer.Option(
        "--data", help="A site's own CSV: `text` plus 0/1 columns per rule id, blank = unknown."
    )] = None,
    rules: Annotated[Path | None, typer.Option(
        "--rules", "-r", help="Posting rules TOML (default: the packaged rules)."
    )] = None,
    out: Annotated[Path | None, typer.Option(
        "--model", "-m", "--out", "-o", callback=model_dir_not_a_file,
        help=MODEL_DIR_HELP.replace("Model directory", "Model directory to write"))] = None,
    only: Annotated[str | None, typer.Option(
        "--only", help="Train only `rules` or only `split` (the page splitter)."
    )] = None,
    seed: Annotated[int, typer.Option(help="Seed of the validation split.")] = 0,
    max_review_rate: Annotated[float | None, typer.Option(
        "--max-review-rate", min=0.001, max=0.999,
        help="Share of acceptable news comments that may leave approve (default: rules.toml "
             "review_rate, 0.05).")] = None,
    trusted_key: trusted_key_option = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No stage-by-stage progress on stderr (it is shown only on a "
        "terminal anyway).")] = False,
) -> None:
    """Train the rules model and the page splitter on the labelled data."""
    if only is not None and only not in settings.PARTS:
        raise typer.BadParameter(f"must be one of {', '.join(settings.PARTS)}", param_hint="--only")
    from ..train import train

    progress.enable(quiet)
    with reported_errors():
        results = train(settings.data_dir(data_dir), settings.model_dir(out), only=only,
                        **({"rules_path": rules, "site_data": data, "seed": seed,
                            "max_review_rate": max_review_rate, "key": trusted_key}
                           if only != "split" else {"seed": seed, "key": trusted_key}))
    for part, result in results.items():
        manifest = result["manifest"]
        typer.echo(f"{part}: saved {result['path']} ({manifest['sha256'][:12]}) "
                   f"in {manifest.get('training_seconds', '?')} s")
        if part == "rules":
            for rule in manifest["rules"]:
                state = "scored" if rule["scored"] else "not scored (no labelled rows)"
                typer.echo(f"  {rule['id']:<14} {state}  thresholds={rule['thresholds']}")
