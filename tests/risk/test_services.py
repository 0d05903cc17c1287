"""The register's services: opening from a case (its event, one live entry, scope), the lifecycle's
actions with their events, write-off evidence, review cadence by grade, stale versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.audit.models import Audience
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.states import action_label
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.risk import services
from fengqiao.risk.models import ReviewCadence, RiskEntry, RiskEvent, Source
from fengqiao.risk.states import RState
from tests.cases.builders import dispatch, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def opened(city: City, *, grade: str = "key", by: str = "risk_officer", grid: int = 0) -> RiskEntry:
    case = dispatch(city, register(city, grid=grid))
    return services.open_from_case(city.users[by], case.code, grade, "涉及群体性诉求，情绪激烈",
                                   city.departments[2].pk, city.users["leader"].pk)


def snapshot(entry: RiskEntry) -> tuple[Any, ...]:
    fresh = RiskEntry.objects.get(pk=entry.pk)
    return (fresh.status, fresh.version, fresh.measures, fresh.written_off_at, fresh.write_off_evidence,
            fresh.next_review_at, RiskEvent.objects.filter(entry=fresh).count())


def test_open_from_case_lists_it_and_writes_on_the_case(city: City, frozen: Any) -> None:
    entry = opened(city)
    assert entry.state == RState.LISTED
    assert entry.source == Source.CASE
    assert entry.version == 0
    assert entry.code.startswith("FX260302-")
    assert entry.grid == city.grids[0]
    assert entry.street == city.street
    assert entry.responsible_unit == city.departments[2]
    assert entry.responsible_leader == city.users["leader"]
    assert entry.next_review_at == MONDAY + dt.timedelta(days=7)
    event = entry.events.get()
    assert (event.seq, event.action, event.from_state, event.to_state) == (1, "open", "", "listed")
    case_event = CaseEvent.objects.filter(case=entry.case, action="r_listed").get()
    assert case_event.audience == Audience.INTERNAL
    assert case_event.data["risk"] == entry.code
    assert action_label("r_listed") == "列入重大风险清单"
    assert case_event.from_state == case_event.to_state == Case.objects.get(code=case_event.case.code).status


def test_one_live_entry_per_case(city: City) -> None:
    entry = opened(city)
    assert entry.case is not None
    with pytest.raises(Conflict, match="不能重复建单"):
        services.open_from_case(city.users["leader"], entry.case.code, "general", "再次建单",
                                city.departments[2].pk)
    assert RiskEntry.objects.filter(case=entry.case).count() == 1
    services.tackle(city.users["risk_officer"], entry.code, measure="落实专人包案稳控")
    services.write_off(city.users["risk_officer"], entry.code, evidence="双方签订和解协议并已履行")
    again = services.open_from_case(city.users["leader"], entry.case.code, "watch", "矛盾反复",
                                    city.departments[2].pk)
    assert again.state == RState.LISTED


def test_a_grid_worker_of_another_grid_finds_nothing(city: City) -> None:
    case = dispatch(city, register(city, grid=0))
    with pytest.raises(NotFound):
        services.open_from_case(city.users["other_grid_worker"], case.code, "key", "理由", city.departments[2].pk)
    assert not RiskEntry.objects.exists()
    assert not CaseEvent.objects.filter(case=case, action="r_listed").exists()
    entry = services.open_from_case(city.users["grid_worker"], case.code, "key", "理由", city.departments[2].pk)
    assert entry.events.get().actor == city.users["grid_worker"]


def test_roles_that_may_not_open(city: City) -> None:
    case = dispatch(city, register(city, grid=0))
    with pytest.raises(PermissionDenied):  # the handler reaches the case (her unit leads it), not the register
        services.open_from_case(city.users["handler"], case.code, "key", "理由", city.departments[2].pk)


def test_visible_is_scoped(city: City) -> None:
    entry = opened(city, grid=0)
    far = opened(city, grid=2)
    for name, expected in [("admin", {entry, far}), ("leader", {entry, far}), ("risk_officer", {entry, far}),
                           ("grid_worker", {entry}), ("other_grid_worker", {far}),
                           ("mediator", {entry, far}), ("handler", set()), ("citizen", set())]:
        assert set(services.visible(city.users[name])) == expected, name
    with pytest.raises(NotFound):
        services.review(city.users["other_grid_worker"], entry.code, note="看一看")


def test_the_whole_lifecycle_from_screening(city: City) -> None:
    entry = services.screen(city.users["grid_worker"], title="拆迁补偿分歧", description="数户对补偿标准有异议",
                            area_id=city.grids[0].pk)
    assert entry.state == RState.SCREENED
    assert entry.street == city.street
    assert entry.community == city.communities[0]
    officer = city.users["risk_officer"]
    services.identify(officer, entry.code, grade="general", grade_reason="涉及五户以上", expected_version=0)
    services.list_entry(officer, entry.code, responsible_unit_id=city.departments[0].pk, expected_version=1)
    handler = city.users["handler"]  # her unit is now responsible: she sees it and works on it
    services.tackle(handler, entry.code, measure="逐户走访，解释政策", expected_version=2)
    services.tackle(handler, entry.code, measure="组织听证", expected_version=3)
    with pytest.raises(PermissionDenied):
        services.write_off(handler, entry.code, evidence="已签约")
    services.write_off(officer, entry.code, evidence="全部住户签订补偿协议", expected_version=4)
    done = services.apply_result(officer, entry.code, note="纳入街道平安建设考核", expected_version=5)
    assert done.state == RState.APPLIED
    assert done.version == 6
    rows = list(done.events.values_list("seq", "action", "from_state", "to_state"))
    assert rows == [(1, "screen", "", "screened"), (2, "identify", "screened", "identified"),
                    (3, "list", "identified", "listed"), (4, "tackle", "listed", "tackling"),
                    (5, "tackle", "tackling", "tackling"), (6, "write_off", "tackling", "written_off"),
                    (7, "apply_result", "written_off", "applied")]
    fresh = RiskEntry.objects.get(pk=entry.pk)
    assert fresh.measures.count("\n") == 1
    assert "组织听证" in fresh.measures
    assert fresh.next_review_at is None
    assert fresh.written_off_at is not None


def test_dismiss_an_identified_entry(city: City) -> None:
    officer = city.users["risk_officer"]
    entry = services.screen(officer, title="邻里口角", area_id=city.communities[0].pk)
    with pytest.raises(Conflict, match="已排查"):
        services.dismiss(officer, entry.code, reason="不构成风险")
    services.identify(officer, entry.code, grade="watch", grade_reason="偶发")
    gone = services.dismiss(officer, entry.code, reason="经核实双方已和好")
    assert gone.state == RState.DISMISSED


def test_screening_outside_ones_area_is_refused(city: City) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.screen(city.users["grid_worker"], title="某事", area_id=city.grids[2].pk)
    assert "area_id" in refused.value.fields


@pytest.mark.parametrize("evidence", ["", "   "])
def test_write_off_needs_evidence_and_changes_nothing(city: City, evidence: str) -> None:
    entry = opened(city)
    services.tackle(city.users["risk_officer"], entry.code, measure="包案化解")
    before = snapshot(entry)
    with pytest.raises(ValidationFailed) as refused:
        services.write_off(city.users["risk_officer"], entry.code, evidence=evidence)
    assert "evidence" in refused.value.fields
    assert snapshot(entry) == before


def test_write_off_only_while_tackling(city: City) -> None:
    entry = opened(city)
    before = snapshot(entry)
    with pytest.raises(Conflict, match="已建单"):
        services.write_off(city.users["risk_officer"], entry.code, evidence="已化解")
    assert snapshot(entry) == before


@pytest.mark.parametrize(("grade", "days"), [("key", 7), ("general", 15), ("watch", 30)])
def test_review_moves_by_the_grades_cadence(city: City, frozen: Any, grade: str, days: int) -> None:
    entry = opened(city, grade=grade)
    assert entry.next_review_at == MONDAY + dt.timedelta(days=days)
    frozen.move_to(MONDAY + dt.timedelta(days=3))
    reviewed = services.review(city.users["risk_officer"], entry.code, note="情绪平稳，持续关注")
    assert reviewed.next_review_at == MONDAY + dt.timedelta(days=3 + days)
    assert RiskEntry.objects.get(pk=entry.pk).next_review_at == reviewed.next_review_at
    assert reviewed.events.last().data["next_review_at"] == reviewed.next_review_at.isoformat()  # type: ignore[union-attr]


def test_cadence_is_the_administrators_row(city: City, frozen: Any) -> None:
    ReviewCadence.objects.filter(grade="key").update(days=3)
    assert opened(city, grade="key").next_review_at == MONDAY + dt.timedelta(days=3)


def test_regrade_needs_a_reason_and_resets_the_cadence(city: City, frozen: Any) -> None:
    entry = opened(city, grade="watch")
    before = snapshot(entry)
    with pytest.raises(ValidationFailed) as refused:
        services.regrade(city.users["risk_officer"], entry.code, grade="key", reason=" ")
    assert "reason" in refused.value.fields
    assert snapshot(entry) == before
    with pytest.raises(ValidationFailed) as refused:
        services.regrade(city.users["risk_officer"], entry.code, grade="severe", reason="升级")
    assert "grade" in refused.value.fields
    frozen.move_to(MONDAY + dt.timedelta(days=1))
    up = services.regrade(city.users["risk_officer"], entry.code, grade="key", reason="扬言越级上访")
    assert (up.grade, up.grade_reason) == ("key", "扬言越级上访")
    assert up.next_review_at == MONDAY + dt.timedelta(days=8)
    assert up.events.last().data == {"from": "watch", "to": "key"}  # type: ignore[union-attr]


def test_a_stale_version_is_a_conflict(city: City) -> None:
    entry = opened(city)
    services.tackle(city.users["risk_officer"], entry.code, measure="包案稳控", expected_version=0)
    before = snapshot(entry)
    with pytest.raises(Conflict, match="刷新"):
        services.review(city.users["leader"], entry.code, note="复核", expected_version=0)
    assert snapshot(entry) == before


def test_responsible_unit_is_required(city: City) -> None:
    case = dispatch(city, register(city))
    with pytest.raises(ValidationFailed) as refused:
        services.open_from_case(city.users["risk_officer"], case.code, "key", "理由", None, 999999)
    assert set(refused.value.fields) == {"responsible_unit_id", "responsible_leader_id"}
    with pytest.raises(ValidationFailed) as refused:
        services.open_from_case(city.users["risk_officer"], case.code, "key", "", city.departments[2].pk)
    assert "grade_reason" in refused.value.fields


def test_consolidation_follow_up(city: City) -> None:
    entry = opened(city)
    officer = city.users["risk_officer"]
    with pytest.raises(Conflict):  # only after write-off
        services.consolidate(officer, entry.code, note="回访")
    services.tackle(officer, entry.code, measure="专人包案")
    entry = services.write_off(officer, entry.code, evidence="双方和解并履行")
    before = snapshot(entry)
    with pytest.raises(ValidationFailed) as refused:
        services.consolidate(officer, entry.code, note="  ")
    assert "note" in refused.value.fields
    assert snapshot(entry) == before
    with pytest.raises(NotFound):
        services.consolidate(city.users["other_grid_worker"], entry.code, note="回访")
    done = services.consolidate(city.users["grid_worker"], entry.code, note="回访发现再次争吵", relapsed=True,
                                expected_version=entry.version)
    assert (done.state, done.relapsed, done.consolidated_at is not None) == (RState.WRITTEN_OFF, True, True)
    event = RiskEvent.objects.filter(entry=done).order_by("-seq").first()
    assert event is not None
    assert (event.action, event.data, event.actor) == ("consolidate", {"relapsed": True}, city.users["grid_worker"])
