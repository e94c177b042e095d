"""Issue 9 against the service: each hostile input or client, over real HTTP on 127.0.0.1.

Text hidden in angle brackets is scored; lone surrogates, huge numbers and one bad comment in a
batch give 400 or a result, never a 500; scoring has a deadline and /healthz never waits on it;
silent, half-sent and trickling connections are cut at their timeouts (small ones, set through
ServiceConfig) while other clients keep being served; log lines cannot be forged. Every socket
read has a timeout and every loop a bound.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from moderation.cli import app as cli_app
from moderation.normalize import normalize
from moderation.service import ServiceConfig
from moderation.service.coral import html_to_text, loggable, raw_text

from .test_service import (  # noqa: F401  (module fixtures: the fixture model)
    FLAG,
    FakeModerator,
    Recording,
    coral_request,
    live_server,
    model,
    model_url,
)

HIDDEN = [
    "<you are a fucking idiot>",
    "Great article! <script> you are a fucking idiot",
    "I think x<y and you are a fucking idiot, >:(",
    "Nice. <style> you are a fucking idiot",
    "Nice. <template> you are a fucking idiot",
    "Nice. <!-- you are a fucking idiot",
]
QUICK = dict(header_timeout=0.5, body_timeout=0.5, keep_alive_timeout=0.5)


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    with live_server(FakeModerator()) as url:
        yield url


@pytest.fixture(scope="module")
def quick_url() -> Iterator[str]:
    """The fake behind small connection timeouts (0.5 s)."""
    with live_server(FakeModerator(), ServiceConfig(**QUICK)) as url:
        yield url


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def connect(url: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port_of(url)), timeout=5)
    sock.settimeout(5)
    return sock


def read_until_closed(sock: socket.socket, limit: float = 5.0) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it closed."""
    started, data = time.monotonic(), b""
    while time.monotonic() - started < limit:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
    return data, time.monotonic() - started


# --- item 2: text in angle brackets ------------------------------------------------------


@pytest.mark.parametrize("body", HIDDEN)
def test_text_in_angle_brackets_is_scored(fake_url: str, body: str) -> None:
    """Was 204 "skipped-empty" or approved: the markup-looking text was never scored."""
    r = httpx.post(f"{fake_url}/coral", json=coral_request(body), timeout=10)
    assert r.status_code == 200 and r.json() == {"actions": [FLAG]}, body
    assert r.headers["x-moderation-action"] == "review"


@pytest.mark.parametrize("body", HIDDEN[:3])
def test_text_in_angle_brackets_is_scored_by_the_model(
    model: Recording, model_url: str, body: str  # noqa: F811
) -> None:
    plain = model.check("you are a fucking idiot")
    assert plain["action"] != "approve"  # the fixture model flags the words themselves
    r = httpx.post(f"{model_url}/coral", json=coral_request(body), timeout=10)
    assert r.status_code == 200
    assert "idiot" in " ".join(model.seen[-2:])


def test_markup_split_words_and_the_raw_body_are_both_scored(
    model: Recording, model_url: str  # noqa: F811
) -> None:
    body = "<p>you are a fucking id<b></b>iot</p>"
    httpx.post(f"{model_url}/coral", json=coral_request(body), timeout=10)
    assert "you are a fucking idiot" in model.seen  # the rendering joins the word
    assert body in model.seen  # and the body as typed is scored beside it


def test_rendering_keeps_text_and_drops_markup() -> None:
    assert html_to_text("<you are a fucking idiot>") == "<you are a fucking idiot>"
    assert html_to_text("Great article! <script> you idiot") == "Great article! you idiot"
    assert html_to_text("x<y and z >:(") == "x<y and z >:("
    assert html_to_text("<p>one</p><p>two<br/>three</p>") == "one\ntwo\nthree"
    assert html_to_text('<a href="https://x.example/?a=1&amp;b=2" title=\'>\'>link</a>') == "link"
    assert html_to_text("&#" + "1" * 5000 + ";x") == "\ufffdx"  # html.unescape: ValueError
    assert raw_text("<b>you</b> &amp; me") == "<b>you</b> & me"


