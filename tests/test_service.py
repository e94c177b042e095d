"""The HTTP service over real HTTP: uvicorn on a free loopback port in a thread, httpx clients.

Most tests run against a fake moderator whose actions are fixed by keywords, so each Coral
mapping (204, FLAG, REJECTED/PREMOD, FEATURED) can be forced; the fake also records the texts it
was asked to score, which shows HTML stripping and that staff comments are not scored.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from moderation.errors import DataFormatError, ModelLoadError
from moderation.service import ServiceConfig, create_app
from moderation.service.coral import html_to_text
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

    def __init__(self, delay: float = 0.0, splitter: bool = True) -> None:
        self.seen: list[str] = []
        self.calls = 0
        self.delay = delay
        self.splitter = splitter
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

    def check_many(self, texts: list[str]) -> list[dict]:
        with self.lock:
            self.seen.extend(texts)
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return [self.check(text) for text in texts]

    def split(self, text: str) -> list[dict]:
        if not self.splitter:
            raise ModelLoadError("no splitter model: run `moderate train --splitter`")
        return [
            {"line": n, "text": line, "kind": "comment" if "said" in line else "body",
             "confidence": 0.9}
            for n, line in enumerate(text.splitlines(), 1)
        ]  # fmt: skip


@contextmanager
def live_server(moderator: object, config: ServiceConfig | None = None) -> Iterator[str]:
    """Run the app under uvicorn on a free 127.0.0.1 port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(moderator, config or ServiceConfig())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
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
    return json.dumps(payload).encode("utf-8")


@pytest.fixture(scope="module")
def fake() -> FakeModerator:
    return FakeModerator()


@pytest.fixture(scope="module")
def open_url(fake: FakeModerator) -> Iterator[str]:
    """A server with the defaults: no signing, REJECTED, no FEATURED, staff skipped."""
    with live_server(fake) as url:
        yield url


@pytest.fixture(scope="module")
def signed_url() -> Iterator[str]:
    with live_server(FakeModerator(), ServiceConfig(signing_secrets=(SECRET,))) as url:
        yield url


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


# --- Coral: decisions -----------------------------------------------------------------------


def test_clean_new_comment_is_204_with_no_body(open_url: str, client: httpx.Client) -> None:
    r = client.post(f"{open_url}/coral", json=coral_request("Thanks, a fair summary."))
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["x-moderation-action"] == "approve"


def test_review_becomes_a_toxic_flag(open_url: str, client: httpx.Client) -> None:
    r = client.post(f"{open_url}/coral", json=coral_request("What an idiot take."))
    assert r.status_code == 200
    assert r.json() == {"actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}]}


def test_reject_becomes_rejected_status(open_url: str, client: httpx.Client) -> None:
    r = client.post(f"{open_url}/coral", json=coral_request("I will kill you."))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "REJECTED"
    assert body["actions"] == [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}]
    assert set(body) <= {"status", "actions", "tags"}  # Coral rejects unknown keys


def test_reply_and_edit_are_scored_like_new_comments(
    open_url: str, client: httpx.Client, fake: FakeModerator
) -> None:
    reply = coral_request("Reply: what an idiot take.", parent="comment-1")
    r = client.post(f"{open_url}/coral", json=reply)
    assert r.status_code == 200 and r.json()["actions"][0]["actionType"] == "FLAG"
    assert "Reply: what an idiot take." in fake.seen
    edit = coral_request("Edited: fine now.", parent="comment-1", action="EDIT")
    assert client.post(f"{open_url}/coral", json=edit).status_code == 204


def test_html_body_is_scored_as_text(
    open_url: str, client: httpx.Client, fake: FakeModerator
) -> None:
    body = "<p>You &amp; your <b>friends</b>&nbsp;are wrong</p><p>second<br>line</p>"
    assert client.post(f"{open_url}/coral", json=coral_request(body)).status_code == 204
    assert "You & your friends\xa0are wrong\nsecond\nline".replace("\xa0", " ") in fake.seen


def test_staff_author_is_not_scored(
    open_url: str, client: httpx.Client, fake: FakeModerator
) -> None:
    for role in ("STAFF", "MODERATOR", "ADMIN"):
        text = f"{role} says: kill the comments section"
        r = client.post(f"{open_url}/coral", json=coral_request(text, role=role))
        assert r.status_code == 204
        assert r.headers["x-moderation-action"] == "skipped-staff"
        assert text not in fake.seen


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


def test_featured_is_off_by_default(open_url: str, client: httpx.Client) -> None:
    r = client.post(f"{open_url}/coral", json=coral_request("As an eyewitness, I saw it."))
    assert r.status_code == 204


# --- Coral: signatures ----------------------------------------------------------------------


