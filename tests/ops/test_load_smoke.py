"""The load test's people (bench/load_journeys.py, run by bench/load_locustfile.py's users) send requests the
site accepts: the same journeys, one step each, through Django's test client with CSRF enforced, on a small
demo city.  Not a timed test: bench/load.py measures; this only keeps its requests right."""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from fengqiao.cases.models import Case

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import load_journeys as j
from load_world import STAFF_ROLES, world


class DjangoHttp:
    """``load_journeys.Http`` over Django's test client: a status outside ``expect`` fails the test."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.names: list[str] = []

    def request(self, method: str, path: str, *, name: str, expect: tuple[int, ...] = (200,),
                body: str | None = None, headers: dict[str, str] | None = None) -> j.Reply:
        extra = dict(headers or {})
        content_type = extra.pop("Content-Type", "application/octet-stream")
        response = self.client.generic(method, path, data=(body or "").encode(), content_type=content_type,
                                       headers=extra)
        assert response.status_code in expect, (name, response.status_code, response.content[:400])
        self.names.append(name)
        return j.Reply(response.status_code, response.content.decode())

    def cookie(self, name: str) -> str | None:
        morsel = self.client.cookies.get(name)
        return morsel.value if morsel else None


@pytest.fixture
def city(db: None, settings: Any) -> dict[str, Any]:
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]  # as bench/load.py runs the server
    call_command("demo", "--scale", "small", "--cases", "200", "--workers", "1", stdout=io.StringIO())
    return world(texts=20, people=20, codes=20)


def test_the_world_has_everyone_the_busy_hour_needs(city: dict[str, Any]) -> None:
    assert city["operators"] == [f"operator{i}" for i in range(1, 6)]
    assert (len(city["texts"]), len(city["people"]), len(city["mediation_codes"])) == (20, 20, 20)
    assert {person["role"] for person in city["staff"]} == set(STAFF_ROLES)
    assert j.counts(1.0) == {"OperatorUser": 100, "StaffUser": 200, "CitizenUser": 1000}
    assert j.counts(1.0)["OperatorUser"] * j.OPERATOR_RATE == j.REGISTRATIONS_PER_S


def test_an_operator_registers_matters_through_the_api(city: dict[str, Any]) -> None:
    http = DjangoHttp()
    operator = j.Operator(city["operators"][0], city, random.Random(1))
    operator.start(http)
    before = Case.objects.count()
    operator.step(http)
    operator.step(http)
    assert http.names == [j.LOGIN_PAGE, j.LOGIN, j.REGISTER, j.REGISTER]
    assert Case.objects.count() - before == operator.registered >= 1


def test_staff_browse_their_inbox_cases_and_the_list(city: dict[str, Any]) -> None:
    for person in city["staff"]:  # the first with cases in its inbox, as bench/load's baseline takes
        http = DjangoHttp()
        staff = j.Staff(person["username"], city, random.Random(2))
        staff.start(http)
        if staff.codes:
            break
    assert http.names == [j.LOGIN_PAGE, j.LOGIN, j.API_LIST]
    for _ in range(12):
        staff.step(http)
    assert {j.INBOX, j.CASE_PAGE, j.API_LIST} <= set(http.names)


def test_citizens_track_their_codes_each_from_its_own_address(city: dict[str, Any]) -> None:
    # the portal allows 30 look-ups a minute per address: 40 citizens on one peer pass only as 40 addresses
    for i in range(40):
        http = DjangoHttp()
        citizen = j.Citizen(city["mediation_codes"][i % len(city["mediation_codes"])], j.citizen_address(i))
        citizen.start(http)
        citizen.step(http)
    assert len({j.citizen_address(i) for i in range(2000)}) == 2000
