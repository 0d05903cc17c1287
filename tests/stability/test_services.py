"""The services: creation with its scope, each action's event and version, refusals naming their field with
nothing written, grading (suggestion, override with reason), the conclusion bounded by the grade, tracking
and closing, stale versions, who may decide and who may only fill in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.stability import after, assess, prepare
from fengqiao.stability.models import Decision, DecisionEvent, Measure, Opinion, RiskItem
from fengqiao.stability.states import DState
from tests.factories import City
from tests.stability.builders import advance, created

pytestmark = pytest.mark.django_db


def snapshot(decision: Decision) -> tuple[Any, ...]:
    fresh = Decision.objects.get(pk=decision.pk)
    return (fresh.status, fresh.version, fresh.grade, fresh.conclusion, fresh.events.count(),
            fresh.opinions.count(), fresh.items.count(), fresh.measures.count())


def test_create_records_scope_and_its_event(city: City) -> None:
    decision = created(city)
    assert decision.state == DState.DRAFT
    assert decision.code.startswith("WP")
    assert list(decision.areas.all()) == [city.street]
    assert decision.population == 12000
    event = decision.events.get()
    assert (event.seq, event.action, event.from_state, event.to_state) == (1, "create", "", "draft")
    assert event.data == {"areas": ["城东街道"]}
    assert event.actor == city.users["risk_officer"]


def test_create_refuses_bad_input_by_field(city: City) -> None:
    user = city.users["risk_officer"]
    base: dict[str, Any] = {"title": "调整自来水价格", "kind": "price", "summary": "居民阶梯水价第一档上调 0.3 元",
            "proposing_unit_id": city.departments[0].pk, "assessing_unit_id": city.departments[2].pk,
            "area_ids": [city.street.pk]}
    changes: list[tuple[dict[str, Any], str]] = [({"title": " "}, "title"), ({"kind": "war"}, "kind"),
                          ({"proposing_unit_id": None}, "proposing_unit_id"), ({"area_ids": []}, "area_ids"),
                          ({"area_ids": [city.grids[0].pk]}, "area_ids"), ({"population": -1}, "population")]
    for change, field in changes:
        with pytest.raises(ValidationFailed) as refused:
            prepare.create(user, **(base | change))
        assert field in refused.value.fields
    assert not Decision.objects.exists()
    # an officer of the district names areas in it only; a grid worker may not create at all
    street_officer = city.users["street_dispatcher"]
    with pytest.raises(PermissionDenied):
        prepare.create(street_officer, **base)
    with pytest.raises(PermissionDenied):
        prepare.create(city.users["grid_worker"], **base)


def test_the_whole_path_writes_one_event_per_change(city: City) -> None:
    decision = advance(city, created(city), DState.CLOSED)
    actions = list(decision.events.order_by("seq").values_list("action", flat=True))
    assert actions == ["create", "plan", "open_consultation", "record_opinion", "close_consultation", "add_item",
                       "grade", "add_measure", "conclude", "issue_report", "file", "track", "close"]
    assert decision.version == len(actions) - 1
    assert decision.grade == "medium"
    assert decision.suggested_grade == "medium"
    assert "风险点 1 个" in decision.grade_reason
    assert decision.conclusion == "conditional"
    assert decision.closed_at is not None
    measure = decision.measures.get()
    assert measure.done_at is not None
    assert measure.progress.endswith("监测平台上线")


def test_opinions_are_checked_and_counted(city: City) -> None:
    decision = advance(city, created(city), DState.CONSULTING)
    user, code = city.users["risk_officer"], decision.code
    before = snapshot(decision)
    ok: dict[str, Any] = {"channel": "survey", "held_on": clock.today(), "participants": 100, "support": 60,
                          "oppose": 30, "neutral": 10, "concerns": "补偿标准"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "online"}, "channel"), ({"held_on": clock.today() + dt.timedelta(days=1)}, "held_on"),
        ({"support": 0, "oppose": 0, "neutral": 0}, "support"), ({"participants": 50}, "participants"),
        ({"concerns": ""}, "concerns"), ({"oppose": -3}, "oppose")]
    for change, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            prepare.record_opinion(user, code, **(ok | change))
        assert field in refused.value.fields
    assert snapshot(decision) == before
    opinion = prepare.record_opinion(user, code, **ok)
    assert (opinion.support, opinion.oppose, opinion.neutral, opinion.participants) == (60, 30, 10, 100)
    assert opinion.recorded_by == user


def test_closing_the_consultation_needs_an_opinion(city: City) -> None:
    decision = advance(city, created(city), DState.CONSULTING)
    with pytest.raises(ValidationFailed, match="尚未登记任何征询意见"):
        prepare.close_consultation(city.users["risk_officer"], decision.code, summary="无")
    assert Decision.objects.get(pk=decision.pk).state == DState.CONSULTING


def test_grading_follows_the_suggestion_or_needs_a_reason(city: City) -> None:
    decision = advance(city, created(city), DState.IDENTIFYING)
    user, code = city.users["risk_officer"], decision.code
    with pytest.raises(ValidationFailed, match="尚未登记风险点"):
        assess.grade(user, code, grade="low")
    item = assess.add_item(user, code, category="legality", description="征收程序可能不合规", likelihood=5,
                           impact=3)
    assert item.level == "high"
    before = snapshot(decision)
    with pytest.raises(ValidationFailed) as refused:
        assess.grade(user, code, grade="medium")
    assert refused.value.fields == {"reason": "与建议等级不同，须写明理由"}
    assert snapshot(decision) == before
    graded = assess.grade(user, code, grade="medium", reason="程序瑕疵已由法制部门审查补正")
    assert (graded.grade, graded.suggested_grade) == ("medium", "high")
    assert graded.grade_reason == "程序瑕疵已由法制部门审查补正"
    event = graded.events.order_by("-seq").first()
    assert event is not None
    assert event.data == {"grade": "medium", "suggested": "high", "override": True}


def test_items_are_validated_and_removed_with_a_reason(city: City) -> None:
    decision = advance(city, created(city), DState.IDENTIFYING)
    user, code = city.users["risk_officer"], decision.code
    ok: dict[str, Any] = {"category": "feasibility", "description": "资金不足", "likelihood": 2, "impact": 2}
    cases: list[tuple[dict[str, Any], str]] = [({"category": "x"}, "category"), ({"likelihood": 6}, "likelihood"),
                                               ({"impact": None}, "impact"), ({"description": ""}, "description")]
    for change, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            assess.add_item(user, code, **(ok | change))
        assert field in refused.value.fields
    item = assess.add_item(user, code, category="feasibility", description="资金不足", likelihood=2, impact=2)
    assess.remove_item(user, code, item_id=item.pk, reason="重复登记")
    assert not RiskItem.objects.filter(pk=item.pk).exists()
    removed = DecisionEvent.objects.filter(decision=decision, action="remove_item").get()
    assert removed.data["description"] == "资金不足"
    assert removed.note == "重复登记"


def test_the_conclusion_is_bounded_by_the_grade(city: City) -> None:
    high = advance(city, created(city), DState.GRADED, grade="high")
    user = city.users["risk_officer"]
    for conclusion in ("go", "conditional"):
        with pytest.raises(ValidationFailed, match="评级为「高风险」"):
            assess.conclude(user, high.code, conclusion=conclusion, reason="理由")
    assert assess.conclude(user, high.code, conclusion="postpone", reason="群众反对强烈").conclusion == "postpone"
    medium = advance(city, created(city, title="老旧小区改造加装电梯"), DState.GRADED)
    with pytest.raises(ValidationFailed, match="附条件实施须先制定防范化解措施"):
        assess.conclude(user, medium.code, conclusion="conditional", reason="理由")
    with pytest.raises(ValidationFailed) as refused:
        assess.conclude(user, medium.code, conclusion="go", reason="理由")
    assert refused.value.fields == {"conclusion": "与风险等级不符"}


def test_a_measure_needs_a_unit_and_a_deadline_from_today(city: City) -> None:
    decision = advance(city, created(city), DState.GRADED)
    user, code = city.users["risk_officer"], decision.code
    with pytest.raises(ValidationFailed) as refused:
        assess.add_measure(user, code, description="公开补偿方案", responsible_unit_id=city.departments[0].pk,
                           deadline=clock.today() - dt.timedelta(days=1))
    assert "deadline" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        assess.add_measure(user, code, description="公开补偿方案", responsible_unit_id=None, deadline=clock.today())
    assert "responsible_unit_id" in refused.value.fields
    assert not Measure.objects.exists()


def test_closing_waits_for_the_measures_of_a_decision_carried_out(city: City) -> None:
    decision = advance(city, created(city), DState.TRACKING)
    user = city.users["risk_officer"]
    with pytest.raises(ValidationFailed, match="还有 1 项措施尚未落实"):
        after.close(user, decision.code, note="结束")
    measure = decision.measures.get()
    after.track(user, decision.code, measure_id=measure.pk, progress="完成一半")
    after.track(user, decision.code, measure_id=measure.pk, progress="全部完成", done=True)
    with pytest.raises(Conflict, match="已于"):
        after.track(user, decision.code, measure_id=measure.pk, progress="再记一次")
    assert after.close(user, decision.code, note="结束").state == DState.CLOSED


def test_a_stale_version_is_refused_and_nothing_changes(city: City) -> None:
    decision = advance(city, created(city), DState.DRAFT)
    prepare.plan(city.users["risk_officer"], decision.code, plan="方案一", expected_version=0)
    before = snapshot(decision)
    with pytest.raises(Conflict, match="已有新的变化"):
        prepare.plan(city.users["leader"], decision.code, plan="方案二", expected_version=0)
    assert snapshot(decision) == before
    assert Decision.objects.get(pk=decision.pk).plan == "方案一"


def test_an_illegal_step_is_refused(city: City) -> None:
    decision = created(city)
    with pytest.raises(Conflict, match="不能「作出评估结论」"):
        assess.conclude(city.users["risk_officer"], decision.code, conclusion="go", reason="x")


def test_units_fill_in_and_officers_decide(city: City) -> None:
    # the proposing unit's handler (市住房和城乡建设局) creates and fills in, but does not grade or conclude
    handler = city.users["handler"]
    decision = prepare.create(handler, title="城东片区棚户区改造征收", kind="land", summary="征收 320 户",
                              proposing_unit_id=city.departments[0].pk, assessing_unit_id=city.departments[2].pk,
                              area_ids=[city.other_street.pk])
    prepare.plan(handler, decision.code, plan="入户调查")
    prepare.open_consultation(handler, decision.code, closes_on=clock.today() + dt.timedelta(days=7))
    prepare.record_opinion(handler, decision.code, channel="visit", held_on=clock.today(), participants=0, support=3,
                           oppose=1, neutral=0, concerns="补偿标准偏低")
    prepare.close_consultation(handler, decision.code, summary="补偿标准是焦点")
    assess.add_item(handler, decision.code, category="rationality", description="补偿标准", likelihood=2, impact=2)
    with pytest.raises(PermissionDenied, match="风险评级"):
        assess.grade(handler, decision.code, grade="low")
    assess.grade(city.users["risk_officer"], decision.code, grade="low")
    # another unit's handler does not even find it; a unit's handler may not create for another unit
    with pytest.raises(NotFound):
        prepare.plan(city.users["handler2"], decision.code, plan="x")
    with pytest.raises(PermissionDenied):
        prepare.create(city.users["handler2"], title="x", kind="land", summary="y",
                       proposing_unit_id=city.departments[0].pk, assessing_unit_id=city.departments[2].pk,
                       area_ids=[city.street.pk])


def test_a_measures_unit_tracks_it(city: City) -> None:
    decision = advance(city, created(city), DState.TRACKING)  # the measure is 市生态环境局's (handler2)
    measure = decision.measures.get()
    after.track(city.users["handler2"], decision.code, measure_id=measure.pk, progress="监测设备已招标")
    with pytest.raises(PermissionDenied):
        after.close(city.users["handler2"], decision.code, note="x")
    assert Opinion.objects.filter(decision=decision).count() == 1
