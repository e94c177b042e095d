"""Service settings: one frozen dataclass, filled by `moderate serve` and read by the app.

Nothing here touches the network or the model; the CLI turns options and environment variables
into a `ServiceConfig`, and `create_app` only reads it. Signing secrets are held as bytes and
kept out of `repr`, so a config that ends up in a log line or a traceback never shows them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModerateError

REJECT_STATUSES = ("REJECTED", "PREMOD", "SYSTEM_WITHHELD")
STAFF_ROLES = frozenset({"STAFF", "MODERATOR", "ADMIN"})
DEFAULT_MAX_BODY_BYTES = 64 * 1024
TIMEOUT_DECISIONS = ("review", "premod", "approve")


@dataclass(frozen=True)
class ServiceConfig:
    """How the HTTP service behaves. The defaults are what `moderate serve` uses, but for
    freeze_gc, which only serve turns on."""

    model_dir: Path | None = None
    """Where `Moderator.load` looks when the app loads the model itself (None: the default)."""
    freeze_gc: bool = False
    """When the app loads the model itself: call `gc.freeze()` once it is loaded
    (`Moderator.load(freeze_gc=True)`). It changes the whole process's garbage collector, so
    only a process that exists to serve should set it: `moderate serve` does; an app mounted
    in your own ASGI process leaves it off."""
    model_key: str | None = field(default=None, repr=False)
    """Key the model manifests must be signed with (None: $MODERATION_MODEL_KEY, if set)."""
    signing_secrets: tuple[bytes, ...] = field(default=(), repr=False)
    """Coral signing secrets; when any is set, /coral requires a valid X-Coral-Signature."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Largest request body accepted, counted on the raw bytes received (413 above it)."""
    reject_status: str = "REJECTED"
    """The Coral status a `reject` decision becomes: REJECTED, PREMOD or SYSTEM_WITHHELD."""
    featured: bool = False
    """Suggest the FEATURED tag for approved comments with a high score on a signal rule (kind
    "signal" in the model's rules file: share_with_us in the packaged rules)."""
    featured_threshold: float | None = None
    """Signal-rule score that suggests FEATURED; None: each signal rule's own review
    threshold."""
    score_staff: bool = False
    """Score comments by STAFF, MODERATOR and ADMIN authors too (default: answer 204)."""
    workers: int = 1
    """Threads that run the model; each runs one batch at a time."""
    max_batch: int = 32
    """Most comments scored in one `check_many` call when requests arrive together."""
    batch_wait_ms: float = 0.0
    """How long a batch waits for more comments when fewer than max_batch are queued."""
    processes: int = 0
    """Score in this many worker processes, each loading the model (0: threads, in-process)."""
    score_timeout: float = 5.0
    """Seconds a /v1/score or /v1/split request may wait for the model; past it: 503."""
    coral_timeout: float = 0.15
    """Seconds a /coral request may wait for the model; past it Coral gets `coral_on_timeout`.
    Keep it under the phase's timeout in Coral, or Coral moves on without any answer."""
    coral_on_timeout: str = "review"
    """What /coral answers when scoring is late: review (FLAG, the comment goes to the Reported
    queue), premod (status PREMOD: held until a moderator approves it) or approve (204)."""
    header_timeout: float = 10.0
    """Seconds a connection may take to send a request's headers, from its first byte (or from
    accepting the connection); past it the connection is closed (408 if it sent anything)."""
    body_timeout: float = 30.0
    """Seconds a request may take to send its body once the headers are in; then closed."""
    keep_alive_timeout: float = 5.0
    """Seconds an idle keep-alive connection stays open between requests."""
    max_connections: int = 512
    """Open connections at most; one more is answered 503 and closed at once."""

    def __post_init__(self) -> None:
        if self.reject_status not in REJECT_STATUSES:
            raise ModerateError(
                f"reject status {self.reject_status!r}: use one of {', '.join(REJECT_STATUSES)}"
            )
        if self.max_body_bytes < 1:
            raise ModerateError("the maximum body size must be at least 1 byte")
        if self.workers < 1 or self.max_batch < 1 or self.processes < 0:
            raise ModerateError("workers and max batch must be at least 1, processes at least 0")
        if not 0.0 <= self.batch_wait_ms <= 1000.0:
            raise ModerateError("the batch wait is between 0 and 1000 ms")
        if self.coral_on_timeout not in TIMEOUT_DECISIONS:
            raise ModerateError(
                f"decision on timeout {self.coral_on_timeout!r}: use one of "
                + ", ".join(TIMEOUT_DECISIONS)
            )
        timeouts = (self.score_timeout, self.coral_timeout, self.header_timeout,
                    self.body_timeout, self.keep_alive_timeout)  # fmt: skip
        if not all(0.0 < t <= 3600.0 for t in timeouts):
            raise ModerateError("every timeout is over 0 and at most 3600 seconds")
        if self.max_connections < 1:
            raise ModerateError("the connection limit must be at least 1")
        if self.featured_threshold is not None and not 0.0 <= self.featured_threshold <= 1.0:
            raise ModerateError("the featured threshold is a probability between 0 and 1")

    @property
    def signing_required(self) -> bool:
        return bool(self.signing_secrets)


def secrets_from_env(
    names: Iterable[str], environ: dict[str, str] | None = None
) -> tuple[bytes, ...]:
    """Read signing secrets from the named environment variables; refuse unset or empty ones.

    Several names allow a rotation on this side: set the old and new secret in two variables.
    The error names the variable, never its value.
    """
    env = os.environ if environ is None else environ
    secrets: list[bytes] = []
    for name in names:
        value = env.get(name, "").strip()
        if not value:
            raise ModerateError(f"signing secret variable {name} is not set or is empty")
        secrets.append(value.encode("utf-8"))
    return tuple(secrets)