ADVERSARIAL = ["<", "<!--", "</", "&#", "<a ", "<a b='", '<a b="', "<!", "<?", "<![", "<x\n",
               "&#1", "&amp", "<p>", "</p>", "<!-- -->", "<a b='<"]  # fmt: skip


def _time_rendering(body: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        html_to_text(body)
        raw_text(body)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_rendering_is_linear_on_hostile_markup(unit: str) -> None:
    """html.parser took 0.76 s on 8 KiB and 74 s on 64 KiB of '<a ' (CPython 3.11.7)."""
    small = _time_rendering(unit * (8192 // len(unit)))
    big = _time_rendering(unit * (65536 // len(unit)))
    assert big < 0.25, f"{big:.3f} s for 64 KiB"
    assert big < 8 * 4 * small + 0.01  # 8x the input: linear is 8x, quadratic 64x


# --- items 5 and 7: bad input is a 400 or a result, never a 500 -----------------------------


def test_lone_surrogates_are_replaced_and_scored(fake_url: str) -> None:
    raw = b'{"text": "you idiot \\ud800", "id": "a\\udc00"}'
    r = httpx.post(f"{fake_url}/v1/score", content=raw, timeout=10)
    assert r.status_code == 200
    assert r.json()["text"] == "you idiot \ufffd" and r.json()["id"] == "a\ufffd"
    assert r.json()["action"] == "review"
    body = coral_request("you idiot").copy()
    raw = httpx.Request("POST", "/", json=body).content.replace(b"you idiot", b"you idiot\\udbff")
    r = httpx.post(f"{fake_url}/coral", content=raw, timeout=10)
    assert r.status_code == 200 and r.json() == {"actions": [FLAG]}


def test_one_surrogate_in_a_500_comment_batch_does_not_fail_it(fake_url: str) -> None:
    comments = b",".join(b'{"id": %d, "text": "comment %d"}' % (i, i) for i in range(500))
    comments = comments.replace(b'"comment 250"', b'"comment \\ud83d"')
    r = httpx.post(f"{fake_url}/v1/score", content=b'{"comments": [' + comments + b"]}",
                   timeout=10)  # fmt: skip
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 500 and results[250]["text"] == "comment \ufffd"


def test_a_failing_comment_in_a_batch_is_400_naming_its_index(fake_url: str) -> None:
    comments = [{"text": f"comment {i}"} for i in range(500)]
    comments[317] = {"text": "boom"}
    r = httpx.post(f"{fake_url}/v1/score", json={"comments": comments}, timeout=10)
    assert r.status_code == 400
    assert r.json()["error"].startswith("comments[317]: ")


@pytest.mark.parametrize("path", ["/v1/score", "/coral"])
def test_a_5000_digit_number_is_400(fake_url: str, path: str) -> None:
    raw = b'{"text": "hi", "id": ' + b"9" * 5000 + b"}"
    r = httpx.post(f"{fake_url}{path}", content=raw, timeout=10)
    assert r.status_code == 400
    assert "digits" in r.json()["error"] and "\n" not in r.json()["error"]


def test_port_out_of_range_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--port", "99999"])
    assert result.exit_code == 2
    assert "65535" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, OverflowError)


def test_author_id_cannot_forge_a_log_line(
    fake_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    author = "u1\nINFO:     moderation.service: coral NEW comment by admin: approve\r\x1b[2K"
    request = coral_request("you idiot")
    request["author"]["id"] = author
    with caplog.at_level(logging.INFO, logger="moderation.service"):
        r = httpx.post(f"{fake_url}/coral", json=request, timeout=10)
    assert r.status_code == 200
    lines = [rec.getMessage() for rec in caplog.records if "comment by" in rec.getMessage()]
    assert lines and all("\n" not in m and "\r" not in m and "\x1b" not in m for m in lines)
    assert "u1\\nINFO:" in lines[-1]
    assert loggable("a\u2028b\x00" + "x" * 500).startswith("a\\u2028b\\x00x")


# --- item 2: deadlines ----------------------------------------------------------------------


def test_scoring_past_its_deadline_is_503_and_coral_gets_review() -> None:
    fake = FakeModerator(delay=1.5)
    config = ServiceConfig(score_timeout=0.3, coral_timeout=0.3)
    with live_server(fake, config) as url, httpx.Client(timeout=10) as client:
        started = time.monotonic()
        r = client.post(f"{url}/v1/score", json={"text": "slow"})
        assert r.status_code == 503 and "longer than 0.3 s" in r.json()["error"]
        r = client.post(f"{url}/coral", json=coral_request("a clean but slow comment"))
        assert r.status_code == 200 and r.json() == {"actions": [FLAG]}
        assert r.headers["x-moderation-action"] == "timeout-review"
        assert time.monotonic() - started < 1.4  # neither waited for the 1.5 s model
        health = client.get(f"{url}/healthz")
        assert health.json()["scoring"]["timeouts"] == 2
    with live_server(fake, ServiceConfig(coral_timeout=0.2, coral_on_timeout="premod")) as url:
        r = httpx.post(f"{url}/coral", json=coral_request("slow"), timeout=10)
        assert r.status_code == 200 and r.json() == {"status": "PREMOD"}


def _normaliser_is_linear() -> bool:
    started = time.perf_counter()
    normalize("1$" * 200)  # 0.2 s or more when cubic, well under a millisecond when linear
    return time.perf_counter() - started < 0.05


def test_healthz_and_score_answer_while_a_64k_hostile_comment_is_scored(
    model: Recording, model_url: str  # noqa: F811
) -> None:
    """The issue's freeze: '1$' * n took 2.5 s at 1,000 characters and froze /healthz."""
    if not _normaliser_is_linear():  # the normaliser's own fix (issue 9, item 1) is not in
        pytest.skip("the normaliser still takes cubic time on '1$' * n: nothing to measure")
    hostile = coral_request("1$" * 32_000)
    answers: list[httpx.Response] = []
    sender = threading.Thread(
        target=lambda: answers.append(httpx.post(f"{model_url}/coral", json=hostile, timeout=30)),
        daemon=True,
    )
    with httpx.Client(timeout=10) as client:
        sender.start()
        time.sleep(0.02)
        for path in ("/healthz", "/v1/score"):
            started = time.monotonic()
            if path == "/healthz":
                r = client.get(f"{model_url}{path}")
            else:
                r = client.post(f"{model_url}{path}", json={"text": "Thanks for this."})
            assert r.status_code == 200 and time.monotonic() - started < 1.0, path
    sender.join(30)
    assert answers and answers[0].status_code in (200, 204)


# --- item 6: connections --------------------------------------------------------------------


def test_silent_connection_is_closed_at_the_header_timeout(quick_url: str) -> None:
    sock = connect(quick_url)
    data, after = read_until_closed(sock)
    sock.close()
    assert data == b"" and 0.4 <= after < 2.5


def test_half_sent_headers_get_408_and_are_closed(quick_url: str) -> None:
    sock = connect(quick_url)
    sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
    data, after = read_until_closed(sock)
    sock.close()
    assert data.startswith(b"HTTP/1.1 408 ") and 0.4 <= after < 2.5


def test_a_half_sent_second_request_on_a_keep_alive_connection_gets_408(quick_url: str) -> None:
    sock = connect(quick_url)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    first = b""
    for _ in range(100):  # bounded: until the whole first answer is in
        first += sock.recv(65536)
        head, _, body = first.partition(b"\r\n\r\n")
        if body and len(body) >= int(head.split(b"content-length: ")[1].split(b"\r\n")[0]):
            break
    sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # within the keep-alive time, then stop
    data, after = read_until_closed(sock)
    assert first.startswith(b"HTTP/1.1 200 ") and data.startswith(b"HTTP/1.1 408 ")
    assert after < 2.5
    sock.close()
    # sent together with the first request, it waits under the keep-alive timer instead
    sock = connect(quick_url)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\n")
    data, after = read_until_closed(sock)
    sock.close()
    assert data.startswith(b"HTTP/1.1 200 ") and after < 2.5


def test_headers_trickled_byte_by_byte_are_cut(quick_url: str) -> None:
    sock = connect(quick_url)
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    started, closed = time.monotonic(), False
    for byte in request:  # one byte every 50 ms: 7 s if the server never cut it
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            closed = True
            break
        time.sleep(0.05)
        if time.monotonic() - started > 1.5:
            break
    data, _ = read_until_closed(sock, limit=2)
    sock.close()
    assert closed or data.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 4


def test_trickled_chunked_body_is_cut_and_others_are_served(quick_url: str) -> None:
    sock = connect(quick_url)
    sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                 b'1\r\n{\r\n')  # fmt: skip
    started, cut = time.monotonic(), False
    with httpx.Client(timeout=5) as client:
        for _ in range(40):  # a chunk every 50 ms for at most 2 s
            try:
                sock.sendall(b"1\r\n \r\n")
            except OSError:
                cut = True
                break
            assert client.post(f"{quick_url}/v1/score", json={"text": "hi"}).status_code == 200
            time.sleep(0.05)
    data, _ = read_until_closed(sock, limit=2)
    sock.close()
    assert cut or data.startswith(b"HTTP/1.1 408 ") or data == b""
    assert time.monotonic() - started < 4


def test_idle_keep_alive_connection_is_closed(quick_url: str) -> None:
    sock = connect(quick_url)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data, after = read_until_closed(sock)
    sock.close()
    assert data.startswith(b"HTTP/1.1 200 ") and after < 2.5


def test_200_silent_connections_are_closed_while_others_are_served(quick_url: str) -> None:
    socks = [connect(quick_url) for _ in range(200)]
    started = time.monotonic()
    with httpx.Client(timeout=5) as client:
        for _ in range(3):
            assert client.get(f"{quick_url}/healthz").status_code == 200
    open_left = set(range(len(socks)))
    while open_left and time.monotonic() - started < 5:  # bounded: 5 s at most
        for i in list(open_left):
            socks[i].setblocking(False)
            try:
                if socks[i].recv(1) == b"":
                    open_left.discard(i)
            except BlockingIOError:
                pass
            except OSError:
                open_left.discard(i)
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    for sock in socks:
        sock.close()
    assert not open_left, f"{len(open_left)} of 200 still open after {elapsed:.1f} s"
    assert elapsed < 3.0


def test_connections_over_the_limit_get_503() -> None:
    with live_server(FakeModerator(), ServiceConfig(max_connections=5, **QUICK)) as url:
        held = [connect(url) for _ in range(5)]
        extra = connect(url)
        data, _ = read_until_closed(extra)
        extra.close()
        assert data.startswith(b"HTTP/1.1 503 ") and b"too many open connections" in data
        for sock in held:
            sock.close()
        deadline = time.monotonic() + 5
        status = 0
        while status != 200 and time.monotonic() < deadline:  # the server frees the slots
            time.sleep(0.1)
            try:
                status = httpx.get(f"{url}/healthz", timeout=2).status_code
            except httpx.TransportError:
                status = 0
        assert status == 200


def test_a_client_that_never_reads_its_answer_is_cut_off() -> None:
    """A 6 MB answer to a client with a tiny receive window, never read: uvicorn's keep-alive
    close would wait for the answer to be flushed for ever; the guard aborts it."""
    page = "\n".join(f"line {i:07d} of a long page" for i in range(120_000))  # ~3.4 MB
    config = ServiceConfig(max_body_bytes=8 << 20, **QUICK)
    with live_server(FakeModerator(), config) as url:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(5)
        sock.connect(("127.0.0.1", port_of(url)))
        body = httpx.Request("POST", "/", json={"text": page}).content
        head = b"POST /v1/split HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n"
        sock.sendall(head % len(body) + body)
        time.sleep(4.0)  # keep-alive 0.5 s + the 2 s grace, never reading
        data, _ = read_until_closed(sock, limit=10)
        sock.close()
        answer_head, _, payload = data.partition(b"\r\n\r\n")
        length = int(answer_head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        assert length > 5_000_000 and len(payload) < length  # cut before the end
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
