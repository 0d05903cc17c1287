"""A bounded loopback load test of a city's busy hour (issue 8, part 2), on PostgreSQL and Redis.

Set-up: a fresh PostgreSQL database, migrated, the demo city built into it (``fengqiao demo --cases
--cases``, full geography), Redis db ``--redis-db`` flushed for the cache and the queue, then ``fengqiao serve``
(production settings: ``FENGQIAO_DEBUG=0``, ``FENGQIAO_TRUSTED_PROXIES=127.0.0.1/32``) and ``fengqiao worker``
on a free port of this host.  Torn down at the end, whatever happens.

The busy hour at ``--scale`` 1.0 (bench/load_journeys.py):
* operators registering 50 matters a second through ``POST /api/cases`` (session login + X-CSRFToken;
  the demo's own titles, descriptions and places; a caller with a mobile) — 100 operators, one every 2 s each;
* 200 staff (the demo's dispatchers, handlers and leaders) browsing their inbox ``/``, cases from it
  ``/cases/<code>/`` and the API's list ``/api/cases``, thinking 5–10 s between pages;
* 1,000 citizens following their 解纷码 on ``/portal/track/<code>/``, thinking 30–60 s, each from its own
  address (``X-Forwarded-For`` through the trusted proxy, as nginx would set it).

Measured, same run, same server:
* baseline: one client, one request at a time, ``--baseline-rounds`` rounds of every endpoint (after
  ``--baseline-warmup`` rounds not measured: first requests import and compile), before the load: p50/p95
  per endpoint;
* loaded: after every simulated person has spawned and logged in and ``--settle`` seconds more (the
  logins are reported apart: PBKDF2 makes them slow on purpose), for ``--seconds``: per
  endpoint requests, failures, p50/p95/p99, achieved requests a second; ``ratio_p95`` = loaded p95 /
  baseline p95; registrations a second achieved against offered; every error with its status and the
  head of its body (there must be none); the server's own view from ``/metrics`` (requests by status,
  mean duration per view) over the loaded run; the load average and the CPU the load generator used.

Locust runs as a subprocess (``locust --headless``), not as a library in this process: gevent monkey-
patches the whole process it is imported into (sockets, threads, subprocess), which would also patch the
Django set-up, psycopg and the process management here; apart, it also shows as its own CPU figure.

    uv run python bench/load.py                      # the busy hour (1.0), 300 s, ~15 min with the build
    uv run python bench/load.py --scale 0.25         # a quarter of it
    uv run python bench/load.py --reuse --scale 1.0  # again on the database the last run built
    uv run python bench/load.py --report /tmp/fq-load-run-…  # a run's figures again, from its work dir
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from _db import ROOT, emit, existing_database, fresh_database, percentiles, setup_django, timed
from _server import free_port, stop, wait_ready
from load_journeys import (
    CITIZEN_THINK_S,
    RAMP_ONLY,
    REGISTER,
    REGISTRATIONS_PER_S,
    STAFF_THINK_S,
    counts,
)

LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"


def metrics(base: str) -> dict[str, dict[str, float]] | None:
    """fengqiao_http_requests_total by (view, status) and the duration's sum and count by view; None when
    the server cannot answer within 2 minutes (still working off the load's queue)."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(f"{base}/metrics", timeout=120) as response:
            text = response.read().decode()
    except OSError as exc:
        print(f"/metrics unreadable: {exc!r}", file=sys.stderr)
        return None
    out: dict[str, dict[str, float]] = {"requests": defaultdict(float), "seconds": defaultdict(float),
                                        "count": defaultdict(float)}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "fengqiao_http_requests_total":
                out["requests"][f"{s.labels['view']} {s.labels['status']}"] += s.value
            elif s.name == "fengqiao_http_request_duration_seconds_sum":
                out["seconds"][s.labels["view"]] += s.value
            elif s.name == "fengqiao_http_request_duration_seconds_count":
                out["count"][s.labels["view"]] += s.value
    return out


def server_view(before: dict[str, dict[str, float]] | None,
                after: dict[str, dict[str, float]] | None) -> dict[str, Any] | None:
    if before is None or after is None:
        return None
    requests = {k: int(v - before["requests"].get(k, 0)) for k, v in after["requests"].items()
                if v - before["requests"].get(k, 0) > 0}
    mean_ms = {}
    for view, count in after["count"].items():
        n = count - before["count"].get(view, 0)
        if n > 0:
            mean_ms[view] = round(1000 * (after["seconds"][view] - before["seconds"].get(view, 0)) / n, 1)
    return {"requests_by_view_status": dict(sorted(requests.items())), "mean_ms_by_view": mean_ms}


def run_locust(base: str, env: dict[str, str], classes: list[str], users: int, spawn_rate: float,
               run_time: int, out: Path, log: Path) -> tuple[dict[str, Any], float]:
    """One headless Locust run; its recorded samples and the CPU seconds it used."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("ab") as sink:
        subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base,
                        "-u", str(users), "-r", str(spawn_rate), "-t", f"{run_time}s", "--stop-timeout", "15",
                        "--only-summary", "--loglevel", "WARNING", *classes],
                       env={**env, "FQ_LOAD_OUT": str(out)}, stdout=sink, stderr=sink, check=False)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not out.exists():
        raise SystemExit(f"locust wrote no results; see {log}")
    return json.loads(out.read_text(encoding="utf-8")), (used.ru_utime + used.ru_stime) - (cpu.ru_utime + cpu.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="the busy hour's scale (1.0 = issue 8's figures)")
    parser.add_argument("--seconds", type=int, default=300, help="measured seconds under load (after the ramp-up)")
    parser.add_argument("--settle", type=int, default=30, help="seconds after the last user spawned before measuring")
    parser.add_argument("--spawn-rate", type=float, default=20, help="simulated people started a second")
    parser.add_argument("--cases", type=int, default=20_000, help="cases of the demo city (fengqiao demo --cases)")
    parser.add_argument("--reuse", action="store_true", help="the database an earlier run built, as it is now")
    parser.add_argument("--baseline-rounds", type=int, default=40, help="measured rounds of the baseline")
    parser.add_argument("--baseline-warmup", type=int, default=10, help="rounds before them, not measured")
    parser.add_argument("--redis-db", type=int, default=11, help="Redis database number (flushed first)")
    parser.add_argument("--web-workers", type=int, default=0, help="fengqiao serve --workers (0: its default)")
    parser.add_argument("--web-threads", type=int, default=0, help="fengqiao serve --threads (0: its default)")
    parser.add_argument("--report", type=Path, metavar="DIR", help="only print the figures of an earlier run")
    args = parser.parse_args()
    if args.report:
        return report(args.report)

    url = existing_database("postgres", "load") if args.reuse else fresh_database("postgres", "load")
    data_dir = os.environ["FENGQIAO_DATA_DIR"]
    # the city is built and served with one secret: personal data is encrypted with keys derived from it, and
    # a server with another key shows every party's name and phone as "⚠" (as the runs before 2026-11-30 did)
    os.environ.setdefault("FENGQIAO_SECRET_KEY", "load-test-" + "k" * 50)
    setup_django(url)
    from django.core.management import call_command
    from load_world import world

    _, build_s = timed(lambda: call_command("demo", "--cases", str(args.cases), "--scale", "full", verbosity=0,
                                            stdout=open(os.devnull, "w")))  # noqa: SIM115
    from fengqiao.cases.models import Case

    described = world()
    work = Path(tempfile.mkdtemp(prefix="fq-load-run-"))
    (work / "world.json").write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")
    people = counts(args.scale)
    emit({"bench": "load", "phase": "setup", "reuse": args.reuse, "demo_s": round(build_s, 1),
          "cases_before": Case.objects.count(), "scale": args.scale, "users": people,
          "logins": {"operators": len(described["operators"]), "staff": len(described["staff"])},
          "mediation_codes": len(described["mediation_codes"]), "work_dir": str(work)})
    from django.db import connections

    connections.close_all()

    import redis

    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    redis.Redis.from_url(redis_url).flushdb()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    metrics_dir = work / "metrics"
    metrics_dir.mkdir()
    env = {**os.environ, "FENGQIAO_DATABASE_URL": url, "FENGQIAO_DATA_DIR": data_dir, "FENGQIAO_DEBUG": "0",
           "FENGQIAO_SECRET_KEY": os.environ["FENGQIAO_SECRET_KEY"], "FENGQIAO_ALLOWED_HOSTS": "127.0.0.1",
           "FENGQIAO_REDIS_URL": redis_url, "FENGQIAO_TRUSTED_PROXIES": "127.0.0.1/32",
           # plain HTTP on the loopback: the TLS-terminating proxy is not part of this measurement
           "FENGQIAO_SECURE_COOKIES": "0", "FENGQIAO_SSL_REDIRECT": "0",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PYTHONPATH": str(ROOT / "src"),
           "FQ_LOAD_WORLD": str(work / "world.json"), "FQ_LOAD_SCALE": str(args.scale),
           "FQ_LOAD_BASELINE_ROUNDS": str(args.baseline_rounds),
           "FQ_LOAD_BASELINE_WARMUP": str(args.baseline_warmup), "FQ_LOAD_SETTLE": str(args.settle),
           "FQ_LOAD_SECONDS": str(args.seconds)}
    serve_cmd = [sys.executable, "-m", "fengqiao", "serve", "--bind", f"127.0.0.1:{port}"]
    serve_cmd += ["--workers", str(args.web_workers)] if args.web_workers else []
    serve_cmd += ["--threads", str(args.web_threads)] if args.web_threads else []
    web = worker = None
    try:
        web = subprocess.Popen(serve_cmd, env=env, stdout=(work / "serve.log").open("wb"), stderr=subprocess.STDOUT)
        worker = subprocess.Popen([sys.executable, "-m", "fengqiao", "worker"], env=env,
                                  stdout=(work / "worker.log").open("wb"), stderr=subprocess.STDOUT)
        wait_ready(base, web)
        emit({"bench": "load", "phase": "servers", "base": base, "load_average": os.getloadavg()})

        run_locust(base, env, ["BaselineUser"], 1, 1, 1800, work / "baseline.json", work / "locust.log")

        total = sum(people.values())
        ramp = int(total / args.spawn_rate) + 1
        before = metrics(base)
        load_before = os.getloadavg()
        began = time.monotonic()
        # the run stops itself --seconds after measuring began (after every login); -t is only a safety net
        _, locust_cpu = run_locust(base, env, list(people), total, args.spawn_rate,
                                   3 * ramp + 600 + args.settle + args.seconds, work / "loaded.json",
                                   work / "locust.log")
        load_after = os.getloadavg()
        loaded_run_s = time.monotonic() - began
        after = metrics(base)
    finally:
        stop(web, "fengqiao serve")
        stop(worker, "fengqiao worker")
    (work / "run.json").write_text(json.dumps({
        "scale": args.scale, "people": people, "load_before": load_before, "load_after": load_after,
        "locust_cpu_s": locust_cpu, "loaded_run_s": loaded_run_s, "server": server_view(before, after)}))
    return report(work)


def report(work: Path) -> int:
    """The figures of a run from what it saved in its work directory (``--report DIR`` prints them again)."""
    baseline = json.loads((work / "baseline.json").read_text(encoding="utf-8"))
    loaded = json.loads((work / "loaded.json").read_text(encoding="utf-8"))
    run = json.loads((work / "run.json").read_text(encoding="utf-8"))
    scale, people = run["scale"], run["people"]
    unloaded = {name: percentiles(ms) for name, ms in baseline["samples_ms"].items() if ms}
    for error in baseline["errors"]:
        emit({"bench": "load", "phase": "baseline", "error": error})
    window = loaded["window_s"]
    offered = {REGISTER: REGISTRATIONS_PER_S * scale}
    for name, ms in sorted(loaded["samples_ms"].items()):
        if not ms:
            continue
        row: dict[str, Any] = {"bench": "load", "scale": scale, "endpoint": name, "requests": len(ms),
                               "failures": loaded["failures"].get(name, 0), **percentiles(ms),
                               "achieved_rps": round(len(ms) / window, 2), "statuses": loaded["statuses"][name]}
        if name in unloaded:
            row["baseline_p50_ms"] = unloaded[name]["p50_ms"]
            row["baseline_p95_ms"] = unloaded[name]["p95_ms"]
            row["ratio_p95"] = round(row["p95_ms"] / max(unloaded[name]["p95_ms"], 0.01), 2)
        if name in offered:
            row["offered_rps"] = offered[name]
        emit(row)
    for name in RAMP_ONLY:
        if loaded["ramp_ms"].get(name):
            emit({"bench": "load", "scale": scale, "ramp_up": name, "requests": len(loaded["ramp_ms"][name]),
                  **percentiles(loaded["ramp_ms"][name])})
    for error in loaded["errors"]:
        emit({"bench": "load", "scale": scale, "error": error})
    created = loaded["statuses"].get(REGISTER, {}).get("201", 0)
    staff_offered = people["StaffUser"] / (sum(STAFF_THINK_S) / 2)
    citizens_offered = people["CitizenUser"] / (sum(CITIZEN_THINK_S) / 2)
    emit({"bench": "load", "scale": scale, "summary": True, "measured_s": round(window, 1),
          "errors": loaded["error_count"], "baseline_errors": baseline["error_count"],
          "registrations_per_s_offered": offered[REGISTER],
          "registrations_per_s_achieved": round(len(loaded["samples_ms"].get(REGISTER, [])) / window, 2),
          "registrations_created_per_s": round(created / window, 2),
          "staff_pages_per_s_offered": round(staff_offered, 1),
          "citizen_pages_per_s_offered": round(citizens_offered, 1),
          "total_rps_achieved": round(sum(len(v) for v in loaded["samples_ms"].values()) / window, 1),
          "load_average_before": [round(x, 2) for x in run["load_before"]],
          "load_average_after": [round(x, 2) for x in run["load_after"]],
          "load_generator_cpu_s": round(run["locust_cpu_s"], 1) if run["locust_cpu_s"] is not None else None,
          "load_generator_cores": round(run["locust_cpu_s"] / run["loaded_run_s"], 2)
          if run["locust_cpu_s"] is not None else None,
          "cpu_cores": os.cpu_count()})
    emit({"bench": "load", "scale": scale, "server_metrics": run["server"]})
    return 1 if loaded["error_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
