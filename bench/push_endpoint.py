"""Push endpoint latency at a fixed arrival rate, served by gunicorn (gthread) on loopback.

A fresh database per engine (the test city: grids, categories, an operator), one channel key, then
gunicorn in a subprocess.  The load is open-loop: requests are *scheduled* at ``--rate`` per second for
``--seconds``; a pool of client threads (http.client, keep-alive) sends each as soon as it can, and latency
is measured from the scheduled time, so a slow server is not hidden by a client that waits for it
(coordinated omission).  Every request is a new report (unique external_id) that the server registers
through the whole intake pipeline.

Baseline, same run, same server, same load: ``GET /login/`` (middleware, session, CSRF cookie, a
template; no database write).  Ratio = push p95 ÷ baseline p95.

    uv run python bench/push_endpoint.py [--engine sqlite|postgres|both] [--rate 100] [--seconds 30]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from _db import ROOT, emit, fresh_database, percentiles, run_per_engine, setup_django

Request = tuple[str, str, bytes | None, dict[str, str]]


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, FENGQIAO_DEBUG="0", FENGQIAO_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT / "src"),
               FENGQIAO_SSL_REDIRECT="0")  # plain HTTP on the loopback (no TLS proxy in this measurement)
    cmd = [sys.executable, "-m", "gunicorn", "fengqiao.wsgi:application", "-k", "gthread", "--workers",
           str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def drive(port: int, make: Callable[[int], Request], rate: float, seconds: float, clients: int) -> Result:
    """Open-loop load: request i is due at start + i/rate; latency counts from that due time."""
    result = Result()
    jobs: queue.Queue[tuple[int, float] | None] = queue.Queue()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (job := jobs.get()) is not None:
            number, due = job
            method, path, body, headers = make(number)
            status = 0
            for _attempt in range(2):  # once more on a fresh connection if the server closed an idle one
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - due) * 1000
            with result.lock:
                result.latencies_ms.append(elapsed)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.failures += status == 0 or status >= 400
        conn.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in pool:
        t.start()
    start = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        jobs.put((i, due))
    for _ in pool:
        jobs.put(None)
    for t in pool:
        t.join()
    result.achieved = total / (time.perf_counter() - start)  # type: ignore[attr-defined]
    return result


def summary(result: Result) -> dict[str, object]:
    return {**percentiles(result.latencies_ms), "requests": len(result.latencies_ms),
            "achieved_per_s": round(result.achieved, 1),  # type: ignore[attr-defined]
            "errors": result.failures, "statuses": {str(k): v for k, v in sorted(result.statuses.items())}}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    if args.engine == "both":
        extra = ["--rate", str(args.rate), "--seconds", str(args.seconds), "--workers", str(args.workers),
                 "--threads", str(args.threads), "--clients", str(args.clients)]
        return run_per_engine(__file__, ["sqlite", "postgres"], extra)
    setup_django(fresh_database(args.engine, "push"))

    from tests.factories import build_city

    from fengqiao.cases.models import Case
    from fengqiao.intake import keys

    city = build_city()
    secret = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=100_000).secret
    lng, lat = city.point_in(0)
    run = f"{time.time_ns():x}"

    def push(i: int) -> Request:
        body = {"external_id": f"B-{run}-{i}", "title": "小区噪声扰民", "category_code": "010101",
                "description": f"夜间工地施工噪声很大，影响休息，第 {i} 次反映。", "urgency": "normal",
                "address": "城东街道东风社区", "lng": lng, "lat": lat,
                "reporter": {"name": "张三", "phone": "13912345678"}}
        return ("POST", "/api/intake/hotline_12345/reports", json.dumps(body).encode(),
                {"Content-Type": "application/json", "X-API-Key": secret})

    def login(i: int) -> Request:
        return ("GET", "/login/", None, {})

    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        drive(port, login, args.rate, 2, args.clients)  # warm-up: imports, indexes, connections
        baseline = drive(port, login, args.rate, args.seconds, args.clients)
        pushed = drive(port, push, args.rate, args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    created = Case.objects.filter(external_ref__startswith=f"B-{run}-").count()
    base, mine = summary(baseline), summary(pushed)
    emit({
        "bench": "push_endpoint", "engine": args.engine, "target_rate_per_s": args.rate, "seconds": args.seconds,
        "server": f"gunicorn gthread {args.workers}x{args.threads}", "push": mine, "cases_created": created,
        "baseline": "GET /login/ at the same rate on the same server", "baseline_result": base,
        "p95_ratio_to_baseline": round(float(mine["p95_ms"]) / max(float(base["p95_ms"]), 0.01), 2),  # type: ignore[arg-type]
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
