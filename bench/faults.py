"""Faults that need the machine's shared services restarted (docs/operations.md, Faults).

    uv run python bench/faults.py pg-restart [--cases 2000] [--seconds 40] [--at 12]
    uv run python bench/faults.py redis-stop [--cases 2000] [--down 60] [--redis-db 13]

Both build a fresh PostgreSQL database with a small demo city (``fengqiao demo --cases N --scale small``),
start ``fengqiao serve`` (production settings, 2 workers × 4 threads) and drive traffic from 4 client
threads: each registers new matters through the push API (``POST /api/intake/hotline_12345/reports`` with
an ``external_id``, a channel key of the demo's operator; a request that does not get a 2xx is sent again
with the same ``external_id`` until it does, as a channel's system would) and reads one back
(``GET …/reports/<external_id>``).  In the middle:

* **pg-restart** runs ``pg_ctlcluster 15 main restart --mode fast`` (the cluster every helper shares: run
  it rarely).  Measured: the statuses of the requests in the gap and what they said, how long after the
  restart the service answered again without being restarted (the gunicorn master's pid is the same),
  and that every acknowledged registration is in the database once, none twice.
* **redis-stop** also starts ``fengqiao worker`` on Redis (``redis://127.0.0.1:6379/<db>``) and
  ``SHUTDOWN SAVE``s the machine's Redis (which is configured with no persistence: SAVE keeps the other
  users' keys), waits ``--down`` seconds and starts it again with the settings it ran with (read from the
  running server: it runs from command-line settings, not /etc/redis/redis.conf).  Measured: statuses
  during the outage, whether pages and readiness answered, whether the worker came back by itself and sent
  what was queued meanwhile.

Each prints JSON lines (bench/_db.py ``emit``).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _db import ROOT, emit, fresh_database, setup_django
from _server import free_port, stop, wait_ready

CHANNEL = "hotline_12345"
CLIENTS = 4


@dataclass
class Sample:
    at: float  # seconds since the traffic began
    kind: str  # register | read
    status: int  # 0: no HTTP answer (connection refused, timeout)
    ms: float
    content_type: str = ""
    body: str = ""


@dataclass
class Traffic:
    base: str
    key: str
    began: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    attempted: set[str] = field(default_factory=set)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, kind: str, method: str, path: str, body: dict[str, Any] | None = None) -> Sample:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method, headers={
            "X-API-Key": self.key, "Content-Type": "application/json", "Accept": "application/json"})
        started = time.monotonic()
        status, ctype, text = 0, "", ""
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, ctype = response.status, response.headers.get("Content-Type", "")
                response.read()
        except urllib.error.HTTPError as e:
            status, ctype, text = e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")
        except OSError as e:
            text = f"{type(e).__name__}: {e}"
        sample = Sample(started - self.began, kind, status, (time.monotonic() - started) * 1000, ctype, text[:300])
        with self.lock:
            self.samples.append(sample)
        return sample

    def client(self, n: int) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            ref = f"FLT-{n}-{i}"
            self.attempted.add(ref)
            body = {"external_id": ref, "title": f"故障演练 {ref}",
                    "description": f"故障演练登记 {ref}：夜间施工噪声扰民。"}
            while True:  # a channel's system sends the same report again until it is acknowledged
                sample = self.call("register", "POST", f"/api/intake/{CHANNEL}/reports", body)
                if 200 <= sample.status < 300:
                    with self.lock:
                        self.acknowledged.add(ref)
                    break
                if self.stop.is_set() and time.monotonic() - self.began > self.deadline:
                    return
                time.sleep(0.5)
            self.call("read", "GET", f"/api/intake/{CHANNEL}/reports/{ref}")

    deadline: float = 0.0

    def run(self, seconds: float) -> list[threading.Thread]:
        self.deadline = seconds + 120  # retries of unacknowledged ones may run on after the stop, this long
        threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        return threads


def prepare(cases: int, name: str) -> tuple[str, str, str]:
    """A fresh database with the demo city and a channel key: (url, data dir, key)."""
    url = fresh_database("postgres", name)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connections

    from fengqiao.accounts.models import User
    from fengqiao.intake import keys

    began = time.monotonic()
    call_command("demo", "--cases", str(cases), "--scale", "small", verbosity=0,
                 stdout=open(os.devnull, "w"))  # noqa: SIM115
    operator = next(u for u in User.objects.filter(memberships__role="operator", is_active=True).distinct()
                    if keys.check_account(u) is None)
    secret = keys.create_key(CHANNEL, operator, rate_per_minute=100_000, name="faults").secret
    emit({"bench": "faults", "phase": "setup", "demo_s": round(time.monotonic() - began, 1),
          "account": operator.username})
    connections.close_all()
    return url, os.environ["FENGQIAO_DATA_DIR"], secret


def server_env(url: str, data_dir: str, redis_url: str = "") -> dict[str, str]:
    return {**os.environ, "FENGQIAO_DATABASE_URL": url, "FENGQIAO_DATA_DIR": data_dir, "FENGQIAO_DEBUG": "0",
            "FENGQIAO_SECRET_KEY": "faults-" + "k" * 50, "FENGQIAO_ALLOWED_HOSTS": "127.0.0.1",
            "FENGQIAO_SECURE_COOKIES": "0", "FENGQIAO_SSL_REDIRECT": "0", "FENGQIAO_REDIS_URL": redis_url,
            "FENGQIAO_HUEY_NAME": "fengqiao-faults", "FENGQIAO_SMS_QUIET_HOURS": "0-0",
            "PYTHONPATH": str(ROOT / "src")}


def serve(env: dict[str, str], work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "fengqiao", "serve", "--bind", f"127.0.0.1:{port}", "--workers",
                            "2", "--threads", "4"], env=env, stdout=(work / "serve.log").open("wb"),
                           stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, web)
    return web, base


def summarize(traffic: Traffic, fault_from: float, fault_to: float) -> dict[str, Any]:
    """What the clients saw: statuses before, during and after the fault; the failures' first words."""
    bad = [s for s in traffic.samples if not 200 <= s.status < 300]
    gap = (min(s.at for s in bad), max(s.at + s.ms / 1000 for s in bad)) if bad else None
    after = [s for s in traffic.samples if s.at > (gap[1] if gap else fault_to) and 200 <= s.status < 300]
    messages = collections.Counter(f"{s.status} {s.content_type.split(';')[0]} {s.body[:120]}" for s in bad)
    return {
        "requests": len(traffic.samples),
        "statuses": dict(collections.Counter(str(s.status) for s in traffic.samples)),
        "failed": len(bad),
        "status_500": sum(1 for s in bad if s.status == 500),
        "no_answer": sum(1 for s in bad if s.status == 0),
        "gap_s": [round(gap[0] - fault_from, 2), round(gap[1] - fault_from, 2)] if gap else None,
        "fault_s": [0.0, round(fault_to - fault_from, 2)],
        "first_success_after_fault_s": round(min(s.at for s in after) - fault_to, 2) if after else None,
        "failure_messages": dict(messages.most_common(6)),
        "max_ms": round(max(s.ms for s in traffic.samples), 1) if traffic.samples else None,
    }


