"""The ASGI app: routes that read, validate, score and answer; no model code runs on the loop.

`create_app(moderator, config)` takes an already-loaded moderator (the CLI loads it before
starting, so a bad model fails fast with a one-line error), or None to load one from
`config.model_dir` in the lifespan. Everything about the model is then asked of that moderator:
its manifest, which rules are signals (`rule_kinds`), and, with `config.processes`, the worker
processes (`start_workers`, which load the same directory with the same key). It is used only
through the small `ModeratorLike` protocol, so tests can pass a fake that forces an action.

Every error is a JSON `{"error": message}` with its status: 400 bad JSON or fields, 401 bad or
missing Coral signature, 404 unknown path, 405 wrong method, 413 body too large, 503 no page
splitter model or scoring past its deadline, 500 anything unexpected (logged, never the process).

Every model call has a deadline (`score_timeout`, `coral_timeout`): the request stops waiting
then, so no comment can hold a client for longer, and nothing here awaits the model on behalf of
/healthz. /coral answers a late comment with the configured `coral_on_timeout` decision.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ..errors import DataFormatError, ModelLoadError
from ..rules import claim_rules
from ..workers import check_many_in_worker
from . import coral
from .batching import Scorer
from .bodies import read_body
from .config import ServiceConfig
from .coral import loggable
from .payloads import parse_json_object, parse_score_request, parse_split_request
from .signing import SIGNATURE_HEADER, verify

log = logging.getLogger("moderation.service")
Route = Callable[[Request], Awaitable[Response]]


class ModeratorLike(Protocol):
    """What the service needs from moderation.Moderator (`start_workers` only with
    `config.processes`)."""

    manifest: dict

    @property
    def rule_kinds(self) -> dict[str, str]: ...

    def check_many(self, texts: list[str], reasons: bool = True) -> list[dict]: ...

    def split(self, text: str, thread_gate: str = ...) -> list[dict]: ...


class JSON(JSONResponse):
    """JSONResponse that also serialises numpy scalars and keeps non-ASCII text readable."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_jsonable).encode("utf-8")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSON:
    return JSON({"error": message}, status_code=status, headers=headers)


def health_body(manifest: dict[str, Any], has_splitter: bool) -> dict[str, Any]:
    """What /healthz reports: the model's identity, versions and per-rule thresholds."""
    rules = [
        {key: rule.get(key) for key in ("id", "title", "kind", "scored", "thresholds")}
        for rule in manifest.get("rules") or []
        if isinstance(rule, dict)
    ]
    return {
        "status": "ok",
        "model": {
            "kind": manifest.get("kind"),
            "file": manifest.get("file"),
            "sha256": manifest.get("sha256"),
            "trained_at": manifest.get("trained_at"),
            "versions": manifest.get("versions"),
            "rules": rules,
        },
        "splitter": has_splitter,
    }


def guarded(route: Route) -> Route:
    """Turn every error a route raises into its JSON answer, here rather than in middleware.

    Starlette's catch-all handler re-raises after answering, and the server may then drop the
    connection before the answer is flushed; catching here keeps the answer and the connection.
    """

    @functools.wraps(route)
    async def answer(request: Request) -> Response:
        try:
            return await route(request)
        except HTTPException as exc:
            return error(exc.status_code, str(exc.detail), exc.headers)
        except DataFormatError as exc:
            return error(400, str(exc))
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is listening; nothing worth logging
        except Exception as exc:
            log.exception("unexpected error on %s %s", request.method, loggable(request.url.path))
            return error(500, f"internal error: {exc.__class__.__name__}")

    return answer


ACTION_RANK = {"approve": 0, "review": 1, "reject": 2}


def severity(result: dict[str, Any]) -> tuple[int, float]:
    """Order of check() results for one comment scored twice: the action, then toxicity."""
    toxicity = (result.get("scores") or {}).get("toxicity")
    return ACTION_RANK.get(str(result.get("action")), 0), float(toxicity or 0.0)


def late_error(config: ServiceConfig) -> Response:
    """The JSON API's answer when the model has not answered within `score_timeout`."""
    message = f"scoring took longer than {config.score_timeout:g} s; try again later"
    return error(503, message, {"Retry-After": "1"})


def late_answer(config: ServiceConfig) -> Response:
    """/coral's answer when the model has not scored the comment within `coral_timeout`."""
    headers = {"X-Moderation-Action": f"timeout-{config.coral_on_timeout}"}
    if config.coral_on_timeout == "review":
        return JSON({"actions": [dict(coral.FLAG_TOXIC)]}, headers=headers)
    if config.coral_on_timeout == "premod":
        return JSON({"status": "PREMOD"}, headers=headers)
    return Response(status_code=204, headers=headers)


