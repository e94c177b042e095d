"""The HTTP service over real HTTP: uvicorn on a free loopback port in a thread, httpx clients.

Two servers per module. `model_url` serves the small model conftest trains on the hand-written
fixture corpus (`fixture_model_dir`: no data directory needed), wrapped in `Recording` so
tests can see which texts were scored (HTML stripped; staff comments not scored at all); its
answers are checked against the same model called in-process. `fake_url` serves a fake whose
action is fixed by keywords ('kill' rejects, 'idiot' asks for review, 'eyewitness' shares), for
the tests that must force one Coral mapping (FLAG, REJECTED/PREMOD, FEATURED) or a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn

from moderation import Moderator
from moderation.errors import DataFormatError, ModelLoadError
from moderation.service import ServiceConfig, create_app
from moderation.service.connections import server_config
from moderation.service.coral import decide, html_to_text, signal_thresholds
from moderation.service.signing import parse_header, sign, signature_header, verify

SECRET = b"ssec_current-0123456789abcdef"
OLD_SECRET = b"ssec_previous-fedcba9876543210"

RULES = [
    {"id": "toxicity", "title": "Overall", "kind": "violation", "scored": True,
     "thresholds": {"review": 0.5, "reject": 0.9}},
    {"id": "be_truthful", "title": "Be Truthful", "kind": "violation", "scored": False,
     "thresholds": None},
    {"id": "share_with_us", "title": "Share with Us", "kind": "signal", "scored": True,
     "thresholds": {"review": 0.6, "reject": None}},
]  # fmt: skip


class FakeModerator:
    """Moderator stand-in: 'kill' rejects, 'idiot' asks for review, 'eyewitness' shares."""

    manifest = {"kind": "rules", "file": "rules.joblib", "sha256": "f" * 64,
                "versions": {"python": "3.11"}, "trained_at": "2025-01-01T00:00:00+00:00",
                "rules": RULES}  # fmt: skip

    rule_kinds = {rule["id"]: rule["kind"] for rule in RULES}

    def __init__(self, delay: float = 0.0, splitter: bool = True) -> None:
        self.seen: list[str] = []
        self.calls = 0
        self.delay = delay
        self.splitter = object() if splitter else None  # like Moderator.splitter
        self.lock = threading.Lock()

    def check(self, text: str) -> dict:
        if "crash" in text:
            raise RuntimeError("an unexpected bug in the model")
        if "boom" in text:
            raise DataFormatError("the fake cannot score 'boom'")
        lowered = text.lower()
        toxicity = 0.95 if "kill" in lowered else 0.7 if "idiot" in lowered else 0.05
        share = 0.8 if "eyewitness" in lowered else 0.1
        action = "reject" if toxicity >= 0.9 else "review" if toxicity >= 0.5 else "approve"
        flags = [r for r, s in (("toxicity", toxicity), ("share_with_us", share)) if s >= 0.5]
        return {"text": text, "scores": {"toxicity": toxicity, "be_truthful": None,
                "share_with_us": share}, "flags": flags, "action": action,
                "reasons": {f: [f"fake reason for {f}"] for f in flags}}  # fmt: skip

    def check_many(self, texts: list[str], reasons: bool = True) -> list[dict]:
        with self.lock:
            self.seen.extend(texts)
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return [self.check(text) for text in texts]

    def split(self, text: str, thread_gate: str = "strict") -> list[dict]:
        if self.splitter is None:
            raise ModelLoadError("no splitter model: run `moderate train --splitter`")
        return [
            {"line": n, "text": line, "kind": "comment" if "said" in line else "body",
             "confidence": 0.9}
            for n, line in enumerate(text.splitlines(), 1)
        ]  # fmt: skip


class Recording:
    """Wrap a moderator; remember every text the service asked it to score."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.seen: list[str] = []
        self.lock = threading.Lock()

    @property
    def manifest(self) -> dict:
        return self.inner.manifest

    @property
    def rule_kinds(self) -> dict[str, str]:
        return self.inner.rule_kinds

    def check(self, text: str) -> dict:
        return self.inner.check(text)

    def check_many(self, texts: list[str], reasons: bool = True) -> list[dict]:
        with self.lock:
            self.seen.extend(texts)
        return self.inner.check_many(texts)

    def split(self, text: str, thread_gate: str = "strict") -> list[dict]:
        return self.inner.split(text, thread_gate)

    @property
    def splitter(self) -> object | None:
        return getattr(self.inner, "splitter", None)