def registrations(traffic: Traffic) -> dict[str, Any]:
    from django.db import connections

    from fengqiao.cases.models import Case

    connections.close_all()  # the restart killed this process's connection, if it had one
    rows = list(Case.objects.filter(channel=CHANNEL, external_ref__startswith="FLT-")
                .values_list("external_ref", flat=True))
    stored = set(rows)
    return {"attempted": len(traffic.attempted), "acknowledged": len(traffic.acknowledged), "rows": len(rows),
            "duplicates": len(rows) - len(stored), "lost": len(traffic.acknowledged - stored),
            "registered_unacknowledged": len(stored - traffic.acknowledged)}


def finish(traffic: Traffic, threads: list[threading.Thread]) -> None:
    traffic.stop.set()
    for t in threads:
        t.join(timeout=traffic.deadline)


def pg_restart(args: argparse.Namespace) -> int:
    url, data_dir, secret = prepare(args.cases, "faults")
    work = Path(tempfile.mkdtemp(prefix="fq-faults-"))
    web, base = serve(server_env(url, data_dir), work)
    try:
        traffic = Traffic(base, secret)
        threads = traffic.run(args.seconds)
        time.sleep(args.at)
        fault_from = time.monotonic() - traffic.began
        restart = ["pg_ctlcluster", "15", "main", "restart", "--mode", "fast"]
        done = subprocess.run(["true"] if args.no_fault else restart, capture_output=True, text=True, check=False)
        fault_to = time.monotonic() - traffic.began
        time.sleep(max(0.0, args.seconds - (time.monotonic() - traffic.began)))
        finish(traffic, threads)
        alive = web.poll() is None
        emit({"bench": "faults", "fault": "pg-restart", "command": " ".join(restart), "dry": args.no_fault,
              "exit": done.returncode, "stderr": done.stderr.strip()[:200],
              "restart_s": round(fault_to - fault_from, 2),
              "gunicorn_master_alive_same_pid": alive, **summarize(traffic, fault_from, fault_to)})
        emit({"bench": "faults", "fault": "pg-restart", "registrations": registrations(traffic)})
        readyz = traffic.call("read", "GET", "/readyz")
        emit({"bench": "faults", "fault": "pg-restart", "readyz_after": readyz.status})
    finally:
        stop(web, "fengqiao serve")
    print(f"logs: {work}", file=sys.stderr)
    return 0


