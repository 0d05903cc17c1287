"""What each simulated person of the busy hour does, written against a tiny HTTP interface (``Http``).

bench/load_locustfile.py runs these journeys inside Locust users (FastHttpUser); tests/ops/test_load_smoke.py
runs the very same journeys against Django's test client, so a request the load test would send wrongly
fails a test instead of a 20-minute run.  Nothing here imports Locust (gevent patches the process it runs in).

Request names group URLs by route, never by code, as the report does.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

# Request names (the report's rows)
LOGIN_PAGE = "GET /login/"
LOGIN = "POST /login/"
REGISTER = "POST /api/cases"
INBOX = "GET / (inbox)"
CASE_PAGE = "GET /cases/<code>/"
API_LIST = "GET /api/cases"
TRACK = "GET /portal/track/<code>/"
RAMP_ONLY = (LOGIN_PAGE, LOGIN)  # made once per simulated person while the load ramps up

# The busy hour of issue 8 at scale 1.0
REGISTRATIONS_PER_S = 50
STAFF, STAFF_THINK_S = 200, (5.0, 10.0)
CITIZENS, CITIZEN_THINK_S = 1000, (30.0, 60.0)
# Each operator registers one matter every 2 s (a call's registration, not a whole call): 100 operators
# offer 50/s and keep offering it while a registration takes up to 2 s.
OPERATOR_RATE = 0.5


@dataclass
class Reply:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Http(Protocol):
    """One person's HTTP client with its own cookies.  ``expect``: the statuses that count as success (any
    other is a failure, reported with its status and the head of its body)."""

    def request(self, method: str, path: str, *, name: str, expect: tuple[int, ...] = (200,),
                body: str | None = None, headers: dict[str, str] | None = None) -> Reply: ...

    def cookie(self, name: str) -> str | None: ...


def login(http: Http, username: str, password: str) -> None:
    """The login form, as a browser posts it (csrftoken cookie + csrfmiddlewaretoken field)."""
    http.request("GET", "/login/", name=LOGIN_PAGE)
    token = http.cookie("csrftoken") or ""
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"})
    http.request("POST", "/login/", name=LOGIN, expect=(302,), body=form,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})


@dataclass
class Operator:
    """A 12345 operator registering what callers say through the JSON API (session + X-CSRFToken)."""

    username: str
    world: dict[str, Any]
    rng: random.Random = field(default_factory=random.Random)
    registered: int = 0

    def start(self, http: Http) -> None:
        login(http, self.username, self.world["password"])

    def payload(self) -> dict[str, Any]:
        text = self.rng.choice(self.world["texts"])
        caller = self.rng.choice(self.world["people"])
        return {
            "channel": "hotline_12345", "title": text["title"], "description": text["description"],
            "address": text["address"], "lng": text["lng"], "lat": text["lat"],
            "parties": [{"name": caller["name"], "phone": caller["phone"], "role": "reporter"}],
        }

    def step(self, http: Http) -> None:
        body = json.dumps(self.payload(), ensure_ascii=False)
        reply = http.request("POST", "/api/cases", name=REGISTER, expect=(200, 201), body=body,
                             headers={"Content-Type": "application/json", "Accept": "application/json",
                                      "X-CSRFToken": http.cookie("csrftoken") or ""})
        if reply.status == 201:
            self.registered += 1


@dataclass
class Staff:
    """A dispatcher, handler or leader: the inbox, a case from it, the API's list; think time between."""

    username: str
    world: dict[str, Any]
    rng: random.Random = field(default_factory=random.Random)
    codes: list[str] = field(default_factory=list)

    def start(self, http: Http) -> None:
        login(http, self.username, self.world["password"])
        self._refresh(http, 1)

    def _refresh(self, http: Http, page: int) -> None:
        reply = http.request("GET", f"/api/cases?page={page}&per_page=25", name=API_LIST,
                             headers={"Accept": "application/json"})
        if reply.status == 200:
            found = [item["code"] for item in reply.json()["items"]]
            self.codes = found or self.codes

    def step(self, http: Http) -> None:
        roll = self.rng.random()
        if roll < 0.35:
            http.request("GET", "/", name=INBOX)
        elif roll < 0.85 and self.codes:
            http.request("GET", f"/cases/{self.rng.choice(self.codes)}/", name=CASE_PAGE)
        else:
            self._refresh(http, self.rng.choice((1, 1, 2, 3)))


@dataclass
class Citizen:
    """A party following a dispute by its 解纷码 on the public page, from its own address (behind the proxy:
    ``X-Forwarded-For``, as nginx sets it)."""

    code: str
    address: str

    def start(self, http: Http) -> None:
        return None

    def step(self, http: Http) -> None:
        http.request("GET", f"/portal/track/{self.code}/", name=TRACK, headers={"X-Forwarded-For": self.address})


def counts(scale: float) -> dict[str, int]:
    """Simulated people per kind for a scale (1.0 = issue 8's busy hour); each operator offers
    ``OPERATOR_RATE`` registrations a second, so ``OPERATOR_RATE`` × operators = 50 × scale a second."""
    return {"OperatorUser": max(1, round(REGISTRATIONS_PER_S * scale / OPERATOR_RATE)),
            "StaffUser": max(1, round(STAFF * scale)), "CitizenUser": max(1, round(CITIZENS * scale))}


def citizen_address(i: int) -> str:
    """The i-th citizen's address: 100.64.0.0/10 (carrier-grade NAT, as phones on a mobile network)."""
    n = i + 1
    return f"100.{64 + (n >> 16) % 64}.{(n >> 8) & 255}.{n & 255}"