@contextmanager
def live_server(moderator: object, config: ServiceConfig | None = None) -> Iterator[str]:
    """Run the app under uvicorn on a free 127.0.0.1 port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = config or ServiceConfig()
    # a loaded test machine can take longer than the production deadlines: keep them out of
    # the way unless a test sets its own
    defaults = ServiceConfig()
    if config.coral_timeout == defaults.coral_timeout:
        config = replace(config, coral_timeout=30.0)
    if config.score_timeout == defaults.score_timeout:
        config = replace(config, score_timeout=30.0)
    app = create_app(moderator, config)
    server = uvicorn.Server(server_config(app, config, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def coral_request(body: str = "Thanks for the article.", *, parent: str | None = None,
                  role: str = "COMMENTER", action: str = "NEW") -> dict:  # fmt: skip
    """A request body as Coral's external moderation phase sends it."""
    return {
        "action": action,
        "comment": {"body": body, "parentID": parent},
        "author": {"id": "user-42", "role": role},
        "story": {"id": "story-7", "url": "https://news.example/2025/01/story"},
        "site": {"id": "site-1"},
        "tenantID": "tenant-1",
        "tenantDomain": "comments.news.example",
    }


def encode(payload: object) -> bytes:
    """The raw body as Coral sends it (JSON.stringify(data, null, 2)): the bytes it signs."""
    return json.dumps(payload, indent=2).encode("utf-8")


@pytest.fixture(scope="module")
def model(fixture_model_dir: Path) -> Recording:
    """The small model conftest trains on the hand-written fixture corpus (with a splitter)."""
    return Recording(Moderator.load(fixture_model_dir))


@pytest.fixture(scope="module")
def model_url(model: Recording) -> Iterator[str]:
    """The model with the defaults: no signing, REJECTED, no FEATURED, staff skipped."""
    with live_server(model) as url:
        yield url


@pytest.fixture(scope="module")
def signed_url(model: Recording) -> Iterator[str]:
    with live_server(model, ServiceConfig(signing_secrets=(SECRET,))) as url:
        yield url


@pytest.fixture(scope="module")
def fake() -> FakeModerator:
    return FakeModerator()


@pytest.fixture(scope="module")
def fake_url(fake: FakeModerator) -> Iterator[str]:
    with live_server(fake) as url:
        yield url


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


# --- Coral: decisions -----------------------------------------------------------------------