def create_app(moderator: ModeratorLike | None, config: ServiceConfig | None = None) -> FastAPI:
    """The service. Pass a loaded moderator, or None to load one at startup."""
    config = config or ServiceConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        model = moderator
        if model is None:
            from ..hook import Moderator  # imported here: the app must not load at import

            model = await run_in_threadpool(Moderator.load, config.model_dir,
                                            key=config.model_key,
                                            freeze_gc=config.freeze_gc)
        pool = None
        if config.processes:
            # the workers load what this moderator was loaded from, whatever config.model_dir says
            start_workers = getattr(model, "start_workers", None)
            if start_workers is None:
                raise TypeError("processes > 0 needs a moderator with start_workers "
                                "(moderation.Moderator)")
            pool = await run_in_threadpool(start_workers, config.processes)
        check_many = check_many_in_worker if pool else model.check_many

        def make_scorer(reasons: bool) -> Scorer:
            return Scorer(
                functools.partial(check_many, reasons=reasons),
                workers=config.processes or config.workers,
                max_batch=config.max_batch,
                batch_executor=pool,
                linger=config.batch_wait_ms / 1000,
            )

        # Coral reads only the action, so /coral scores without explanations (most of the
        # per-comment cost); /v1/score returns them.
        scorer, quick = make_scorer(True), make_scorer(False)
        app.state.moderator = model
        app.state.signals = coral.signal_thresholds(model.rule_kinds, model.manifest)
        app.state.violations = frozenset(rule for rule, kind in model.rule_kinds.items()
                                         if kind == "violation")
        app.state.claims = claim_rules(model.manifest)
        app.state.scorer = scorer
        app.state.quick_scorer = quick
        app.state.timeouts = 0
        log.info(
            "serving model %s (trained %s); signing %s",
            str(model.manifest.get("sha256", "?"))[:12],
            model.manifest.get("trained_at", "?"),
            "required" if config.signing_required else "off",
        )
        try:
            yield
        finally:
            scorer.close()
            quick.close()

    app = FastAPI(
        title="moderate",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,  # /coral/ is unknown (404), not a redirect to follow
    )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(exc.status_code, str(exc.detail), exc.headers)

    @app.post("/coral")
    @guarded
    async def coral_phase(request: Request) -> Response:
        body = await read_body(request, config.max_body_bytes)
        if config.signing_required:
            header = request.headers.get(SIGNATURE_HEADER)
            if not header:
                return error(401, f"missing {SIGNATURE_HEADER} header")
            if not verify(body, header, config.signing_secrets):
                return error(401, f"{SIGNATURE_HEADER} does not match the request body")
        comment = coral.parse_request(parse_json_object(body))
        if comment.by_staff and not config.score_staff:
            return Response(status_code=204, headers={"X-Moderation-Action": "skipped-staff"})
        # the rendered text and the body as typed, each once; the more severe verdict wins
        texts = [text for text in dict.fromkeys((comment.text, comment.raw)) if text]
        if not texts:
            return Response(status_code=204, headers={"X-Moderation-Action": "skipped-empty"})
        quick = request.app.state.quick_scorer
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(quick.check(text) for text in texts)), config.coral_timeout
            )
        except TimeoutError:
            request.app.state.timeouts += 1
            log.warning(
                "coral %s comment by %s not scored within %g s: answered %s",
                comment.action, loggable(comment.author_id), config.coral_timeout,
                config.coral_on_timeout,
            )  # fmt: skip
            return late_answer(config)
        result = max(results, key=severity)
        decision = coral.decide(result, request.app.state.signals, config,
                                request.app.state.violations, request.app.state.claims)
        # the flags of both readings: a claim tagged in one of them is not lost when the other
        # wins on severity (with on_flag = "tag" the header is where Coral's logs see it)
        flags = dict.fromkeys(flag for r in results for flag in r.get("flags") or [])
        headers = {
            "X-Moderation-Action": str(result.get("action")),
            "X-Moderation-Flags": ",".join(flags),
        }
        if decision is None:
            return Response(status_code=204, headers=headers)
        if decision.get("status") or decision.get("actions"):
            log.info(
                "coral %s comment by %s: %s %s",
                comment.action,
                loggable(comment.author_id),
                result.get("action"),
                ",".join(result.get("flags") or []),
            )
        return JSON(decision, headers=headers)

    @app.post("/v1/score")
    @guarded
    async def score(request: Request) -> Response:
        body = parse_json_object(await read_body(request, config.max_body_bytes))
        items, batch = parse_score_request(body)
        scorer = request.app.state.scorer
        try:
            checks = (scorer.check(item.text) for item in items)
            results = await asyncio.wait_for(
                asyncio.gather(*checks, return_exceptions=True), config.score_timeout
            )
        except TimeoutError:
            request.app.state.timeouts += 1
            return late_error(config)
        for i, result in enumerate(results):
            if isinstance(result, BaseException):  # the first comment that failed, by index
                where = f"comments[{i}]: " if batch else ""
                if isinstance(result, DataFormatError):
                    return error(400, f"{where}{result}")
                log.error("unexpected error scoring %s", where or "a comment", exc_info=result)
                return error(500, f"internal error: {where}{result.__class__.__name__}")
        out = []
        for item, result in zip(items, results, strict=True):
            out.append({"id": item.id, **result} if item.id is not None else result)
        return JSON({"results": out} if batch else out[0])

    @app.post("/v1/split")
    @guarded
    async def split(request: Request) -> Response:
        body = parse_json_object(await read_body(request, config.max_body_bytes))
        page, thread_gate = parse_split_request(body)
        try:
            lines = await asyncio.wait_for(
                request.app.state.scorer.call(request.app.state.moderator.split, page,
                                              thread_gate),
                config.score_timeout,
            )
        except ModelLoadError as exc:
            return error(503, str(exc))
        except TimeoutError:
            request.app.state.timeouts += 1
            return late_error(config)
        return JSON({"lines": lines})

    @app.api_route("/healthz", methods=["GET", "HEAD"])
    async def healthz(request: Request) -> Response:
        model = request.app.state.moderator
        has_splitter = getattr(model, "splitter", None) is not None
        scorers = (request.app.state.scorer, request.app.state.quick_scorer)
        body = health_body(model.manifest, has_splitter)
        body["scoring"] = {"batches": sum(s.batches for s in scorers),
                           "comments": sum(s.scored for s in scorers),
                           "timeouts": request.app.state.timeouts}
        return JSON(body)

    return app
