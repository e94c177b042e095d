"""Reading a request body under a size limit, counted on the bytes actually received.

A declared Content-Length over the limit is refused before anything is read; a chunked body
(no Content-Length) or one that lies about its length is refused as soon as the received bytes
pass the limit, so the service never buffers more than the limit plus one chunk.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the limit of {limit} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, or BodyTooLarge (413) once it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
