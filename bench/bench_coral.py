"""Load check for `moderate serve`'s Coral endpoint, on loopback only.

Starts the server as its own process (`python -m moderation serve` on 127.0.0.1, signing on),
then, from this process, sends a fixed number of real news comments (C3 and the toxic-spans
comments, read with the csv module from `moderation.settings.data_dir()`) as signed Coral
requests over a fixed number of concurrent keep-alive connections, and prints a table:
throughput, latency percentiles, errors, and how the answers split (204 / FLAG / REJECTED).

Every loop is bounded: each worker takes request numbers from one counter until the total is
reached, each request has a timeout, and the server is stopped (by its own pid) at the end.

    python bench/bench_coral.py [--requests 10000] [--connections 16] [--model models/]

Target: p99 under 50 ms and no errors. Exit status 1 when the target is missed, 0 when met or
when there is no trained model to serve (then it says so and skips).
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
REQUEST_TIMEOUT = 10.0


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

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = [
            f"POST {path} HTTP/1.1",
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
    server = start_server(port, model, secret, args.server_arg)
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
    finally:
        stop_server(server)
    return 0 if report(run, len(bodies), args.connections) else 1


if __name__ == "__main__":
    sys.exit(main())
