"""Load check for `moderate serve`'s Coral endpoint, on loopback only.

Starts the server as its own process (`python -m moderation serve` on 127.0.0.1, signing on),
then, from this process, sends a fixed number of real news comments (C3 and the toxic-spans
comments, read with the csv module from `moderation.settings.data_dir()`) as signed Coral
requests over a fixed number of concurrent keep-alive connections, and prints a table:
throughput, latency percentiles, errors, and how the answers split (204 / FLAG / REJECTED).

Two hostile scenarios follow on the same server (issue 9), each printed as its own table:

- adversarial: one client keeps sending 64 KiB comments built to be slow to read (the
  normaliser's worst pattern `1$1$...`, and markup such as `<a <a <a ...`) while a second
  client times /healthz and /v1/score one after the other;
- slowloris: 200 connections that send nothing; each must be closed by the server within its
  header timeout (`--header-timeout`, 10 s by default) while /healthz keeps answering.

Every loop is bounded: each worker takes request numbers from one counter until the total is
reached, the probes send a fixed number of requests, each request has a timeout, and the server
is stopped (by its own pid) at the end.

    python bench/bench_coral.py [--requests 10000] [--connections 16] [--model models/]
                                [--skip-hostile] [--server-arg=--processes --server-arg=1]

Targets: under normal load p99 under 50 ms and no errors; while the adversarial client runs,
/healthz and /v1/score answer in under 100 ms (p99); the 200 silent connections are all closed
within the header timeout (plus 1 s). Exit status 1 when a target is missed, 0 when all are met
or when there is no trained model to serve (then it says so and skips).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation import settings  # noqa: E402

HOST = "127.0.0.1"
SECRET_ENV = "BENCH_CORAL_SECRET"
SOURCES = (("c3", "C3_anonymized.csv"), ("toxic_spans", "comments.csv"))
P99_TARGET_MS = 50.0
PROBE_TARGET_MS = 100.0
REQUEST_TIMEOUT = 10.0
HOSTILE_TIMEOUT = 60.0
SILENT_CONNECTIONS = 200
HEADER_TIMEOUT = 10.0  # `moderate serve`'s default
PROBE_BUDGET = 60.0  # seconds a probe may take in all


def read_comments(data_dir: Path, wanted: int) -> list[str]:
    """Up to `wanted` non-empty comment texts, taken in turn from each source file."""
    csv.field_size_limit(1 << 24)
    per_source: list[list[str]] = []
    for folder, name in SOURCES:
        path = data_dir / folder / name
        if not path.exists():
            print(f"note: {path} not found; using the other source", file=sys.stderr)
            continue
        texts: list[str] = []
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                text = (row.get("comment_text") or "").strip()
                if text:
                    texts.append(text)
                if len(texts) >= wanted:
                    break
        per_source.append(texts)
    mixed = [text for group in zip_longest(*per_source) for text in group if text is not None]
    return mixed[:wanted]


def coral_body(text: str, i: int) -> bytes:
    """A Coral external moderation request; every fifth comment is a reply."""
    return json.dumps(
        {
            "action": "NEW",
            "comment": {"body": text, "parentID": f"c-{i - 1}" if i % 5 == 0 else None},
            "author": {"id": f"user-{i % 997}", "role": "COMMENTER"},
            "story": {"id": f"story-{i % 50}", "url": f"https://news.example/story/{i % 50}"},
            "site": {"id": "site-1"},
            "tenantID": "tenant-1",
            "tenantDomain": "comments.news.example",
        }
    ).encode("utf-8")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, model: Path, secret: str, extra: list[str]) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "moderation", "serve", "--host", HOST, "--port", str(port),
        "--model", str(model), "--signing-secret-env", SECRET_ENV,
        "--no-access-log", "--log-level", "warning", *extra,
    ]  # fmt: skip
    env = {**os.environ, SECRET_ENV: secret}
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_ready(server: subprocess.Popen, base: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode} before serving")
        try:
            response = httpx.get(f"{base}/healthz", timeout=2)
            if response.status_code == 200:
                return response.json()
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /healthz within {timeout:.0f}s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    mean_batch: float = 0.0
    timeouts: int = 0


class Connection:
    """One keep-alive HTTP/1.1 connection, written by hand: a lean load generator.

    The client shares the machine's cores with the server, so it should spend as little CPU per
    request as it can; a general client such as httpx costs several times more per request than
    this, and that time would be taken from the server and counted as its latency.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.action = ""  # X-Moderation-Action of the last answer

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        return await self.request("POST", path, body, headers)

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = headers or {}
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        raw_head = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw_head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        fields = {name.strip().lower(): value.strip() for name, value in fields.items()}
        if "chunked" in fields.get("transfer-encoding", ""):
            raise ValueError("chunked responses are not expected from /coral")
        self.action = fields.get("x-moderation-action", "")
        length = int(fields.get("content-length", "0"))
        payload = await self.reader.readexactly(length) if length else b""
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def drive(port: int, bodies: list[bytes], secret: bytes, connections: int) -> Run:
    """Send every body once over `connections` keep-alive connections; time each request."""
    run = Run()
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        connection = Connection(port)
        try:
            while next_index < len(bodies):  # bounded: each index is taken once
                raw = bodies[next_index]
                next_index += 1
                digest = hmac.new(secret, raw, hashlib.sha256).hexdigest()
                headers = {
                    "Content-Type": "application/json",
                    "X-Coral-Signature": f"sha256={digest}",
                }
                started = time.perf_counter()
                try:
                    status, payload = await asyncio.wait_for(
                        connection.post("/coral", raw, headers), REQUEST_TIMEOUT
                    )
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    run.errors[type(exc).__name__] += 1
                    connection.close()
                    continue
                run.latencies_ms.append((time.perf_counter() - started) * 1000)
                if status == 204:
                    run.outcomes["204 approve"] += 1
                elif status == 200:
                    answer = json.loads(payload)
                    run.outcomes[f"200 {answer.get('status') or 'FLAG'}"] += 1
                else:
                    run.errors[f"HTTP {status}"] += 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    run.seconds = time.perf_counter() - started
    return run


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(run: Run, requests: int, connections: int) -> bool:
    lat = run.latencies_ms
    errors = sum(run.errors.values())
    p99 = percentile(lat, 99)
    rows = [
        ("requests", f"{requests}"),
        ("connections", f"{connections} (keep-alive)"),
        ("wall time", f"{run.seconds:.2f} s"),
        ("throughput", f"{requests / run.seconds:.0f} req/s"),
        ("latency p50", f"{percentile(lat, 50):.1f} ms"),
        ("latency p90", f"{percentile(lat, 90):.1f} ms"),
        ("latency p99", f"{p99:.1f} ms"),
        ("latency max", f"{max(lat, default=float('nan')):.1f} ms"),
        ("latency mean", f"{statistics.fmean(lat) if lat else float('nan'):.1f} ms"),
        ("mean batch", f"{run.mean_batch:.1f} comments per model call"),
        ("server CPU", f"{run.server_cpu * 1000 / requests:.2f} ms/request"),
        ("client CPU", f"{run.client_cpu * 1000 / requests:.2f} ms/request"),
        ("load average", "{:.1f} {:.1f} {:.1f} (1/5/15 min)".format(*os.getloadavg())),
        ("errors", f"{errors}" + (f" ({dict(run.errors)})" if errors else "")),
        ("scoring deadline missed", f"{run.timeouts} (answered by --coral-on-timeout)"),
        *((f"  {name}", f"{count}") for name, count in sorted(run.outcomes.items())),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\n{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 24}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    met = errors == 0 and p99 < P99_TARGET_MS
    print(f"\ntarget p99 < {P99_TARGET_MS:.0f} ms and no errors: {'met' if met else 'MISSED'}")
    return met


def hostile_texts(limit: int) -> list[str]:
    """Comments of about `limit` bytes once wrapped in a Coral request, slow to read if any."""
    size = limit - 600  # room for the rest of the request
    return [
        ("1$" * size)[:size],  # the normaliser's leetspeak pattern (cubic before issue 9)
        ("<a " * size)[:size],  # html.parser: 74 s on 64 KiB
        ("<!--" * size)[:size],
        ("you idiot " * size)[:size],
    ]


def signed(raw: bytes, secret: bytes) -> dict[str, str]:
    digest = hmac.new(secret, raw, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Coral-Signature": f"sha256={digest}"}


@dataclass
class Probe:
    healthz_ms: list[float] = field(default_factory=list)
    score_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    hostile_ms: list[float] = field(default_factory=list)
    hostile_answers: Counter = field(default_factory=Counter)


async def timed(connection: Connection, method: str, path: str, body: bytes = b"",
                headers: dict[str, str] | None = None) -> tuple[int, float]:  # fmt: skip
    started = time.perf_counter()
    status, _ = await asyncio.wait_for(
        connection.request(method, path, body, headers), REQUEST_TIMEOUT
    )
    return status, (time.perf_counter() - started) * 1000


async def probe(port: int, rounds: int, probe_result: Probe) -> None:
    """/healthz then /v1/score, one after the other, `rounds` times, on one connection."""
    connection = Connection(port)
    score_body = json.dumps({"text": "Thanks for the clear reporting."}).encode()
    ends = time.monotonic() + PROBE_BUDGET
    try:
        for _ in range(rounds):  # bounded, in rounds and in time (a frozen server)
            if time.monotonic() > ends:
                probe_result.errors["probe out of time"] += 1
                break
            for method, path, body, into in (("GET", "/healthz", b"", probe_result.healthz_ms),
                                              ("POST", "/v1/score", score_body,
                                               probe_result.score_ms)):  # fmt: skip
                try:
                    status, ms = await timed(connection, method, path, body)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    probe_result.errors[f"{path} {type(exc).__name__}"] += 1
                    connection.close()
                    continue
                into.append(ms)
                if status != 200:
                    probe_result.errors[f"{path} HTTP {status}"] += 1
            await asyncio.sleep(0.01)
    finally:
        connection.close()


async def adversarial(port: int, secret: bytes, limit: int, rounds: int) -> Probe:
    """One client sends hostile comments to /coral while `probe` runs; stops when it ends."""
    result = Probe()
    bodies = [coral_body(text, i) for i, text in enumerate(hostile_texts(limit))]
    stop = asyncio.Event()

    async def attacker() -> None:
        connection = Connection(port)
        try:
            for i in range(1000):  # bounded; normally stopped by the probe's end much earlier
                if stop.is_set():
                    break
                raw = bodies[i % len(bodies)]
                started = time.perf_counter()
                try:
                    status, payload = await asyncio.wait_for(
                        connection.post("/coral", raw, signed(raw, secret)), HOSTILE_TIMEOUT
                    )
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    result.hostile_answers[type(exc).__name__] += 1
                    connection.close()
                    continue
                result.hostile_ms.append((time.perf_counter() - started) * 1000)
                result.hostile_answers[f"{status} {connection.action}"] += 1
        finally:
            connection.close()

    attack = asyncio.ensure_future(attacker())
    await asyncio.sleep(0.05)  # the first hostile comment is in
    await probe(port, rounds, result)
    stop.set()
    try:
        await asyncio.wait_for(attack, HOSTILE_TIMEOUT)
    except TimeoutError:
        result.hostile_answers["still scoring at the end"] += 1
    return result


async def slowloris(port: int, count: int, header_timeout: float) -> tuple[list[float], Probe]:
    """`count` connections that send nothing; when did the server close each? Probe meanwhile."""
    started = time.perf_counter()
    opened = [await asyncio.open_connection(HOST, port) for _ in range(count)]

    async def closed_after(reader: asyncio.StreamReader) -> float:
        try:
            await asyncio.wait_for(reader.read(1), header_timeout + 10)
        except (TimeoutError, OSError):
            return float("inf")
        return time.perf_counter() - started

    waits = [asyncio.ensure_future(closed_after(reader)) for reader, _ in opened]
    result = Probe()
    await probe(port, 20, result)
    closed = list(await asyncio.gather(*waits))
    for _, writer in opened:
        writer.close()
    return closed, result


def report_hostile(
    result: Probe, closed: list[float], during: Probe, header_timeout: float
) -> bool:
    rows = []
    for name, values in (("/healthz", result.healthz_ms), ("/v1/score", result.score_ms)):
        rows.append((f"{name} while adversarial", "p50 {:.1f} / p99 {:.1f} / max {:.1f} ms (n={})"
                     .format(percentile(values, 50), percentile(values, 99),
                             max(values, default=float("nan")), len(values))))  # fmt: skip
    rows.append(("hostile /coral latency", "p50 {:.1f} / max {:.1f} ms (n={})".format(
        percentile(result.hostile_ms, 50), max(result.hostile_ms, default=float("nan")),
        len(result.hostile_ms))))  # fmt: skip
    rows.append(("hostile /coral answers", ", ".join(
        f"{k}: {v}" for k, v in sorted(result.hostile_answers.items())) or "none"))  # fmt: skip
    rows.append(("/healthz while 200 silent", "p50 {:.1f} / max {:.1f} ms (n={}, {} errors)".format(
        percentile(during.healthz_ms, 50), max(during.healthz_ms, default=float("nan")),
        len(during.healthz_ms), sum(during.errors.values()))))  # fmt: skip
    rows.append(("probe errors", str(sum(result.errors.values()))
                 + (f" ({dict(result.errors)})" if result.errors else "")))  # fmt: skip
    done = [t for t in closed if t != float("inf")]
    rows.append((f"{len(closed)} silent connections", "all closed after {:.2f} s (first "
                 "{:.2f} s); {} still open".format(max(closed, default=float("nan")),
                                                   min(closed, default=float("nan")),
                                                   len(closed) - len(done))))  # fmt: skip
    width = max(len(name) for name, _ in rows)
    print(f"\n{'hostile clients':<{width}}  value")
    print(f"{'-' * width}  {'-' * 24}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    probes = result.healthz_ms + result.score_ms
    met = (
        not result.errors
        and percentile(probes, 99) < PROBE_TARGET_MS
        and len(done) == len(closed)
        and max(closed, default=0.0) < header_timeout + 1.0
    )
    print(f"\ntarget probes p99 < {PROBE_TARGET_MS:.0f} ms while adversarial, silent connections "
          f"closed within {header_timeout:g} s + 1 s: {'met' if met else 'MISSED'}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--model", type=Path, default=None, help="model directory")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--server-arg", action="append", default=[], help="extra `moderate serve` option"
    )
    parser.add_argument("--skip-hostile", action="store_true",
                        help="only the normal load, not the adversarial and slowloris clients")
    parser.add_argument("--probe-rounds", type=int, default=100)
    parser.add_argument("--header-timeout", type=float, default=HEADER_TIMEOUT,
                        help="passed to the server as --header-timeout")  # fmt: skip
    args = parser.parse_args(argv)

    model = settings.model_dir(args.model)
    if not (model / settings.RULES_MODEL_NAME).exists():
        print(
            f"SKIP: no trained model at {model / settings.RULES_MODEL_NAME}; "
            "run `moderate train` first (or pass --model DIR)."
        )
        return 0
    texts = read_comments(settings.data_dir(args.data_dir), args.requests)
    if not texts:
        print(f"SKIP: no comments found under {settings.data_dir(args.data_dir)}")
        return 0
    bodies = [coral_body(texts[i % len(texts)], i) for i in range(args.requests)]
    sizes = [len(b) for b in bodies]
    print(
        f"{len(bodies)} Coral requests from {len(texts)} real comments "
        f"(body {min(sizes)}-{max(sizes)} bytes, median {statistics.median(sizes):.0f})"
    )

    secret = os.urandom(16).hex()
    port = free_port()
    base = f"http://{HOST}:{port}"
    server_args = ["--header-timeout", str(args.header_timeout), *args.server_arg]
    server = start_server(port, model, secret, server_args)
    hostile: Probe | None = None
    during = Probe()
    closed: list[float] = []
    try:
        health = wait_ready(server, base)
        print(f"server pid {server.pid} on {base}, model trained {health['model']['trained_at']}")
        warm = [coral_body(text, i) for i, text in enumerate(texts[: args.warmup])]
        asyncio.run(drive(port, warm, secret.encode(), args.connections))
        before = httpx.get(f"{base}/healthz", timeout=10).json().get("scoring", {})
        server_cpu = process_cpu_seconds(server.pid)
        client_cpu = time.process_time()
        run = asyncio.run(drive(port, bodies, secret.encode(), args.connections))
        run.client_cpu = time.process_time() - client_cpu
        run.server_cpu = process_cpu_seconds(server.pid) - server_cpu
        scoring = httpx.get(f"{base}/healthz", timeout=10).json().get("scoring", {})
        batches = scoring.get("batches", 0) - before.get("batches", 0)
        comments = scoring.get("comments", 0) - before.get("comments", 0)
        run.mean_batch = comments / batches if batches else 0.0
        run.timeouts = scoring.get("timeouts", 0) - before.get("timeouts", 0)
        if not args.skip_hostile:
            hostile = asyncio.run(adversarial(port, secret.encode(), 65536, args.probe_rounds))
            closed, during = asyncio.run(
                slowloris(port, SILENT_CONNECTIONS, args.header_timeout)
            )
    finally:
        stop_server(server)
    met = report(run, len(bodies), args.connections)
    if hostile is not None:
        met = report_hostile(hostile, closed, during, args.header_timeout) and met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
