"""A loopback load tool: N client processes, each with one keep-alive ``http.client``
connection, send one request after another for T seconds (or K requests) and record each
latency. Only 127.0.0.1 is ever addressed."""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import random
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: dict[str, int] = field(default_factory=dict)  # status (or exception) → count
    elapsed: float = 0.0
    bytes: int = 0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def pct(self, p: float) -> float | None:
        if not self.latencies:
            return None
        values = sorted(self.latencies)
        k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
        return values[k] * 1000

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def summary(self) -> dict:
        return {
            "name": self.name,
            "requests": self.ok,
            "errors": self.errors,
            "p50_ms": self.pct(50),
            "p95_ms": self.pct(95),
            "p99_ms": self.pct(99),
            "rps": round(self.rps, 1),
            "bytes_per_response": self.bytes // self.ok if self.ok else 0,
        }


def _connect(port: int, timeout: float) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=timeout)


def request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict | None = None,
    body: bytes | None = None,
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def _client(args) -> tuple[list[float], dict[str, int], int]:
    port, paths, headers, until, max_requests, timeout, expect = args
    conn = _connect(port, timeout)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    size = 0
    n = 0
    rng = random.Random()
    while time.monotonic() < until and n < max_requests:
        path = paths[rng.randrange(len(paths))]
        t = time.perf_counter()
        try:
            status, data = request(conn, "GET", path, headers)
        except (OSError, http.client.HTTPException) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            conn.close()
            conn = _connect(port, timeout)
            n += 1
            continue
        took = time.perf_counter() - t
        n += 1
        if status == expect:
            latencies.append(took)
            size += len(data)
        else:
            errors[str(status)] = errors.get(str(status), 0) + 1
    conn.close()
    return latencies, errors, size


def drive(
    name: str,
    port: int,
    paths: list[str],
    *,
    clients: int,
    seconds: float,
    max_requests: int = 10**9,
    headers: dict | None = None,
    timeout: float = 90.0,
    warmup: int = 3,
    expect: int = 200,
) -> Result:
    """GET ``paths`` (one at random per request) from ``clients`` processes for ``seconds``
    (or ``max_requests`` in all), after ``warmup`` requests in turn. A path whose first two
    requests both take more than half of ``seconds`` is measured by those two only."""
    result = Result(name)
    conn = _connect(port, timeout)
    slow: list[float] = []
    for i in range(max(warmup, 2)):
        t = time.perf_counter()
        try:
            status, data = request(conn, "GET", paths[i % len(paths)], headers)
        except (OSError, http.client.HTTPException) as exc:
            result.errors[type(exc).__name__] = 1
            conn.close()
            return result
        took = time.perf_counter() - t
        if status != expect:
            key = f"{status} after {took:.1f} s" if took >= 1 else str(status)
            result.errors[key] = result.errors.get(key, 0) + 1
            result.errors["first"] = data[:300].decode(errors="replace")  # type: ignore[assignment]
            conn.close()
            return result
        if took <= seconds / 2:
            slow = []
        elif i < 2:
            slow.append(took)
            result.bytes = len(data)
            if len(slow) == 2:
                break
    conn.close()
    if len(slow) == 2:
        result.latencies = slow
        result.elapsed = sum(slow)
        return result
    result.bytes = 0
    per_client = max(1, max_requests // clients)
    until = time.monotonic() + seconds
    args = [(port, paths, headers, until, per_client, timeout, expect)] * clients
    start = time.monotonic()
    with mp.get_context("fork").Pool(clients) as pool:
        for latencies, errors, size in pool.map(_client, args):
            result.latencies.extend(latencies)
            result.bytes += size
            for k, v in errors.items():
                result.errors[k] = result.errors.get(k, 0) + v
    result.elapsed = time.monotonic() - start
    return result


# --- the last-minute bid burst ------------------------------------------------------------------


def _one_bid(port: int, tender_id: int, job, timeout: float, deadline: float):
    at, token, price = job
    delay = at - time.time()
    if delay > 0:
        time.sleep(delay)
    body = json.dumps({"price": price, "plan": "服务方案", "team": "社工 5 名"}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = _connect(port, timeout)
    sent = time.time()
    t = time.perf_counter()
    try:
        status, data = request(
            conn, "POST", f"/api/v1/procurement/tenders/{tender_id}/bids", headers, body
        )
    except (OSError, http.client.HTTPException) as exc:
        return None, type(exc).__name__, sent > deadline
    finally:
        conn.close()
    if status == 201:
        return time.perf_counter() - t, None, sent > deadline
    return None, f"{status} {data[:60].decode(errors='replace')}", sent > deadline


def _bidder(args) -> tuple[list[float], dict[str, int], int]:
    """One process: a thread per bid, each sent at its moment on its own connection, so a
    slow answer never delays the next bid's sending."""
    from concurrent.futures import ThreadPoolExecutor

    port, tender_id, jobs, timeout, deadline = args
    latencies: list[float] = []
    errors: dict[str, int] = {}
    late = 0
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        for took, error, was_late in pool.map(
            lambda job: _one_bid(port, tender_id, job, timeout, deadline), jobs
        ):
            late += was_late
            if took is not None:
                latencies.append(took)
            else:
                errors[error] = errors.get(error, 0) + 1
    return latencies, errors, late


def burst(
    port: int,
    tender_id: int,
    tokens: list[str],
    *,
    start: float,
    end: float,
    deadline: float,
    price: str,
    senders: int = 4,
    timeout: float = 60.0,
) -> tuple[Result, int]:
    """One bid per token at a random moment between ``start`` and ``end`` (epoch seconds),
    sent by ``senders`` processes; returns the result and how many were sent after
    ``deadline`` (the client's fault, not the server's)."""
    rng = random.Random(18)
    times = sorted(rng.uniform(start, end) for _ in tokens)
    jobs = list(zip(times, tokens, [price] * len(tokens), strict=True))
    shares = [jobs[i::senders] for i in range(senders)]
    result = Result("bid burst")
    late = 0
    t = time.monotonic()
    with mp.get_context("fork").Pool(senders) as pool:
        for latencies, errors, n_late in pool.map(
            _bidder, [(port, tender_id, share, timeout, deadline) for share in shares]
        ):
            result.latencies.extend(latencies)
            late += n_late
            for k, v in errors.items():
                result.errors[k] = result.errors.get(k, 0) + v
    result.elapsed = time.monotonic() - t
    return result, late