FLAG = {"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}
COMMENTS = [
    "Thanks for the thorough reporting on the council budget.",
    "You're an idiot. Who would read a book by a woman.",
    "This bitch is nuts and so are you, moron.",
    "I know where you live and I will kill you.",
    "As a nurse at that hospital for 20 years, I saw this first hand; here is what happened.",
]


def coral_answer(result: dict, reject_status: str = "REJECTED") -> tuple[int, dict | None]:
    """What /coral must answer for a check() result, under the default config."""
    if result["action"] == "approve":
        return 204, None
    if result["action"] == "review":
        return 200, {"actions": [FLAG]}
    return 200, {"status": reject_status, "actions": [FLAG]}


def as_json(value: object) -> object:
    return json.loads(json.dumps(value, default=float))


@pytest.mark.parametrize("text", COMMENTS)
@pytest.mark.parametrize("kind", ["new", "reply", "edit"])
def test_coral_answer_follows_the_model(
    model_url: str, client: httpx.Client, model: Recording, text: str, kind: str
) -> None:
    request = coral_request(
        text,
        parent=None if kind == "new" else "comment-1",
        action="EDIT" if kind == "edit" else "NEW",
    )
    r = client.post(f"{model_url}/coral", json=request)
    result = model.check(text)
    status, body = coral_answer(result)
    assert r.status_code == status
    if body is None:
        assert r.content == b""
    else:
        assert r.json() == body
        assert set(r.json()) <= {"status", "actions", "tags"}  # Coral refuses other keys
    assert r.headers["x-moderation-action"] == result["action"]


def test_clean_comment_is_204_with_no_body(fake_url: str, client: httpx.Client) -> None:
    r = client.post(f"{fake_url}/coral", json=coral_request("Thanks, a fair summary."))
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["x-moderation-action"] == "approve"


def test_review_becomes_a_toxic_flag(fake_url: str, client: httpx.Client) -> None:
    for parent in (None, "comment-1"):
        r = client.post(f"{fake_url}/coral", json=coral_request("What an idiot.", parent=parent))
        assert r.status_code == 200
        assert r.json() == {"actions": [FLAG]}


def test_reject_becomes_rejected_status(fake_url: str, client: httpx.Client) -> None:
    r = client.post(f"{fake_url}/coral", json=coral_request("I will kill you.", parent="c-1"))
    assert r.status_code == 200
    assert r.json() == {"status": "REJECTED", "actions": [FLAG]}


def test_html_body_is_scored_as_text(
    model_url: str, client: httpx.Client, model: Recording
) -> None:
    body = "<p>You &amp; your <b>friends</b>&nbsp;are wrong</p><p>second<br>line &lt;3</p>"
    text = "You & your friends are wrong\nsecond\nline <3"
    r = client.post(f"{model_url}/coral", json=coral_request(body))
    assert text in model.seen
    assert r.status_code == coral_answer(model.check(text))[0]


def test_staff_author_is_not_scored(model_url: str, client: httpx.Client, model: Recording) -> None:
    for role in ("STAFF", "MODERATOR", "ADMIN"):
        text = f"{role} says: you idiot, I will kill you"
        r = client.post(f"{model_url}/coral", json=coral_request(text, role=role))
        assert r.status_code == 204
        assert r.headers["x-moderation-action"] == "skipped-staff"
        assert text not in model.seen
    text = "COMMENTER says: you idiot, I will kill you"
    client.post(f"{model_url}/coral", json=coral_request(text, role="COMMENTER"))
    assert text in model.seen


def test_configured_premod_featured_and_staff_scoring(client: httpx.Client) -> None:
    config = ServiceConfig(reject_status="PREMOD", featured=True, score_staff=True)
    with live_server(FakeModerator(), config) as url:
        r = client.post(f"{url}/coral", json=coral_request("kill", role="STAFF"))
        assert r.json()["status"] == "PREMOD"
        r = client.post(f"{url}/coral", json=coral_request("As an eyewitness, I saw the fire."))
        assert r.status_code == 200 and r.json() == {"tags": ["FEATURED"]}
        # a toxic comment is never featured, however much it shares
        r = client.post(f"{url}/coral", json=coral_request("eyewitness idiot"))
        assert "tags" not in r.json()
    with live_server(FakeModerator(), ServiceConfig(featured=True, featured_threshold=0.9)) as url:
        r = client.post(f"{url}/coral", json=coral_request("As an eyewitness, I saw the fire."))
        assert r.status_code == 204  # 0.8 is under the configured 0.9


def test_featured_follows_the_models_signal_rules_not_a_rule_name() -> None:
    """FEATURED comes from the rules of kind "signal" the moderator reports, whatever their id."""
    config = ServiceConfig(featured=True)
    sharing = FakeModerator().check("As an eyewitness, I saw the fire.")
    signals = signal_thresholds(FakeModerator.rule_kinds, FakeModerator.manifest)
    assert signals == {"share_with_us": 0.6}
    assert decide(sharing, signals, config) == {"tags": ["FEATURED"]}
    as_violation = {**FakeModerator.rule_kinds, "share_with_us": "violation"}
    assert decide(sharing, signal_thresholds(as_violation, FakeModerator.manifest), config) is None
    renamed = {**sharing, "scores": {"toxicity": 0.05, "witness": 0.8}, "flags": ["witness"]}
    kinds = {"toxicity": "violation", "witness": "signal"}  # not in the manifest: no threshold
    assert decide(renamed, signal_thresholds(kinds, FakeModerator.manifest), config) == {
        "tags": ["FEATURED"]}  # flagged, so featured
    assert decide({**renamed, "flags": []}, signal_thresholds(kinds, {}), config) is None


def test_featured_is_off_by_default(fake_url: str, client: httpx.Client) -> None:
    r = client.post(f"{fake_url}/coral", json=coral_request("As an eyewitness, I saw it."))
    assert r.status_code == 204


# --- Coral: signatures ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [COMMENTS[0], COMMENTS[3]])
def test_signed_request_is_answered(
    signed_url: str, client: httpx.Client, model: Recording, text: str
) -> None:
    raw = encode(coral_request(text))
    r = client.post(
        f"{signed_url}/coral", content=raw,
        headers={"Content-Type": "application/json", "X-Coral-Signature": sign(raw, SECRET)},
    )  # fmt: skip
    assert r.status_code == coral_answer(model.check(text))[0]


def test_rotated_secret_with_two_signatures(
    signed_url: str, client: httpx.Client, model: Recording
) -> None:
    text = "Reply during rotation: you idiot."
    raw = encode(coral_request(text, parent="c-9"))
    for header in (signature_header(raw, [OLD_SECRET, SECRET]),
                   signature_header(raw, [SECRET, OLD_SECRET]).replace(",", " , ")):  # fmt: skip
        r = client.post(f"{signed_url}/coral", content=raw, headers={"X-Coral-Signature": header})
        assert r.status_code == coral_answer(model.check(text))[0], header
        assert r.headers["x-moderation-action"] == model.check(text)["action"]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        "sha1=" + "0" * 40,
        "garbage, sha256=zz",
        "sha256=ünïcödé".encode(),
    ],
)
def test_missing_or_bad_signature_is_401(
    signed_url: str, client: httpx.Client, header: str | bytes | None
) -> None:
    raw = encode(coral_request("Thanks."))
    headers = {} if header is None else {"X-Coral-Signature": header}
    r = client.post(f"{signed_url}/coral", content=raw, headers=headers)
    assert r.status_code == 401
    assert "error" in r.json() and SECRET.decode() not in r.text


