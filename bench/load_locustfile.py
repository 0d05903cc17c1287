"""The locustfile of bench/load.py: the busy hour's people as Locust users, and a sequential baseline user.

Run by bench/load.py as ``locust --headless -f bench/load_locustfile.py <classes>``; configured by the
environment it sets:

* ``FQ_LOAD_WORLD``: the JSON of bench/load_world.py (logins, texts, callers, 解纷码);
* ``FQ_LOAD_SCALE``: the busy hour's scale (user counts, see load_journeys.counts);
* ``FQ_LOAD_OUT``: where to write every measured response time, status and error when the run stops;
* ``FQ_LOAD_SETTLE``: seconds after every user has spawned and logged in before measuring starts;
* ``FQ_LOAD_SECONDS``: seconds measured, after which the run stops itself;
* ``FQ_LOAD_BASELINE_ROUNDS``: rounds of BaselineUser (each endpoint once a round, one request at a time),
  after ``FQ_LOAD_BASELINE_WARMUP`` rounds not measured.

The response times are kept whole (not Locust's rounded histogram) so bench/load.py computes exact
percentiles; only requests after every user has spawned and logged in (and ``FQ_LOAD_SETTLE`` s more) are
measured; the logins of the ramp-up are reported apart.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, between, constant, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpSession
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_journeys as j

WORLD: dict[str, Any] = json.loads(Path(os.environ["FQ_LOAD_WORLD"]).read_text(encoding="utf-8"))
COUNTS = j.counts(float(os.environ.get("FQ_LOAD_SCALE", "1")))
ROUNDS = int(os.environ.get("FQ_LOAD_BASELINE_ROUNDS", "40"))
WARMUP = int(os.environ.get("FQ_LOAD_BASELINE_WARMUP", "10"))
SETTLE = float(os.environ.get("FQ_LOAD_SETTLE", "30"))  # seconds after the last login before measuring
SECONDS = float(os.environ.get("FQ_LOAD_SECONDS", "300"))  # measured seconds; then the run stops
ERROR_DETAILS = 40  # distinct errors kept in full (with how many of each); all are counted

_samples: dict[str, list[float]] = defaultdict(list)
_statuses: dict[str, Counter[int]] = defaultdict(Counter)
_failures: Counter[str] = Counter()
_ramp: dict[str, list[float]] = defaultdict(list)
_errors: Counter[tuple[str, str, str]] = Counter()  # (name, phase, error) → how many
_error_count = 0
_window: dict[str, float] = {}
_sequence = itertools.count()
_ready = 0  # people whose on_start (login) is done


def _head(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text or "")).strip()[:240]


class LocustHttp:
    """``load_journeys.Http`` over a FastHttpSession: failures carry the status and the body's head."""

    def __init__(self, session: FastHttpSession) -> None:
        self.session = session

    def request(self, method: str, path: str, *, name: str, expect: tuple[int, ...] = (200,),
                body: str | None = None, headers: dict[str, str] | None = None) -> j.Reply:
        data = body.encode() if body is not None else None  # bytes: documented, though not in its type hint
        with self.session.request(method, path, name=name, data=data,  # type: ignore[arg-type]
                                  headers=headers, catch_response=True, allow_redirects=False) as response:
            status = response.status_code or 0
            try:
                text = response.text or ""
            except Exception as exc:
                text = f"<unreadable body: {exc}>"
            if status in expect:
                response.success()
            else:
                error = getattr(response, "error", None)  # no status: the connection's own error
                response.failure(f"HTTP {status}: {_head(text)}" + (f" ({error!r})" if error else ""))
        return j.Reply(status, text)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.session.cookiejar if c.name == name), None)


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response_length: int, response: Any = None,
            exception: BaseException | None = None, **_kw: Any) -> None:
    global _error_count
    measuring = _window.get("start", float("inf")) <= time.time() and "stop" not in _window
    if exception is not None:
        _error_count += 1
        message = re.sub(r"'https?://[^']*'", "<url>", str(exception))[:400]  # one row per kind, not per code
        key = (name, "load" if measuring else "ramp-up", message)
        if key in _errors or len(_errors) < ERROR_DETAILS:
            _errors[key] += 1
    if name in j.RAMP_ONLY or not measuring:
        _ramp[name].append(response_time)
        return
    _samples[name].append(response_time)
    _statuses[name][getattr(response, "status_code", 0) or 0] += 1
    if exception is not None:
        _failures[name] += 1


