"""Two people act on one case at the same moment: one wins, the other is told what happened (409).

Each thread has its own database connection (Django connections are per thread) and a Barrier releases
them together.  SQLite serialises writers with BEGIN IMMEDIATE + busy timeout (settings); PostgreSQL with
SELECT … FOR UPDATE in access_case.  Either way the loser re-reads the case after the winner committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit import verify
from fengqiao.cases import services
from fengqiao.cases.models import Assignment, Case, CaseEvent
from fengqiao.cases.states import IllegalTransition, State
from fengqiao.kit.errors import Conflict
from tests.cases.builders import case_in
from tests.factories import City, build_city

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at once; each result is a return value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # the test inspects it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def _fresh_user(city: City, name: str) -> User:
    return User.objects.get(pk=city.users[name].pk)


def _one_winner(results: list[Any]) -> tuple[Any, Exception]:
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert (len(winners), len(losers)) == (1, 1), results
    return winners[0], losers[0]


def test_two_dispatchers_at_once(transactional_db: None) -> None:
    city = build_city()
    case = case_in(city, State.REGISTERED)
    d1, d2 = city.departments[0].pk, city.departments[1].pk
    a, b = _fresh_user(city, "dispatcher"), _fresh_user(city, "street_dispatcher")
    results = race(
        lambda: services.dispatch(a, case.code, lead_unit_id=d1, expected_version=0),
        lambda: services.dispatch(b, case.code, lead_unit_id=d2, expected_version=0),
    )
    winner, loser = _one_winner(results)
    assert type(loser) is Conflict
    assert loser.status == 409
    assert loser.message == "这个案件在您打开之后已有新的操作（分拨交办），当前状态为「待签收」，请刷新后查看最新状态。"
    case.refresh_from_db()
    assert (case.status, case.version, case.event_seq, case.lead_unit_id) == ("dispatched", 1, 2, winner.lead_unit_id)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["register", "dispatch"]
    assert list(Assignment.objects.filter(case=case).values_list("unit_id", "role", "status")) == [
        (winner.lead_unit_id, "lead", "pending")]
    assert verify.verify().ok


def test_two_dispatchers_at_once_over_the_api(transactional_db: None) -> None:
    city = build_city()
    case = case_in(city, State.REGISTERED)
    clients = []
    for name in ("dispatcher", "street_dispatcher"):
        client = Client()
        client.force_login(city.users[name])
        clients.append(client)
    url = f"/api/cases/{case.code}/actions"

    def post(client: Client, unit: int) -> tuple[int, dict[str, Any]]:
        response = client.post(url, {"action": "dispatch", "lead_unit_id": unit, "expected_version": 0},
                               content_type="application/json")
        return response.status_code, response.json()

    results = race(lambda: post(clients[0], city.departments[0].pk),
                   lambda: post(clients[1], city.departments[1].pk))
    assert sorted(status for status, _body in results) == [200, 409]
    conflict = next(body for status, body in results if status == 409)
    assert conflict == {"error": "conflict", "detail": "这个案件在您打开之后已有新的操作（分拨交办），"
                                                         "当前状态为「待签收」，请刷新后查看最新状态。"}
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    assert Assignment.objects.filter(case=case, role="lead", status="pending").count() == 1


def test_two_handlers_accept_at_once(transactional_db: None) -> None:
    city = build_city()
    colleague = User.objects.create_user(username="handler_b", password="x" * 12, display_name="handler_b")
    Membership.objects.create(user=colleague, role=Role.HANDLER, unit=city.departments[0])
    case = case_in(city, State.DISPATCHED)
    a = _fresh_user(city, "handler")
    results = race(lambda: services.accept(a, case.code), lambda: services.accept(colleague, case.code))
    _winner, loser = _one_winner(results)
    assert type(loser) is IllegalTransition
    assert loser.status == 409
    assert loser.message.startswith("当前状态为「办理中」，不能执行「签收」。")
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert list(Assignment.objects.filter(case=case).order_by("pk").values_list("role", "status")) == [
        ("lead", "accepted"), ("assist", "accepted")]
    assert Case.objects.get(pk=case.pk).version == 2


def test_without_the_version_the_later_dispatch_is_a_serialised_redispatch(transactional_db: None) -> None:
    """A client that does not send the version it saw asks for 'dispatch whatever the state': both
    succeed one after the other, never interleaved: one dispatch, one re-dispatch, one live lead unit."""
    city = build_city()
    case = case_in(city, State.REGISTERED)
    a, b = _fresh_user(city, "dispatcher"), _fresh_user(city, "street_dispatcher")
    results = race(
        lambda: services.dispatch(a, case.code, lead_unit_id=city.departments[0].pk),
        lambda: services.dispatch(b, case.code, lead_unit_id=city.departments[1].pk),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "register", "dispatch", "redispatch"]
    live = Assignment.objects.filter(case=case, status="pending")
    assert live.count() == 1
    assert Case.objects.get(pk=case.pk).lead_unit_id == live.get().unit_id
    assert verify.verify().ok


def test_the_same_report_arriving_twice_at_once_is_one_case(transactional_db: None) -> None:
    """Two channel workers import the same hotline record at the same moment: one case, both told which."""
    city = build_city()
    lng, lat = city.point_in(0)

    def data() -> services.RegisterInput:
        return services.RegisterInput(channel="hotline_12345", title="噪声扰民", description="夜间施工",
                                      lng=lng, lat=lat, external_ref="HL-2026-000123")

    a, b = _fresh_user(city, "operator"), _fresh_user(city, "dispatcher")
    results = race(lambda: services.register(a, data()), lambda: services.register(b, data()))
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].case.pk == results[1].case.pk
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1
