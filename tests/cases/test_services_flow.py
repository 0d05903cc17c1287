"""Every action's happy path against the real database: the exact event written and the fields changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.audit import verify
from fengqiao.cases import services
from fengqiao.cases.models import Assignment, Case, CaseEvent, Evaluation, ExtensionRequest
from fengqiao.cases.states import State
from tests.cases.builders import REPLY_TEXT, case_in, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # an ordinary working Monday


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def event(case: Case, seq: int | None = None) -> dict[str, Any]:
    qs = CaseEvent.objects.filter(case=case)
    e = qs.get(seq=seq) if seq else qs.order_by("-seq").first()
    assert e is not None
    return {"action": e.action, "from": e.from_state, "to": e.to_state, "audience": e.audience,
            "actor": e.actor.username if e.actor else None, "role": e.actor_role,
            "unit": e.unit.name if e.unit else None, "note": e.note, "data": e.data, "at": e.at}


def assignments(case: Case) -> list[tuple[str, str, str]]:
    return [(a.unit.code, a.role, a.status) for a in Assignment.objects.filter(case=case).order_by("pk")]


def local(y: int, m: int, d: int, h: int = 23, mi: int = 59, s: int = 59) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, s, tzinfo=SH)


def test_register_dispatch_accept_reply_evaluate(city: City, frozen: time_machine.Coordinates) -> None:
    d1, d2 = city.departments[0], city.departments[1]
    case = register(city)
    assert event(case) == {
        "action": "register", "from": "new", "to": "registered", "audience": "parties", "actor": "operator",
        "role": "operator", "unit": "12345 热线中心", "note": "",
        "data": {"channel": "hotline_12345", "terms": "24 小时内签收，5 个工作日内办结"}, "at": MONDAY,
    }
    case.refresh_from_db()
    assert (case.status, case.version, case.event_seq) == ("registered", 0, 1)
    assert case.deadline == local(2026, 3, 9)  # 5 working days after Monday: Tue..Fri and next Monday
    assert (case.grid_id, case.community_id, case.street_id, case.district_id) == (
        city.grids[0].pk, city.communities[0].pk, city.street.pk, city.district.pk)

    frozen.shift(dt.timedelta(hours=1))
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=d1.pk, assisting_unit_ids=[d2.pk],
                      note="请住建局牵头")
    assert event(case) == {
        "action": "dispatch", "from": "registered", "to": "dispatched", "audience": "parties",
        "actor": "dispatcher", "role": "dispatcher", "unit": "市社会治理指挥中心", "note": "请住建局牵头",
        "data": {"lead_unit": d1.pk, "lead_unit_name": "市住房和城乡建设局", "assisting_units": [d2.pk],
                 "assisting_unit_names": ["市生态环境局"]},
        "at": MONDAY + dt.timedelta(hours=1),
    }
    case.refresh_from_db()
    assert (case.status, case.version, case.lead_unit_id) == ("dispatched", 1, d1.pk)
    assert case.dispatched_at == MONDAY + dt.timedelta(hours=1)
    assert case.accept_deadline == MONDAY + dt.timedelta(hours=25)  # 24 hours to sign for
    assert assignments(case) == [("D1", "lead", "pending"), ("D2", "assist", "pending")]

    frozen.shift(dt.timedelta(hours=1))
    services.accept(city.users["handler"], case.code, expected_version=1)
    assert event(case) == {
        "action": "accept", "from": "dispatched", "to": "accepted", "audience": "parties", "actor": "handler",
        "role": "handler", "unit": "市住房和城乡建设局", "note": "", "data": {"unit_name": "市住房和城乡建设局"},
        "at": MONDAY + dt.timedelta(hours=2),
    }
    case.refresh_from_db()
    assert (case.status, case.version, case.accepted_at) == ("accepted", 2, MONDAY + dt.timedelta(hours=2))
    # signing by the lead unit signs for the assisting units too (they do not sign separately)
    assert assignments(case) == [("D1", "lead", "accepted"), ("D2", "assist", "accepted")]

    frozen.shift(dt.timedelta(days=1))
    services.reply(city.users["handler"], case.code, text=REPLY_TEXT)
    assert event(case) == {
        "action": "reply", "from": "accepted", "to": "replied", "audience": "parties", "actor": "handler",
        "role": "handler", "unit": "市住房和城乡建设局", "note": REPLY_TEXT,
        "data": {"unit_name": "市住房和城乡建设局"}, "at": MONDAY + dt.timedelta(days=1, hours=2),
    }
    case.refresh_from_db()
    assert (case.status, case.reply) == ("replied", REPLY_TEXT)
    assert case.evaluation_deadline == local(2026, 3, 12)  # 7 working days after Tuesday 3 March
    assert assignments(case) == [("D1", "lead", "done"), ("D2", "assist", "done")]

    services.evaluate(city.users["operator"], case.code, rating="satisfied", comment="很及时")
    assert event(case) | {"at": None} == {
        "action": "evaluate", "from": "replied", "to": "closed", "audience": "parties", "actor": "operator",
        "role": "operator", "unit": "12345 热线中心", "note": "很及时", "data": {"rating": "satisfied", "round": 1},
        "at": None,
    }
    case.refresh_from_db()
    assert (case.status, case.satisfaction, case.version) == ("closed", "satisfied", 4)
    assert case.closed_at == MONDAY + dt.timedelta(days=1, hours=2)
    assert list(Evaluation.objects.filter(case=case).values_list("round", "rating", "via", "comment")) == [
        (1, "satisfied", "callback", "很及时")]
    assert verify.verify().ok


def test_return_then_redispatch(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.DISPATCHED)
    services.return_case(city.users["handler"], case.code, reason="  不属于本单位职责  ")
    assert event(case) | {"at": None} == {
        "action": "return", "from": "dispatched", "to": "returned", "audience": "internal", "actor": "handler",
        "role": "handler", "unit": "市住房和城乡建设局", "note": "不属于本单位职责",
        "data": {"unit_name": "市住房和城乡建设局"}, "at": None,
    }
    case.refresh_from_db()
    assert (case.status, case.lead_unit_id, case.accept_deadline) == ("returned", None, None)
    assert assignments(case) == [("D1", "lead", "returned"), ("D2", "assist", "withdrawn")]
    assert Assignment.objects.get(case=case, unit__code="D1").return_reason == "不属于本单位职责"

    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[2].pk)
    e = event(case)
    assert (e["action"], e["from"], e["to"], e["audience"]) == ("redispatch", "returned", "dispatched", "internal")
    assert e["data"] == {"lead_unit": city.departments[2].pk, "lead_unit_name": "城东街道办事处",
                         "assisting_units": [], "assisting_unit_names": []}
    assert assignments(case) == [("D1", "lead", "returned"), ("D2", "assist", "withdrawn"),
                                 ("D3", "lead", "pending")]


def test_redispatch_of_an_accepted_case_withdraws_the_old_units(city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[1].pk)
    case.refresh_from_db()
    assert (case.status, case.lead_unit_id, case.accepted_at) == ("dispatched", city.departments[1].pk, None)
    assert assignments(case) == [("D1", "lead", "withdrawn"), ("D2", "assist", "withdrawn"),
                                 ("D2", "lead", "pending")]


def test_notes_by_audience(city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    services.add_note(city.users["handler2"], case.code, text="已到现场查看")
    services.add_note(city.users["handler"], case.code, text="已约谈物业", visible_to_parties=True)
    internal, public = event(case, 4), event(case, 5)
    assert (internal["action"], internal["audience"], internal["unit"], internal["note"]) == (
        "note", "internal", "市生态环境局", "已到现场查看")
    assert (public["from"], public["to"], public["audience"], public["actor"]) == (
        "accepted", "accepted", "parties", "handler")


def test_extension_requested_and_approved(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.ACCEPTED)
    assert case.deadline == local(2026, 3, 9)
    ext = services.request_extension(city.users["handler"], case.code, working_days=3, reason="需要厂家更换主板")
    assert event(case) | {"at": None} == {
        "action": "request_extension", "from": "accepted", "to": "accepted", "audience": "internal",
        "actor": "handler", "role": "handler", "unit": "市住房和城乡建设局", "note": "需要厂家更换主板",
        "data": {"working_days": 3, "extension": ext.pk}, "at": None,
    }
    services.decide_extension(city.users["leader"], case.code, approve=True, note="同意")
    case.refresh_from_db()
    assert case.deadline == local(2026, 3, 12)  # 9 March + 3 working days
    assert event(case) | {"at": None} == {
        "action": "approve_extension", "from": "accepted", "to": "accepted", "audience": "parties",
        "actor": "leader", "role": "leader", "unit": None, "note": "同意",
        "data": {"extension": ext.pk, "working_days": 3, "deadline": "2026-03-12T23:59:59+08:00"}, "at": None,
    }
    ext.refresh_from_db()
    assert (ext.status, ext.decided_by_id, ext.decision_note) == ("approved", city.users["leader"].pk, "同意")


def test_extension_refused_keeps_the_deadline(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.ACCEPTED)
    services.request_extension(city.users["handler"], case.code, working_days=30, reason="需要走招标程序")
    services.decide_extension(city.users["dispatcher"], case.code, approve=False, note="请按期办结")
    case.refresh_from_db()
    assert case.deadline == local(2026, 3, 9)
    e = event(case)
    assert (e["action"], e["audience"], e["note"], e["data"]) == (
        "refuse_extension", "internal", "请按期办结", {"extension": e["data"]["extension"], "working_days": 30})
    assert ExtensionRequest.objects.get(case=case).status == "refused"


def test_operator_replies_on_the_spot(city: City) -> None:
    case = register(city)
    services.reply(city.users["operator"], case.code, text="公积金提取请携带身份证到政务中心办理。")
    e = event(case)
    assert (e["action"], e["from"], e["to"], e["role"], e["unit"]) == (
        "reply", "registered", "replied", "operator", "12345 热线中心")


def test_unsatisfied_reopens_and_a_second_round_closes(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.REPLIED)
    frozen.shift(dt.timedelta(days=2))  # Wednesday 4 March
    services.evaluate(city.users["operator"], case.code, rating="unsatisfied", comment="电梯仍有异响")
    case.refresh_from_db()
    assert event(case) | {"at": None} == {
        "action": "reopen", "from": "replied", "to": "reopened", "audience": "parties", "actor": "operator",
        "role": "operator", "unit": "12345 热线中心", "note": "电梯仍有异响",
        "data": {"rating": "unsatisfied", "round": 1}, "at": None,
    }
    assert (case.status, case.reopen_count, case.lead_unit_id, case.satisfaction) == (
        "reopened", 1, None, "unsatisfied")
    assert case.deadline == local(2026, 3, 11)  # a fresh 5 working days from Wednesday

    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    assert event(case)["action"] == "dispatch"  # a reopened case is dispatched, not re-dispatched
    services.accept(city.users["handler"], case.code)
    services.reply(city.users["handler"], case.code, text="已更换曳引机，经检测运行正常。")
    services.evaluate(city.users["operator"], case.code, rating="basically")
    case.refresh_from_db()
    assert case.status == "closed"
    assert list(Evaluation.objects.filter(case=case).order_by("round").values_list("round", "rating")) == [
        (1, "unsatisfied"), (2, "basically")]
    assert list(case.events.values_list("action", flat=True)) == [
        "register", "dispatch", "accept", "reply", "reopen", "dispatch", "accept", "reply", "evaluate"]
    assert event(case)["data"] == {"rating": "basically", "round": 2}
    assert verify.verify().ok


def test_merge_cancel_escalate_link(city: City) -> None:
    primary, duplicate, invalid = register(city), register(city), register(city)
    services.merge(city.users["dispatcher"], duplicate.code, into=primary.code)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of_id) == ("merged", primary.pk)
    assert event(duplicate)["data"] == {"into": primary.pk, "into_code": primary.code}
    assert event(duplicate)["audience"] == "parties"

    services.cancel(city.users["dispatcher"], invalid.code, reason="测试来电")
    invalid.refresh_from_db()
    assert (invalid.status, event(invalid)["note"]) == ("cancelled", "测试来电")
    assert invalid.closed_at is not None

    for level in (1, 2, 3):
        services.escalate(city.users["leader"], primary.code, note="请加快办理")
        assert event(primary)["data"] == {"level": level}
    primary.refresh_from_db()
    assert (primary.supervision_level, primary.status) == (3, "registered")

    other = register(city)
    services.link(city.users["dispatcher"], primary.code, other=other.code)
    assert event(primary)["data"] == {"other": other.pk, "other_code": other.code}
    assert list(other.related.values_list("pk", flat=True)) == [primary.pk]  # symmetrical


def test_merging_into_a_duplicate_merges_into_its_primary(city: City) -> None:
    primary, first, second = register(city), register(city), register(city)
    services.merge(city.users["dispatcher"], first.code, into=primary.code)
    services.merge(city.users["dispatcher"], second.code, into=first.code)
    second.refresh_from_db()
    assert second.duplicate_of_id == primary.pk
    assert event(second)["data"] == {"into": primary.pk, "into_code": primary.code}


def test_close_unevaluated_after_the_period(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.REPLIED)
    assert services.close_unevaluated(case.pk) is False  # not due yet
    frozen.move_to(dt.datetime(2026, 3, 12, 0, 0, 1, tzinfo=SH) + dt.timedelta(days=1))
    assert services.close_unevaluated(case.pk) is True
    assert services.close_unevaluated(case.pk) is False  # idempotent
    case.refresh_from_db()
    e = event(case)
    assert (case.status, e["action"], e["actor"], e["role"], e["audience"]) == (
        "closed", "close_unevaluated", None, "system", "parties")