def _measure_soon(environment: Any) -> None:
    """Every person has spawned and logged in: measure from ``SETTLE`` s on, for ``SECONDS`` s, then stop."""
    _window.setdefault("start", time.time() + SETTLE)

    def finish() -> None:
        _window.setdefault("stop", time.time())
        environment.runner.quit()

    gevent.spawn_later(SETTLE + SECONDS, finish)


@events.test_stopping.add_listener
def _stop_measuring(**_kw: Any) -> None:
    _window.setdefault("stop", time.time())


@events.test_stop.add_listener
def _write(**_kw: Any) -> None:
    out = os.environ.get("FQ_LOAD_OUT")
    if not out:
        return
    _window.setdefault("stop", time.time())
    Path(out).write_text(json.dumps({
        "window_s": _window["stop"] - _window.get("start", _window["stop"]),
        "samples_ms": _samples, "statuses": {k: dict(v) for k, v in _statuses.items()},
        "failures": dict(_failures), "ramp_ms": _ramp,
        "errors": [{"name": n, "during": d, "error": e, "count": c} for (n, d, e), c in _errors.items()],
        "error_count": _error_count,
    }, ensure_ascii=False), encoding="utf-8")


class _Person(FastHttpUser):
    abstract = True
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        global _ready
        self.http = LocustHttp(self.client)
        self.person = self.make(next(_sequence), random.Random())
        try:
            self.person.start(self.http)  # the login: slow on purpose (PBKDF2), so measured apart
        finally:
            _ready += 1
            if _ready == self.environment.parsed_options.num_users:
                _measure_soon(self.environment)

    def make(self, i: int, rng: random.Random) -> Any:
        raise NotImplementedError

    @task
    def step(self) -> None:
        self.person.step(self.http)


class OperatorUser(_Person):
    fixed_count = COUNTS["OperatorUser"]
    wait_time = constant_throughput(j.OPERATOR_RATE)

    def make(self, i: int, rng: random.Random) -> j.Operator:
        return j.Operator(WORLD["operators"][i % len(WORLD["operators"])], WORLD, rng)


class StaffUser(_Person):
    fixed_count = COUNTS["StaffUser"]
    wait_time = between(*j.STAFF_THINK_S)

    def make(self, i: int, rng: random.Random) -> j.Staff:
        return j.Staff(WORLD["staff"][i % len(WORLD["staff"])]["username"], WORLD, rng)


class CitizenUser(_Person):
    fixed_count = COUNTS["CitizenUser"]
    wait_time = between(*j.CITIZEN_THINK_S)

    def make(self, i: int, rng: random.Random) -> j.Citizen:
        return j.Citizen(WORLD["mediation_codes"][i % len(WORLD["mediation_codes"])], j.citizen_address(i))


class BaselineUser(FastHttpUser):
    """One client, one request at a time: each endpoint once a round, ``FQ_LOAD_BASELINE_ROUNDS`` rounds."""

    fixed_count = 1
    wait_time = constant(0)

    def _session(self) -> LocustHttp:
        return LocustHttp(FastHttpSession(self.host, self.environment.events.request, user=self))

    def on_start(self) -> None:
        rng = random.Random(1)
        self.operator_http, self.citizen_http = self._session(), self._session()
        self.operator = j.Operator(WORLD["operators"][0], WORLD, rng)
        self.operator.start(self.operator_http)
        for person in WORLD["staff"][:20]:  # the first with cases in its inbox
            self.staff_http = self._session()
            self.staff = j.Staff(person["username"], WORLD, rng)
            self.staff.start(self.staff_http)
            if self.staff.codes:
                break
        self.rounds(WARMUP)  # every web process imports and compiles its templates on first use
        _window["start"] = time.time()

    @task
    def measured(self) -> None:
        self.rounds(ROUNDS)
        _window.setdefault("stop", time.time())
        gevent.spawn(self.environment.runner.quit)
        raise StopUser()

    def rounds(self, n: int) -> None:
        for _ in range(n):
            self.operator.step(self.operator_http)
            self.staff_http.request("GET", "/", name=j.INBOX)
            if self.staff.codes:
                self.staff_http.request("GET", f"/cases/{random.choice(self.staff.codes)}/", name=j.CASE_PAGE)
            self.staff_http.request("GET", "/api/cases?page=1&per_page=25", name=j.API_LIST,
                                    headers={"Accept": "application/json"})
            i = next(_sequence)  # a citizen a round: one address stays far below the portal's 30/min
            j.Citizen(WORLD["mediation_codes"][i % len(WORLD["mediation_codes"])], j.citizen_address(i)).step(
                self.citizen_http)