def test_signed_request_is_accepted(signed_url: str, client: httpx.Client) -> None:
    raw = encode(coral_request("What an idiot take."))
    r = client.post(
        f"{signed_url}/coral", content=raw,
        headers={"Content-Type": "application/json", "X-Coral-Signature": sign(raw, SECRET)},
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["actions"][0]["actionType"] == "FLAG"


def test_rotated_secret_with_two_signatures(signed_url: str, client: httpx.Client) -> None:
    raw = encode(coral_request("Reply during rotation.", parent="c-9"))
    for header in (signature_header(raw, [OLD_SECRET, SECRET]),
                   signature_header(raw, [SECRET, OLD_SECRET]).replace(",", " , ")):  # fmt: skip
        r = client.post(f"{signed_url}/coral", content=raw, headers={"X-Coral-Signature": header})
        assert r.status_code == 204, header


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


def test_unsigned_server_ignores_signatures(open_url: str, client: httpx.Client) -> None:
    r = client.post(
        f"{open_url}/coral", json=coral_request(), headers={"X-Coral-Signature": "sha256=00"}
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


def test_oversized_body_is_413(open_url: str, client: httpx.Client) -> None:
    big = coral_request("x" * (70 * 1024))
    r = client.post(f"{open_url}/coral", json=big)
    assert r.status_code == 413
    assert "limit" in r.json()["error"]


def test_oversized_chunked_body_without_length_is_413(open_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(80):
            yield b"y" * 1024
        yield b'"}'

    with httpx.Client(timeout=10) as c:
        r = c.post(f"{open_url}/v1/score", content=chunks())
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
def test_malformed_body_is_400(open_url: str, client: httpx.Client, raw: bytes) -> None:
    for path in ("/coral", "/v1/score", "/v1/split"):
        r = client.post(f"{open_url}{path}", content=raw)
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
    open_url: str, client: httpx.Client, request_body: dict, mentions: str
) -> None:
    r = client.post(f"{open_url}/coral", json=request_body)
    assert r.status_code == 400
    assert mentions in r.json()["error"]


def test_unknown_path_is_404_and_wrong_method_405(open_url: str, client: httpx.Client) -> None:
    r = client.post(f"{open_url}/v2/score", json={"text": "hi"})
    assert r.status_code == 404 and "error" in r.json()
    assert client.get(f"{open_url}/nothing-here").status_code == 404
    assert client.get(f"{open_url}/coral").status_code == 405
    assert client.get(f"{open_url}/docs").status_code == 404
    assert client.post(f"{open_url}/coral/", json=coral_request()).status_code == 404
    assert client.head(f"{open_url}/healthz").status_code == 200


# --- JSON API -------------------------------------------------------------------------------


def test_score_single(open_url: str, client: httpx.Client) -> None:
    r = client.post(f"{open_url}/v1/score", json={"text": "What an idiot take."})
    assert r.status_code == 200
    result = r.json()
    assert result["text"] == "What an idiot take."
    assert result["action"] == "review" and result["flags"] == ["toxicity"]
    assert result["scores"]["be_truthful"] is None
    assert "id" not in result
    r = client.post(f"{open_url}/v1/score", json={"text": "ok", "id": 5})
    assert r.json()["id"] == 5


def test_score_batch_keeps_order_and_ids(open_url: str, client: httpx.Client) -> None:
    comments = [
        {"id": "a", "text": "Thanks."},
        {"id": 2, "text": "kill"},
        {"text": "idiot"},
    ]
    r = client.post(f"{open_url}/v1/score", json={"comments": comments})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x.get("id") for x in results] == ["a", 2, None]
    assert [x["action"] for x in results] == ["approve", "reject", "review"]
    assert [x["text"] for x in results] == ["Thanks.", "kill", "idiot"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": 3}, {"comments": "x"}, {"comments": [{"id": 1}]}, {"comments": [3]},
     {"text": "x", "id": True}, {"text": "x", "id": [1]}],
)  # fmt: skip
def test_score_bad_fields_are_400(open_url: str, client: httpx.Client, payload: dict) -> None:
    assert client.post(f"{open_url}/v1/score", json=payload).status_code == 400


def test_split_a_page(open_url: str, client: httpx.Client) -> None:
    page = "Council votes on budget\nThe council met on Monday.\nAnna said: great news"
    r = client.post(f"{open_url}/v1/split", json={"text": page})
    assert r.status_code == 200
    lines = r.json()["lines"]
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert lines[2]["kind"] == "comment"


def test_split_without_splitter_model_is_503(client: httpx.Client) -> None:
    with live_server(FakeModerator(splitter=False)) as url:
        r = client.post(f"{url}/v1/split", json={"text": "a page"})
        assert r.status_code == 503 and "splitter" in r.json()["error"]


def test_healthz_reports_the_manifest(open_url: str, client: httpx.Client) -> None:
    r = client.get(f"{open_url}/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["model"]["trained_at"] == "2025-01-01T00:00:00+00:00"
    assert body["model"]["sha256"] == "f" * 64
    rules = {rule["id"]: rule for rule in body["model"]["rules"]}
    assert rules["toxicity"]["thresholds"] == {"review": 0.5, "reject": 0.9}
    assert rules["be_truthful"]["scored"] is False


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
    open_url: str, client: httpx.Client
) -> None:
    r = client.post(f"{open_url}/coral", json=coral_request("crash it"))
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: RuntimeError"}
    assert client.post(f"{open_url}/coral", json=coral_request("fine")).status_code == 204


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


def test_html_to_text() -> None:
    assert html_to_text("plain   text ") == "plain   text"
    assert html_to_text("a &lt;b&gt; &amp; c") == "a <b> & c"
    assert html_to_text("<script>alert(1)</script>hi <i>there</i>") == "hi there"
    assert html_to_text("<blockquote>quoted</blockquote>reply") == "quoted\nreply"
    assert html_to_text("<p></p>") == ""
    assert html_to_text("<<<>>> &#x26; <unclosed") in ("<<<>>> &", "<<<>>> & <unclosed")