def test_signature_of_another_body_or_secret_is_401(signed_url: str, client: httpx.Client) -> None:
    raw = encode(coral_request("Thanks."))
    other = encode(coral_request("Thanks!"))
    for header in (sign(other, SECRET), sign(raw, OLD_SECRET), signature_header(raw, [OLD_SECRET])):
        r = client.post(f"{signed_url}/coral", content=raw, headers={"X-Coral-Signature": header})
        assert r.status_code == 401


def test_unsigned_server_ignores_signatures(fake_url: str, client: httpx.Client) -> None:
    r = client.post(
        f"{fake_url}/coral", json=coral_request(), headers={"X-Coral-Signature": "sha256=00"}
    )
    assert r.status_code == 204


def test_signing_helpers() -> None:
    raw = b'{"a": 1}'
    assert sign(raw, b"k") == "sha256=" + __import__("hmac").new(b"k", raw, "sha256").hexdigest()
    assert parse_header(" SHA256=AB , sha1=cd,sha256=ef ") == ["ab", "ef"]
    assert verify(raw, signature_header(raw, [b"x", b"k"]), [b"k"])
    assert not verify(raw, signature_header(raw, [b"x"]), [b"k"])
    assert not verify(raw, None, [b"k"])


# --- limits and malformed input -------------------------------------------------------------


def test_oversized_body_is_413(model_url: str, client: httpx.Client) -> None:
    big = coral_request("x" * (70 * 1024))
    r = client.post(f"{model_url}/coral", json=big)
    assert r.status_code == 413
    assert "limit" in r.json()["error"]


def test_oversized_chunked_body_without_length_is_413(model_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(80):
            yield b"y" * 1024
        yield b'"}'

    with httpx.Client(timeout=10) as c:
        r = c.post(f"{model_url}/v1/score", content=chunks())
    assert r.status_code == 413
    assert "content-length" not in r.request.headers


def test_body_just_under_the_limit_is_accepted(client: httpx.Client) -> None:
    with live_server(FakeModerator(), ServiceConfig(max_body_bytes=2048)) as url:
        under = encode({"text": "a" * 2000})
        assert len(under) <= 2048
        assert client.post(f"{url}/v1/score", content=under).status_code == 200
        over = encode({"text": "a" * 2040})
        assert client.post(f"{url}/v1/score", content=over).status_code == 413


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[1, 2]", b'"text"', b"\xff\xfe{}", b"[" * 100_00 + b"]" * 100_00],
)
def test_malformed_body_is_400(model_url: str, client: httpx.Client, raw: bytes) -> None:
    for path in ("/coral", "/v1/score", "/v1/split"):
        r = client.post(f"{model_url}{path}", content=raw)
        assert r.status_code == 400, (path, r.text)
        assert isinstance(r.json()["error"], str)


def _without(path: str) -> dict:
    request = coral_request()
    *parents, last = path.split(".")
    node = request
    for key in parents:
        node = node[key]
    del node[last]
    return request