def queue_a_notification() -> int:
    """An in-app message queued in a committed transaction while the queue is down (what any action that
    notifies does): the request must not fail, and the row must be sent once the worker is back."""
    from django.db import transaction

    from fengqiao.accounts.models import User
    from fengqiao.notifications import services
    from fengqiao.notifications.models import Outbox

    user = User.objects.filter(is_active=True).order_by("pk").first()
    assert user is not None
    key = f"faults:redis:{time.time_ns()}"
    with transaction.atomic():
        services.queue([services.Draft(dedup_key=key, channel="in_app", subject="故障演练：Redis 停止期间的通知",
                                       recipient_id=user.pk, kind="remind")])
    return int(Outbox.objects.get(dedup_key=key).pk)


# The machine's Redis runs without a config file, from command-line settings: read them from the running
# server and start it again with the same ones (its persistence is off: SHUTDOWN SAVE keeps the other users'
# keys across the stop, the restart loads the dump, then the dump is removed as it was not there before).
REDIS_SETTINGS = ("port", "bind", "daemonize", "dir", "dbfilename", "save", "appendonly", "logfile", "pidfile",
                  "protected-mode", "databases", "maxmemory", "maxmemory-policy")


def redis_start_command(config: dict[str, str]) -> list[str]:
    command = ["redis-server"]
    for name in REDIS_SETTINGS:
        command += [f"--{name}", *(config[name].split() if name == "bind" else [config[name]])]
    return command


def redis_command_line() -> str:
    pid = subprocess.run(["pgrep", "-o", "redis-server"], capture_output=True, text=True, check=False).stdout.strip()
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip() if pid else ""


