"""Coral request signatures: HMAC-SHA256 of the raw body, hex, as `sha256=<hex>` elements.

Coral puts one element per active secret in `X-Coral-Signature`, comma-separated, so during a
secret rotation a request carries two. A request is genuine when any element matches any of our
secrets; every comparison uses `hmac.compare_digest`, and every pair is compared (no early exit)
so the time taken does not depend on which element matched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_HEADER = "X-Coral-Signature"
_SCHEME = "sha256="


def sign(body: bytes, secret: bytes) -> str:
    """The signature element Coral sends for `body` under `secret`: `sha256=<hex>`."""
    return _SCHEME + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets: Iterable[bytes]) -> str:
    """The full header value for several secrets, as Coral sends it during a rotation."""
    return ",".join(sign(body, secret) for secret in secrets)


def parse_header(value: str | None) -> list[str]:
    """The hex digests in a header value; elements of other schemes are ignored."""
    if not value:
        return []
    digests = []
    for element in value.split(","):
        element = element.strip()
        if element[: len(_SCHEME)].lower() == _SCHEME:
            digests.append(element[len(_SCHEME) :].strip().lower())
    return digests


def verify(body: bytes, header: str | None, secrets: Iterable[bytes]) -> bool:
    """True when some `sha256=` element of `header` is the HMAC of `body` under some secret."""
    offered = parse_header(header)
    matched = False
    for secret in secrets:
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")
        for digest in offered:
            # compare bytes: compare_digest refuses non-ASCII str, and a header may hold anything
            matched |= hmac.compare_digest(expected, digest.encode("utf-8", "replace"))
    return matched
