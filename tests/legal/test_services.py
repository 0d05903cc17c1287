"""The disputes' services: flagging on demand (events on both chains), automatic routing to the legal
office as an assisting unit, interventions and outcomes, dismissal, illegal steps, stale versions, who may
act, and the scans (idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from fengqiao.audit.models import Audience
from fengqiao.cases.models import AssignmentRole, CaseEvent
from fengqiao.cases.states import action_label
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.legal import scan, services
from fengqiao.legal.models import Dispute, DisputeEvent, Intervention, LegalOffice, ScanMark
from fengqiao.legal.states import LState
from tests.factories import City
from tests.legal.helpers import QUIET, case_about, legal_office

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def test_flag_on_demand_grades_routes_and_writes_on_the_case(city: City, frozen: Any) -> None:
    office = legal_office(city)
    case = case_about(city)
    result = services.scan_case(city.users["dispatcher"], case.code)
    assert result.created
    d = result.dispute
    assert d is not None
    assert (d.act_type, d.agency, d.agency_kind) == ("coercion", "海陵区城管局", "城管执法部门")
    assert d.risk == "key"  # 律师 + 复议 + coercion
    assert "提及律师（“律师”）" in d.risk_reason_texts
    assert d.known_on == dt.date(2026, 2, 20)
    assert d.known_from_text
    assert (d.reconsider_by, d.litigate_by) == (dt.date(2026, 4, 21), dt.date(2026, 8, 20))
    assert d.state == LState.ROUTED  # the city's office routes 一般 and above automatically
    assert d.office == office
    assert d.district == city.district
    assert d.grid == city.grids[0]
    assert [(e.seq, e.action, e.from_state, e.to_state) for e in d.events.all()] == [
        (1, "flag", "", "flagged"), (2, "route", "flagged", "routed")]
    assert case.assignments.filter(unit=office, role=AssignmentRole.ASSIST).count() == 1
    chain = list(CaseEvent.objects.filter(case=case, action__startswith="l_").values_list("action", "audience"))
    assert chain == [("l_flagged", Audience.INTERNAL), ("l_routed", Audience.INTERNAL)]
    assert action_label("l_routed") == "交法制机构提前介入"


def test_a_watch_grade_waits_for_a_person_and_a_case_without_an_act_is_not_flagged(city: City) -> None:
    legal_office(city)
    quiet = case_about(city, QUIET, title="低保")
    d = services.scan_case(city.users["risk_officer"], quiet.code).dispute
    assert d is not None
    assert d.risk == "watch"
    assert d.state == LState.FLAGGED
    assert d.office is None
    routed = services.route(city.users["risk_officer"], quiet.code, expected_version=d.version)
    assert routed.state == LState.ROUTED
    assert routed.office is not None
    lift = case_about(city, "3 号楼电梯停运一周无人维修。", title="电梯故障")
    result = services.scan_case(city.users["dispatcher"], lift.code)
    assert (result.dispute, result.created) == (None, False)
    assert not Dispute.objects.filter(case=lift).exists()


def test_flagging_twice_changes_nothing(city: City) -> None:
    legal_office(city)
    case = case_about(city)
    services.scan_case(city.users["dispatcher"], case.code)
    again = services.scan_case(city.users["dispatcher"], case.code)
    assert (again.created, again.changed) == (False, False)
    assert Dispute.objects.count() == 1
    assert DisputeEvent.objects.count() == 2


def test_the_office_intervenes_and_concludes(city: City) -> None:
    legal_office(city)
    case = case_about(city)
    d = services.scan_case(city.users["dispatcher"], case.code).dispute
    assert d is not None
    legal = city.users["legal"]
    d = services.intervene(legal, case.code, kind="opinion", note="向区城管局出具法律意见：拆除程序不合法。",
                           expected_version=d.version)
    d = services.intervene(legal, case.code, kind="coordinate", note="组织双方协调，达成补偿意向。",
                           expected_version=d.version)
    assert d.state == LState.INTERVENING
    assert list(Intervention.objects.filter(dispute=d).values_list("kind", flat=True)) == ["opinion", "coordinate"]
    d = services.conclude(legal, case.code, outcome="resolved", note="补偿到位，当事人不再申请复议。",
                          expected_version=d.version)
    assert (d.state, d.outcome) == (LState.CONCLUDED, "resolved")
    d = services.conclude(legal, case.code, outcome="litigation", note="当事人仍提起行政诉讼。")
    assert d.outcome == "litigation"
    actions = list(CaseEvent.objects.filter(case=case, action__startswith="l_").values_list("action", flat=True))
    assert actions == ["l_flagged", "l_routed", "l_intervened", "l_intervened", "l_concluded", "l_concluded"]
    assert list(d.events.values_list("action", flat=True)) == ["flag", "route", "intervene", "intervene",
                                                                "conclude", "conclude"]


def test_refusals_name_the_reason_and_change_nothing(city: City) -> None:
    legal_office(city)
    case = case_about(city)
    d = services.scan_case(city.users["dispatcher"], case.code).dispute
    assert d is not None
    legal = city.users["legal"]
    with pytest.raises(ValidationFailed) as bad_kind:
        services.intervene(legal, case.code, kind="lunch", note="x")
    assert "kind" in bad_kind.value.fields
    with pytest.raises(ValidationFailed) as empty:
        services.intervene(legal, case.code, kind="opinion", note="  ")
    assert "note" in empty.value.fields
    with pytest.raises(Conflict, match="不能「登记结果」"):
        services.conclude(legal, case.code, outcome="resolved", note="太早了")
    with pytest.raises(ValidationFailed) as pending:
        services.conclude(legal, case.code, outcome="pending", note="x")
    assert "outcome" in pending.value.fields
    with pytest.raises(Conflict, match="新的变化"):
        services.intervene(legal, case.code, kind="opinion", note="旧页面", expected_version=d.version - 1)
    with pytest.raises(PermissionDenied):  # the risk officer watches; the office intervenes
        services.intervene(city.users["risk_officer"], case.code, kind="opinion", note="x")
    assert DisputeEvent.objects.filter(dispute=d).count() == 2
    assert not Intervention.objects.exists()


def test_dismissal(city: City) -> None:
    legal_office(city, auto_route_from="")
    case = case_about(city)
    d = services.scan_case(city.users["dispatcher"], case.code).dispute
    assert d is not None
    assert d.state == LState.FLAGGED
    with pytest.raises(PermissionDenied):
        services.dismiss(city.users["dispatcher"], case.code, reason="x")
    d = services.dismiss(city.users["leader"], case.code, reason="系邻里纠纷，不涉及行政行为。")
    assert d.state == LState.DISMISSED
    assert CaseEvent.objects.filter(case=case, action="l_dismissed").count() == 1
    with pytest.raises(Conflict):
        services.route(city.users["leader"], case.code)


def test_manual_flag(city: City) -> None:
    legal_office(city)
    case = case_about(city, "3 号楼电梯停运一周无人维修。", title="电梯故障")
    with pytest.raises(ValidationFailed) as missing:
        services.flag_manually(city.users["risk_officer"], case.code, act_type="inaction", agency="", reason="x")
    assert "agency" in missing.value.fields
    d = services.flag_manually(city.users["risk_officer"], case.code, act_type="inaction",
                               agency="区市场监管局", reason="多次投诉特种设备监管无果")
    assert d.manual
    assert d.act_type == "inaction"
    assert d.agency == "区市场监管局"
    with pytest.raises(Conflict):
        services.flag_manually(city.users["risk_officer"], case.code, act_type="inaction", agency="x", reason="x")


def test_scope(city: City) -> None:
    legal_office(city)
    case = case_about(city, grid=0)
    services.scan_case(city.users["dispatcher"], case.code)
    from fengqiao.legal.selectors import access_dispute, may_monitor, visible

    for name in ("admin", "leader", "risk_officer", "legal", "grid_worker"):
        assert access_dispute(city.users[name], case.code).case_id == case.pk
    for name in ("other_grid_worker", "handler2", "citizen"):
        with pytest.raises(NotFound):
            access_dispute(city.users[name], case.code)
        assert not visible(city.users[name]).exists()
    assert may_monitor(city.users["legal"])
    assert may_monitor(city.users["risk_officer"])
    assert not may_monitor(city.users["dispatcher"])
    assert not may_monitor(city.users["grid_worker"])
    with pytest.raises(NotFound):  # a grid worker of another grid does not reach the case
        services.scan_case(city.users["other_grid_worker"], case.code)
    with pytest.raises(NotFound):  # nor does a citizen whose case it is not
        services.scan_case(city.users["citizen"], case.code)


def test_periodic_scan_reads_each_case_once(city: City) -> None:
    legal_office(city)
    first = case_about(city)
    case_about(city, "3 号楼电梯停运一周无人维修。", title="电梯故障", phone="13900000001")
    result = scan.scan_new()
    assert (result.scanned, result.flagged, result.routed) == (2, 1, 1)
    assert Dispute.objects.get().case == first
    assert scan.scan_new().scanned == 0
    third = case_about(city, QUIET, title="低保", phone="13812345678")  # the same caller again
    result = scan.scan_new()
    assert (result.scanned, result.flagged, result.routed) == (1, 1, 0)
    d = Dispute.objects.get(case=third)
    assert {"key": "repeat_contacts", "n": 1} in d.risk_reasons
    assert "重复反映 1 次" in d.risk_reason_texts
    assert ScanMark.objects.get().last_case_id == third.pk


def test_command_scan_since_is_idempotent(city: City, capsys: pytest.CaptureFixture[str]) -> None:
    LegalOffice.objects.all().delete()
    case_about(city)
    call_command("legal", "scan", "--since", "2020-01-01")
    assert "flagged 1, routed to a legal office 0" in capsys.readouterr().out
    call_command("legal", "scan")
    assert "read 0 cases, flagged 0" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--since"):
        call_command("legal", "scan", "--since", "yesterday")