def redis_stop(args: argparse.Namespace) -> int:
    import redis

    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    before = redis_command_line()
    if not before:
        raise SystemExit("no redis-server running")
    os.environ["FENGQIAO_REDIS_URL"] = redis_url  # this process queues on the same Redis as the servers
    os.environ["FENGQIAO_HUEY_NAME"] = "fengqiao-faults"
    url, data_dir, secret = prepare(args.cases, "faults")
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    config = {k: str(client.config_get(k)[k]) for k in REDIS_SETTINGS}
    dump = Path(config["dir"]) / config["dbfilename"]
    dump_existed = dump.exists()
    work = Path(tempfile.mkdtemp(prefix="fq-faults-"))
    env = server_env(url, data_dir, redis_url)
    web, base = serve(env, work)
    worker = subprocess.Popen([sys.executable, "-m", "fengqiao", "worker"], env=env,
                              stdout=(work / "worker.log").open("wb"), stderr=subprocess.STDOUT)
    pages: list[tuple[float, str, int]] = []
    try:
        time.sleep(10)  # the worker's start
        traffic = Traffic(base, secret)
        threads = traffic.run(args.at + args.down + 30)
        time.sleep(args.at)
        fault_from = time.monotonic() - traffic.began
        down = subprocess.run(["redis-cli", "shutdown", "save"], capture_output=True, text=True, check=False)
        time.sleep(1)
        queued_during = queue_a_notification()  # its on-commit kick meets the dead queue
        for _ in range(int(args.down / 5)):
            time.sleep(5)
            for path in ("/readyz", "/healthz", "/portal/"):
                pages.append((round(time.monotonic() - traffic.began - fault_from, 1), path,
                              traffic.call("read", "GET", path).status))
        up = subprocess.run(redis_start_command(config), capture_output=True, text=True, check=False, cwd="/")
        fault_to, back_at = time.monotonic() - traffic.began, time.time()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                client.ping()
                break
            except redis.RedisError:
                time.sleep(0.5)
        if not dump_existed:  # SHUTDOWN SAVE wrote it for the restart to load; the machine runs without one
            dump.unlink(missing_ok=True)
        config_after = {k: str(client.config_get(k)[k]) for k in REDIS_SETTINGS}
        time.sleep(30)
        finish(traffic, threads)
        after = redis_command_line()
        emit({"bench": "faults", "fault": "redis-stop", "stop": "redis-cli shutdown save",
              "stop_exit": down.returncode, "start": " ".join(redis_start_command(config)), "start_exit": up.returncode,
              "same_settings_after": config_after == config,
              "start_out": (up.stdout + up.stderr).strip()[:200],
              "command_line_before": before, "command_line_after": after, "down_s": round(fault_to - fault_from, 1),
              **summarize(traffic, fault_from, fault_to)})
        emit({"bench": "faults", "fault": "redis-stop", "pages_during": pages})
        emit({"bench": "faults", "fault": "redis-stop", "registrations": registrations(traffic)})
        from fengqiao.notifications.models import Outbox

        waited = time.monotonic()
        while time.monotonic() - waited < 120:  # the worker's every-minute sender, once it is back
            row = Outbox.objects.get(pk=queued_during)
            if row.status == "sent":
                break
            time.sleep(2)
        log = (work / "worker.log").read_text(errors="replace")
        emit({"bench": "faults", "fault": "redis-stop", "worker_alive": worker.poll() is None,
              "worker_log_errors": log.count(" ERROR "), "worker_log_warnings": log.count(" WARNING "),
              "queued_during_outage": {"status": row.status, "sent_after_recovery_s":
                                       round(row.sent_at.timestamp() - back_at, 1) if row.sent_at else None},
              "readyz_after": traffic.call("read", "GET", "/readyz").status})
    finally:
        stop(web, "fengqiao serve")
        stop(worker, "fengqiao worker")
        if not redis_command_line():
            subprocess.run(redis_start_command(config), check=False, cwd="/")
    print(f"logs: {work}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="fault", required=True)
    pg = sub.add_parser("pg-restart", help="restart PostgreSQL under traffic")
    pg.add_argument("--cases", type=int, default=2000)
    pg.add_argument("--seconds", type=float, default=40, help="traffic in all")
    pg.add_argument("--at", type=float, default=12, help="seconds of traffic before the restart")
    pg.add_argument("--no-fault", action="store_true", help="everything but the restart (to try the script)")
    rd = sub.add_parser("redis-stop", help="stop Redis for a while under traffic")
    rd.add_argument("--cases", type=int, default=2000)
    rd.add_argument("--down", type=float, default=60, help="seconds Redis stays down")
    rd.add_argument("--at", type=float, default=10, help="seconds of traffic before the stop")
    rd.add_argument("--redis-db", type=int, default=13, help="Redis database number for the queue and cache (flushed)")
    args = parser.parse_args()
    return pg_restart(args) if args.fault == "pg-restart" else redis_stop(args)


if __name__ == "__main__":
    sys.exit(main())
