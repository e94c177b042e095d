"""Connections that cannot be held open for ever: header, body and keep-alive timeouts and a cap.

uvicorn (0.29 to 0.55, h11 and httptools alike) closes an idle keep-alive connection after
`timeout_keep_alive` and can answer 503 past `limit_concurrency`, but it has no timeout for a
request's headers or body: a connection that sends nothing, stops halfway through its headers,
or trickles a chunked body one byte at a time stays open, holding a file descriptor, until the
client goes away. `guarded_protocol(config)` returns a subclass of uvicorn's h11 protocol that
adds, per connection, one timer for the phase it is in:

    headers    from accepting the connection, or from the first byte of a later request on a
               keep-alive connection, until the request's headers are complete: `header_timeout`
    body       from the headers until the end of the body: `body_timeout`
    (between requests uvicorn's own keep-alive timer runs; while the app answers, no timer:
    the app's own scoring deadlines bound that)

Past its timer a connection is closed: with a `408` first when part of a request had arrived
and no answer was started, without a word when nothing had. A close waits for buffered output
to be sent, so a client that never reads its answers could hold a closing connection open: any
connection still open `CLOSE_GRACE` seconds after a close (ours or uvicorn's keep-alive one) is
aborted. A connection accepted while
`max_connections` are open is answered `503` and closed at once, so descriptors run out neither
for the server nor for the model's worker processes. Timers are absolute, never pushed back by
more bytes, so a client cannot stretch a phase by trickling.

`server_config(app, config, ...)` builds the `uvicorn.Config` with this protocol and the
keep-alive timeout: `moderate serve` and the tests both start the server through it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import ServiceConfig

log = logging.getLogger("moderation.service.connections")
SUMMARY_EVERY = 10.0  # seconds between two log lines about closed connections
CLOSE_GRACE = 2.0  # seconds a closing connection may take to flush its answer before an abort


def _plain(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"error": message}).encode("ascii")
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class ConnectionGuard:
    """Counts of connections closed by the guard, logged as one summary line per
    SUMMARY_EVERY seconds at most (a flood of slow clients must not flood the log)."""

    def __init__(self) -> None:
        self.closed: Counter[str] = Counter()
        self._pending: Counter[str] = Counter()
        self._flush: asyncio.TimerHandle | None = None

    def note(self, reason: str, loop: asyncio.AbstractEventLoop) -> None:
        self.closed[reason] += 1
        self._pending[reason] += 1
        if self._flush is None:
            self._flush = loop.call_later(SUMMARY_EVERY, self.log_summary)

    def log_summary(self) -> None:
        self._flush = None
        if self._pending:
            summary = ", ".join(f"{n} {why}" for why, n in sorted(self._pending.items()))
            log.warning("closed connections in the last %g s: %s", SUMMARY_EVERY, summary)
            self._pending.clear()


def guarded_protocol(config: ServiceConfig, guard: ConnectionGuard | None = None) -> type:
    """An H11Protocol subclass enforcing `config`'s header and body timeouts and connection cap."""
    counts = guard or ConnectionGuard()

    class GuardedH11Protocol(H11Protocol):
        header_timeout = config.header_timeout
        body_timeout = config.body_timeout
        max_connections = config.max_connections
        guard = counts

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._timer: asyncio.TimerHandle | None = None
            self._phase = ""
            self._heard = False  # some bytes of the current request have arrived
            self._lost = False

        def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
            super().connection_made(transport)  # type: ignore[arg-type]
            if len(self.connections) > self.max_connections:
                self.guard.note("over the connection limit", self.loop)
                self.transport.write(
                    _plain(503, "Service Unavailable", "too many open connections")
                )
                self._close()
                return
            self._arm("headers", self.header_timeout)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if data:
                self._heard = True
            self._follow()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow()

        def connection_lost(self, exc: Exception | None) -> None:
            self._lost = True
            self._disarm()
            super().connection_lost(exc)

        def timeout_keep_alive_handler(self) -> None:
            super().timeout_keep_alive_handler()
            self.loop.call_later(CLOSE_GRACE, self._abort_if_open)

        def _close(self) -> None:
            """Close (flushing what is buffered), and abort if that takes too long."""
            self.transport.close()
            self.loop.call_later(CLOSE_GRACE, self._abort_if_open)

        def _abort_if_open(self) -> None:
            if not self._lost:
                self.guard.note("answer not read", self.loop)
                self.transport.abort()

        def _follow(self) -> None:
            """Set the timer for the phase the connection is now in."""
            if self.transport.is_closing():
                self._disarm()
                return
            state = self.conn.their_state
            if state is h11.IDLE:
                if self.timeout_keep_alive_task is not None:
                    self._disarm()  # between requests: uvicorn's keep-alive timer runs
                elif self._phase != "headers":
                    self._arm("headers", self.header_timeout)
                    self._heard = True  # armed because a new request's first bytes came
            elif state is h11.SEND_BODY:
                if self._phase != "body":
                    self._arm("body", self.body_timeout)
            else:  # the request is in (or the connection is ending): the app is answering
                self._disarm()

        def _arm(self, phase: str, seconds: float) -> None:
            self._disarm()
            self._phase = phase
            self._heard = False
            self._timer = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            self._phase = ""

        def _expire(self) -> None:
            phase, self._timer, self._phase = self._phase, None, ""
            if self.transport.is_closing():
                return
            # in the body phase the app may have answered already (a 413 before the whole body);
            # in the headers phase self.cycle is the previous request's, long answered
            answering = phase == "body" and self.cycle is not None and self.cycle.response_started
            if phase == "headers" and not self._heard:
                self.guard.note("silent", self.loop)
            else:
                self.guard.note(f"{phase} too slow", self.loop)
                if not answering:
                    seconds = self.header_timeout if phase == "headers" else self.body_timeout
                    self.transport.write(
                        _plain(408, "Request Timeout", f"request {phase} not received within "
                               f"{seconds:g} s")  # fmt: skip
                    )
            self._close()  # flushes the 408 just written (abort() would drop it)

    return GuardedH11Protocol


def server_config(app: Any, config: ServiceConfig, **options: Any) -> uvicorn.Config:
    """uvicorn's Config for `app` with the guarded protocol and `config`'s timeouts.

    `options` go to uvicorn.Config as they are (host, port, log_level, access_log, ...).
    """
    return uvicorn.Config(
        app,
        http=guarded_protocol(config),
        timeout_keep_alive=config.keep_alive_timeout,  # type: ignore[arg-type]  # float works
        **options,
    )