@pytest.mark.parametrize(
    "request_body, mentions",
    [
        (_without("comment.body"), "comment.body"),
        (_without("comment"), "comment"),
        (_without("author"), "author"),
        (_without("author.role"), "author.role"),
        (_without("action"), "action"),
        ({**coral_request(), "action": "DELETE"}, "action"),
        ({**coral_request(), "comment": {"body": 42}}, "comment.body"),
        ({**coral_request(), "comment": "hello"}, "comment"),
        ({**coral_request(), "author": {"id": "u", "role": None}}, "author.role"),
        ({**coral_request(), "story": {"id": 7}}, "story.id"),
    ],
)
def test_missing_or_mistyped_coral_fields_are_400(
    model_url: str, client: httpx.Client, request_body: dict, mentions: str
) -> None:
    r = client.post(f"{model_url}/coral", json=request_body)
    assert r.status_code == 400
    assert mentions in r.json()["error"]


def test_unknown_path_is_404_and_wrong_method_405(model_url: str, client: httpx.Client) -> None:
    r = client.post(f"{model_url}/v2/score", json={"text": "hi"})
    assert r.status_code == 404 and "error" in r.json()
    assert client.get(f"{model_url}/nothing-here").status_code == 404
    assert client.get(f"{model_url}/coral").status_code == 405
    assert client.get(f"{model_url}/docs").status_code == 404
    assert client.post(f"{model_url}/coral/", json=coral_request()).status_code == 404
    assert client.head(f"{model_url}/healthz").status_code == 200


# --- JSON API -------------------------------------------------------------------------------


def test_score_single_is_the_model_check(
    model_url: str, client: httpx.Client, model: Recording
) -> None:
    for text in COMMENTS[:3]:
        r = client.post(f"{model_url}/v1/score", json={"text": text})
        assert r.status_code == 200
        assert r.json() == as_json(model.check(text))
        assert "id" not in r.json()
    r = client.post(f"{model_url}/v1/score", json={"text": COMMENTS[0], "id": 5})
    assert r.json() == {"id": 5, **as_json(model.check(COMMENTS[0]))}


def test_score_batch_keeps_order_and_ids(
    model_url: str, client: httpx.Client, model: Recording
) -> None:
    ids = ["a", 2, None, "d", "e"]
    comments = [
        {"text": t} if i is None else {"id": i, "text": t}
        for i, t in zip(ids, COMMENTS, strict=True)
    ]
    r = client.post(f"{model_url}/v1/score", json={"comments": comments})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x.get("id") for x in results] == ids
    expected = model.inner.check_many(COMMENTS)
    assert [{k: v for k, v in x.items() if k != "id"} for x in results] == as_json(expected)


def test_score_fields_on_forced_actions(fake_url: str, client: httpx.Client) -> None:
    texts = ["Thanks.", "kill", "idiot"]
    r = client.post(f"{fake_url}/v1/score", json={"comments": [{"text": t} for t in texts]})
    results = r.json()["results"]
    assert [x["action"] for x in results] == ["approve", "reject", "review"]
    assert results[2]["flags"] == ["toxicity"] and results[2]["scores"]["be_truthful"] is None
    assert results[2]["reasons"] == {"toxicity": ["fake reason for toxicity"]}


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": 3}, {"comments": "x"}, {"comments": [{"id": 1}]}, {"comments": [3]},
     {"text": "x", "id": True}, {"text": "x", "id": [1]}, {"comments": [{"text": "x"}] * 1001}],
)  # fmt: skip
def test_score_bad_fields_are_400(model_url: str, client: httpx.Client, payload: dict) -> None:
    r = client.post(f"{model_url}/v1/score", json=payload)
    assert r.status_code == 400 and r.json()["error"]


def test_split_a_page(model_url: str, client: httpx.Client, model: Recording) -> None:
    page = (
        "Council votes on budget\nThe council met on Monday and passed the budget 7-2.\n"
        "Comments\nAnna said: great news for the library\nPrivacy policy | Contact us"
    )
    r = client.post(f"{model_url}/v1/split", json={"text": page})
    try:
        expected = model.split(page)
    except ModelLoadError:  # the model has no splitter: the service says so
        assert r.status_code == 503 and r.json()["error"]
        return
    assert r.status_code == 200
    lines = r.json()["lines"]
    assert lines == as_json(expected)
    assert [line["line"] for line in lines] == [1, 2, 3, 4, 5]
    assert {line["kind"] for line in lines} <= {"body", "comment", "boilerplate"}


