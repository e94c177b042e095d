"""`moderate serve`: load the model once, then run the HTTP service under uvicorn.

The options are checked first (`ServiceConfig`), before the web stack is even imported; then the
model is loaded before uvicorn starts, inside `reported_errors`, so a missing or mismatched
model is a one-line `error:` and exit 1 rather than a traceback from the server's lifespan.
Signing secrets come from environment variables named on the command line, never from argv,
so they do not show in `ps` or shell history.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from ._app import command, model_dir_option, reported_errors, trusted_key_option


@command
def serve_cli(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")
    ] = 8000,
    model: model_dir_option = None,
    signing_secret_env: Annotated[
        list[str] | None,
        typer.Option(
            help="Environment variable holding Coral's signing secret; when given, /coral "
            "requires a valid X-Coral-Signature. Repeat it to accept two secrets while rotating."
        ),
    ] = None,
    max_body_bytes: Annotated[
        int, typer.Option(help="Largest request body accepted (413 above it).")
    ] = 64 * 1024,
    reject_status: Annotated[
        str, typer.Option(help="Coral status for a reject decision: REJECTED, PREMOD, ...")
    ] = "REJECTED",
    featured: Annotated[
        bool, typer.Option(help="Suggest Coral's FEATURED tag for high scores on a signal rule "
                           "(kind = \"signal\" in the rules file: share_with_us by default).")
    ] = False,
    featured_threshold: Annotated[
        float | None,
        typer.Option(help="Signal score for FEATURED (default: each signal rule's review "
                     "threshold)."),
    ] = None,
    score_staff: Annotated[
        bool, typer.Option(help="Also score STAFF, MODERATOR and ADMIN authors.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Threads that run the model.")] = 1,
    batch_wait_ms: Annotated[
        float, typer.Option(help="Wait up to this long for a fuller batch (ms).")
    ] = 0.0,
    processes: Annotated[
        int,
        typer.Option(help="Score in N worker processes, each with its own model (0: threads)."),
    ] = 0,
    max_batch: Annotated[
        int, typer.Option(help="Most comments scored together in one model call.")
    ] = 32,
    score_timeout: Annotated[
        float, typer.Option(help="Seconds a /v1 request may wait for the model (then 503).")
    ] = 5.0,
    coral_timeout: Annotated[
        float,
        typer.Option(help="Seconds a /coral request may wait for the model; keep it under "
                     "the phase's timeout in Coral."),
    ] = 0.15,
    coral_on_timeout: Annotated[
        str, typer.Option(help="/coral answer when scoring is late: review, premod or approve.")
    ] = "review",
    header_timeout: Annotated[
        float, typer.Option(help="Seconds a client may take to send a request's headers.")
    ] = 10.0,
    body_timeout: Annotated[
        float, typer.Option(help="Seconds a client may take to send a request's body.")
    ] = 30.0,
    keep_alive_timeout: Annotated[
        float, typer.Option(help="Seconds an idle keep-alive connection stays open.")
    ] = 5.0,
    max_connections: Annotated[
        int, typer.Option(help="Open connections at most (one more gets 503 and is closed).")
    ] = 512,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    trusted_key: trusted_key_option = None,
) -> None:
    """Serve the model over HTTP: Coral's external moderation phase and a JSON API."""
    from ..service.config import ServiceConfig, secrets_from_env

    with reported_errors():
        config = ServiceConfig(
            model_dir=model,
            model_key=trusted_key,
            freeze_gc=True,  # the service owns this process
            signing_secrets=secrets_from_env(signing_secret_env or []),
            max_body_bytes=max_body_bytes,
            reject_status=reject_status.upper(),
            featured=featured,
            featured_threshold=featured_threshold,
            score_staff=score_staff,
            workers=workers,
            max_batch=max_batch,
            processes=processes,
            batch_wait_ms=batch_wait_ms,
            score_timeout=score_timeout,
            coral_timeout=coral_timeout,
            coral_on_timeout=coral_on_timeout.lower(),
            header_timeout=header_timeout,
            body_timeout=body_timeout,
            keep_alive_timeout=keep_alive_timeout,
            max_connections=max_connections,
        )
        import uvicorn

        from ..hook import Moderator
        from ..service import create_app
        from ..service.connections import server_config

        moderator = Moderator.load(model, key=trusted_key, freeze_gc=config.freeze_gc)
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s")
    options = dict(host=host, port=port, log_level=log_level.lower(), access_log=access_log,
                   server_header=False)  # fmt: skip
    uvicorn.Server(server_config(create_app(moderator, config), config, **options)).run()
