"""The root typer app and the one place library errors become `error: <msg>` and exit 1.

Also the options every command shares (`--model/-m DIR`, `--trusted-key`). Command modules
import only typer and light modules at the top; scikit-learn, numba, the web stack and the
model code are imported inside the commands, after their arguments and input are checked, so
`moderate --help` and usage or input errors answer at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ModelLoadError, ModerateError
from ..splitter.gate_names import thread_gate_problem

app = typer.Typer(
    name="moderate",
    help="Score reader comments against a news site's posting rules, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # click's plain help and usage errors: typer's rich formatting imports rich's markdown
    # and traceback machinery, 0.3 s of every `--help` and every bad option
    rich_markup_mode=None,
)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a ModerateError (or an OS error on a path the user named) into one line and exit 1."""
    try:
        yield
    except ModerateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(code=1) from None
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(code=1) from None


# The model directory, in every command: rules.npz and splitter.npz with their manifests.
MODEL_DIR_HELP = ("Model directory, holding rules.npz and splitter.npz (default: "
                  "$MODERATION_MODELS, else models/).")


def model_dir_not_a_file(value: Path | None) -> Path | None:
    """`-m` names a directory: a file there (`-m models/rules.npz`) is a model error, reported
    like the others (one `error:` line, exit 1) while the options are parsed."""
    if value is not None and value.exists() and not value.is_dir():
        with reported_errors():
            raise ModelLoadError(f"{value}: -m takes the model directory, not a file")
    return value


model_dir_option = Annotated[Path | None, typer.Option(
    "--model", "-m", callback=model_dir_not_a_file, help=MODEL_DIR_HELP)]


# Loading (and, for `train`, signing) models with an HMAC key; the environment variable is the
# better place for it, since other local users can read a process's arguments.
trusted_key_option = Annotated[str | None, typer.Option(
    "--trusted-key", envvar="MODERATION_MODEL_KEY", show_envvar=True,
    help="Sign trained models with this key (train), or refuse models whose manifest is not "
         "signed with it (prefer the environment variable: arguments are visible to other "
         "users).")]


def known_thread_gate(value: str) -> str:
    problem = thread_gate_problem(value)
    if problem:
        raise typer.BadParameter(problem)
    return value


def thread_gate_needs_page(thread_gate: str, page: bool) -> None:
    """A thread gate other than the default is refused where no page is split."""
    problem = thread_gate_problem(thread_gate, page)
    if problem:
        raise typer.BadParameter(problem, param_hint="--thread-gate")


thread_gate_option = Annotated[str, typer.Option(
    "--thread-gate", callback=known_thread_gate,
    help="strict (default): a page's comment lines stand if 5 or more (or under a comment "
         "header) and the page looks like it holds a thread; lenient: 3 or more and a lower "
         "bar, so short threads are kept and more teaser lines are called comment.")]


@contextmanager
def output_errors() -> Iterator[None]:
    """Results written and flushed inside, so that a full disk or a closed pipe is reported as
    one line (OSError, through reported_errors) rather than a traceback at exit."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (`| head`): not an error of ours; silence the flush at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(code=1) from None
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write the output: {exc.strerror}") from None


def command(fn: Callable) -> Callable:
    """Register `fn` as a subcommand named after it, without its `_cli` suffix."""
    name = fn.__name__.removesuffix("_cli").replace("_", "-")
    return app.command(name)(fn)