def test_split_takes_a_thread_gate_and_refuses_an_unknown_one(
    model_url: str, client: httpx.Client, model: Recording
) -> None:
    page = "Story\nThe council met.\nComments\nAnna said: good\nBob: agreed\nContact us"
    r = client.post(f"{model_url}/v1/split", json={"text": page, "thread_gate": "lenient"})
    try:
        expected = model.split(page, "lenient")
    except ModelLoadError:
        assert r.status_code == 503
    else:
        assert r.status_code == 200 and r.json()["lines"] == as_json(expected)
    for gate in ("loose", 3, ""):
        r = client.post(f"{model_url}/v1/split", json={"text": page, "thread_gate": gate})
        assert r.status_code == 400 and "thread_gate" in r.json()["error"]


def test_split_without_splitter_model_is_503(client: httpx.Client) -> None:
    with live_server(FakeModerator(splitter=False)) as url:
        r = client.post(f"{url}/v1/split", json={"text": "a page"})
        assert r.status_code == 503 and "splitter" in r.json()["error"]
        assert client.get(f"{url}/healthz").json()["splitter"] is False


def test_healthz_reports_the_manifest(
    model_url: str, client: httpx.Client, model: Recording
) -> None:
    r = client.get(f"{model_url}/healthz")
    assert r.status_code == 200
    body = r.json()
    manifest = model.manifest
    assert body["status"] == "ok"
    assert body["model"]["trained_at"] == manifest["trained_at"]
    assert body["model"]["sha256"] == manifest["sha256"]
    assert body["model"]["versions"] == manifest["versions"]
    served = {rule["id"]: rule for rule in body["model"]["rules"]}
    assert list(served) == [rule["id"] for rule in manifest["rules"]]
    for rule in manifest["rules"]:
        assert served[rule["id"]]["thresholds"] == as_json(rule["thresholds"])
        assert served[rule["id"]]["scored"] == rule["scored"]
    assert "share_with_us" in served
    assert body["splitter"] is (model.splitter is not None)


# --- robustness: batching, failures, the event loop ----------------------------------------


def test_concurrent_requests_get_their_own_results(client: httpx.Client) -> None:
    fake = FakeModerator(delay=0.02)
    texts = [f"comment number {i}" + (" idiot" if i % 3 == 0 else "") for i in range(60)]

    async def send_all(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=10) as ac:
            return await asyncio.gather(
                *(
                    ac.post(f"{url}/v1/score", json={"text": t, "id": i})
                    for i, t in enumerate(texts)
                )
            )

    with live_server(fake, ServiceConfig(max_batch=16)) as url:
        responses = asyncio.run(send_all(url))
        scoring = client.get(f"{url}/healthz").json()["scoring"]
    assert scoring["comments"] == len(texts) and scoring["batches"] == fake.calls
    for i, r in enumerate(responses):
        assert r.status_code == 200
        assert r.json()["id"] == i and r.json()["text"] == texts[i]
        assert r.json()["action"] == ("review" if i % 3 == 0 else "approve")
    assert fake.calls < len(texts)  # requests that arrived together were scored together


def test_a_failing_comment_does_not_fail_its_batch(client: httpx.Client) -> None:
    fake = FakeModerator(delay=0.05)

    async def send(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=10) as ac:
            texts = ["fine one", "boom", "idiot two", "fine three"]
            return await asyncio.gather(
                *(ac.post(f"{url}/v1/score", json={"text": t}) for t in texts)
            )

    with live_server(fake) as url:
        ok1, bad, ok2, ok3 = asyncio.run(send(url))
        assert bad.status_code == 400 and "boom" in bad.json()["error"]
        assert [r.status_code for r in (ok1, ok2, ok3)] == [200, 200, 200]
        assert ok2.json()["action"] == "review"
        assert client.get(f"{url}/healthz").status_code == 200  # still serving


def test_an_unexpected_model_error_is_500_and_the_server_keeps_serving(
    fake_url: str, client: httpx.Client
) -> None:
    r = client.post(f"{fake_url}/coral", json=coral_request("crash it"))
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: RuntimeError"}
    assert client.post(f"{fake_url}/coral", json=coral_request("fine")).status_code == 204


def test_scoring_does_not_block_the_event_loop(client: httpx.Client) -> None:
    fake = FakeModerator(delay=1.0)
    with live_server(fake) as url:
        slow = threading.Thread(
            target=lambda: httpx.post(f"{url}/coral", json=coral_request("slow"), timeout=10)
        )
        slow.start()
        time.sleep(0.1)  # the slow comment is now being scored
        started = time.perf_counter()
        assert client.get(f"{url}/healthz").status_code == 200
        assert time.perf_counter() - started < 0.5
        slow.join()


