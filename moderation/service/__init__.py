"""The HTTP service behind `moderate serve`: Coral's external moderation phase and a JSON API.

Modules, one job each:
    config    ServiceConfig (limits, Coral mapping options) and reading secrets from the env
    signing   X-Coral-Signature: HMAC-SHA256 of the raw body, rotation-aware verification
    bodies    reading a request body under a size limit (chunked bodies included)
    payloads  JSON bodies to validated values, or DataFormatError (400)
    coral     Coral's request shape and the decision (204 / FLAG / REJECTED / FEATURED)
    batching  scoring in a bounded thread pool, batching requests that arrive together
    (moderation.workers: optional worker processes that each load the model, --processes N)
    app       create_app(moderator, config): the FastAPI routes, error handling and deadlines
    connections  header, body and keep-alive timeouts and a connection cap (uvicorn protocol)

`create_app` and `ModeratorLike` are imported from `app` on first use (PEP 562), so that
`moderate serve` checks its options (`config`) before the web stack is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import ServiceConfig

if TYPE_CHECKING:
    from .app import ModeratorLike, create_app

__all__ = ["ModeratorLike", "ServiceConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name in ("ModeratorLike", "create_app"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
