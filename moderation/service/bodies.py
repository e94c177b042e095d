"""Reading a request body under a size limit, counted on the bytes actually received.

A declared Content-Length over the limit is refused without keeping any of the body; a chunked
body (no Content-Length), or one that lies about its length, is refused as soon as the received
bytes pass the limit. Nothing beyond the limit is ever buffered.

Before answering 413, the rest of the body is read and thrown away, up to `DRAIN_CAP` bytes:
closing a socket that still holds unread data makes the kernel send a reset, and the client
would see "connection reset" instead of our 413. A body longer than the cap is cut off and the
connection closed.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

DRAIN_CAP = 1 << 20


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int, drained: bool) -> None:
        headers = None if drained else {"Connection": "close"}
        super().__init__(413, f"request body over the limit of {limit} bytes", headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, or BodyTooLarge (413) once it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit, await _drain(request, max(DRAIN_CAP, limit)))
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        chunk, more = await _receive(request)
        size += len(chunk)
        if size > limit:
            drained = not more or await _drain(request, max(DRAIN_CAP, limit))
            raise BodyTooLarge(limit, drained)
        chunks.append(chunk)
    return b"".join(chunks)


async def _receive(request: Request) -> tuple[bytes, bool]:
    message = await request.receive()
    if message["type"] == "http.disconnect":
        raise ClientDisconnect()
    return message.get("body", b""), message.get("more_body", False)


async def _drain(request: Request, cap: int) -> bool:
    """Read and discard the body up to `cap` bytes; True when all of it was read."""
    seen = 0
    more = True
    while more and seen <= cap:
        chunk, more = await _receive(request)
        seen += len(chunk)
    return not more