# --- the `moderate serve` command ----------------------------------------------------------


def _moderate(*args: str) -> list[str]:
    return [sys.executable, "-m", "moderation", *args]


def test_cli_refuses_an_unset_secret_variable_and_a_missing_model(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_SUCH_SECRET_VAR"}
    run = subprocess.run(
        _moderate("serve", "--port", "0", "--signing-secret-env", "NO_SUCH_SECRET_VAR"),
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.startswith("error: signing secret variable NO_SUCH_SECRET_VAR")
    run = subprocess.run(
        _moderate("serve", "--port", "0", "--model", str(tmp_path / "nothing")),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1 and run.stderr.startswith("error: ")
    assert "Traceback" not in run.stderr


def test_cli_serves_a_trained_model(fixture_model_dir: Path, client: httpx.Client) -> None:
    env = {**os.environ, "TEST_CORAL_SECRET": SECRET.decode()}
    command = _moderate("serve", "--port", "0", "--model", str(fixture_model_dir),
                        "--signing-secret-env", "TEST_CORAL_SECRET", "--no-access-log")  # fmt: skip
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in server.stderr], daemon=True).start()
    try:
        deadline, url, log = time.monotonic() + 60, None, []
        while url is None and time.monotonic() < deadline and server.poll() is None:
            try:
                log.append(lines.get(timeout=0.5))
            except queue.Empty:
                continue
            found = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", log[-1])
            url = found and found.group(1)
        assert url, "the server did not start:\n" + "".join(log)
        health = client.get(f"{url}/healthz")
        assert health.status_code == 200 and health.json()["model"]["rules"]
        raw = encode(coral_request("Thanks for the article."))
        assert client.post(f"{url}/coral", content=raw).status_code == 401
        r = client.post(
            f"{url}/coral", content=raw, headers={"X-Coral-Signature": sign(raw, SECRET)}
        )
        assert r.status_code in (200, 204)
        assert SECRET.decode() not in "".join(log)
    finally:
        server.terminate()
        server.wait(10)


def test_scoring_in_a_worker_process_gives_the_same_answers(
    fixture_model_dir: Path, model: Recording, client: httpx.Client, tmp_path: Path
) -> None:
    # the workers load the given moderator's own directory, not config.model_dir
    config = ServiceConfig(model_dir=tmp_path / "not-a-model", processes=1, batch_wait_ms=1)
    with live_server(model.inner, config) as url:
        r = client.post(f"{url}/v1/score", json={"comments": [{"text": t} for t in COMMENTS]})
        assert r.json()["results"] == as_json(model.inner.check_many(COMMENTS))
        r = client.post(f"{url}/coral", json=coral_request(COMMENTS[3]))
        assert r.status_code == coral_answer(model.check(COMMENTS[3]))[0]
        assert client.get(f"{url}/healthz").json()["scoring"]["comments"] == len(COMMENTS) + 1


def test_an_app_that_loads_its_model_freezes_the_collector_only_when_told(
    fixture_model_dir: Path, client: httpx.Client
) -> None:
    # a library user mounting the app in their own process keeps their collector as it was;
    # `moderate serve`, which owns its process, sets freeze_gc
    import gc

    gc.unfreeze()
    try:
        with live_server(None, ServiceConfig(model_dir=fixture_model_dir)) as url:
            assert client.get(f"{url}/healthz").status_code == 200
            assert gc.get_freeze_count() == 0
        with live_server(None, ServiceConfig(model_dir=fixture_model_dir, freeze_gc=True)) as url:
            assert client.get(f"{url}/healthz").status_code == 200
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_html_to_text() -> None:
    assert html_to_text("plain   text ") == "plain   text"
    assert html_to_text("a &lt;b&gt; &amp; c") == "a <b> & c"
    # a comment has no scripts: what is inside was typed by the commenter and is kept
    assert html_to_text("<script>alert(1)</script>hi <i>there</i>") == "alert(1)hi there"
    assert html_to_text("<blockquote>quoted</blockquote>reply") == "quoted\nreply"
    assert html_to_text("<p></p>") == ""
    assert html_to_text("<<<>>> &#x26; <unclosed") in ("<<<>>> &", "<<<>>> & <unclosed")
