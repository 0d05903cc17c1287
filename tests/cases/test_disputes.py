"""申辩: the lead unit disputes a dispatch; the dispatcher upholds it or re-dispatches — through the real
services, with their permissions, and bad input that changes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fengqiao.cases import services
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.routing_models import Dispute, DisputeStatus, RoutingRule
from fengqiao.cases.states import IllegalTransition, State
from fengqiao.kit.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tests.cases.builders import case_in, snapshot
from tests.factories import City

REASON = "该路段属公路部门养护，不属于住建职责"


def _disputed(city: City) -> Case:
    case = case_in(city, State.DISPATCHED)  # lead D1 (handler), assisting D2 (handler2)
    return services.dispute(city.users["handler"], case.code, reason=REASON)


def test_the_lead_unit_disputes_and_the_sign_for_deadline_keeps_running(city: City) -> None:
    case = case_in(city, State.DISPATCHED)
    deadline = case.accept_deadline
    disputed = services.dispute(city.users["handler"], case.code, reason=f"  {REASON}  ")
    fresh = Case.objects.get(pk=case.pk)
    assert (disputed.state, fresh.status, fresh.accept_deadline, fresh.lead_unit_id) == (
        State.DISPUTED, "disputed", deadline, city.departments[0].pk)
    row = Dispute.objects.get(case=case)
    assert (row.unit, row.reason, row.status, row.raised_by) == (
        city.departments[0], REASON, DisputeStatus.PENDING, city.users["handler"])
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None
    assert (event.action, event.from_state, event.to_state, event.note, event.audience, event.actor_role) == (
        "dispute", "dispatched", "disputed", REASON, "internal", "handler")
    assert event.data == {"dispute": row.pk, "unit_name": "市住房和城乡建设局"}
    # the assignment still stands (pending): the unit has not been released
    assert list(case.assignments.filter(role="lead").values_list("status", flat=True)) == ["pending"]


@pytest.mark.parametrize("reason", ["", "   ", "不是"])
def test_a_dispute_without_a_reason_is_400_and_changes_nothing(city: City, reason: str) -> None:
    case = case_in(city, State.DISPATCHED)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as caught:
        services.dispute(city.users["handler"], case.code, reason=reason)
    assert caught.value.status == 400
    assert caught.value.message == "请填写申辩理由。"
    assert caught.value.fields == {"reason": "请填写申辩理由"}
    assert snapshot(case) == before
    assert Dispute.objects.count() == 0


def test_a_dispute_over_the_api_without_a_reason_is_a_clear_400(city: City) -> None:
    case = case_in(city, State.DISPATCHED)
    before = snapshot(case)
    client = Client()
    client.force_login(city.users["handler"])
    response = client.post(f"/api/cases/{case.code}/actions", json.dumps({"action": "dispute", "text": ""}),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请填写申辩理由。"
    assert snapshot(case) == before
    ok = client.post(f"/api/cases/{case.code}/actions", json.dumps({"action": "dispute", "text": REASON}),
                     content_type="application/json")
    assert (ok.status_code, ok.json()["status"]) == (200, "disputed")


@pytest.mark.parametrize(("who", "error"), [
    ("handler2", PermissionDenied),  # an assisting unit
    ("dispatcher", PermissionDenied),
    ("operator", PermissionDenied),
    ("grid_worker", PermissionDenied),  # the case is in her grid: she sees it, she cannot dispute it
    ("mediator", NotFound),  # her unit has no part in the case: she does not even see it
])
def test_only_the_lead_unit_may_dispute(city: City, who: str, error: type[DomainError]) -> None:
    case = case_in(city, State.DISPATCHED)
    before = snapshot(case)
    with pytest.raises(error):
        services.dispute(city.users[who], case.code, reason=REASON)
    assert snapshot(case) == before


def test_a_disputed_case_cannot_be_signed_for_or_returned_until_decided(city: City) -> None:
    case = _disputed(city)
    with pytest.raises(IllegalTransition):
        services.accept(city.users["handler"], case.code)
    with pytest.raises(IllegalTransition):
        services.return_case(city.users["handler"], case.code, reason="不属于本单位职责")


@pytest.mark.parametrize("who", ["handler", "handler2", "operator", "leader"])
def test_only_a_dispatcher_decides(city: City, who: str) -> None:
    case = _disputed(city)
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        services.dismiss_dispute(city.users[who], case.code, note="维持")
    with pytest.raises(PermissionDenied):
        services.dispatch(city.users[who], case.code, lead_unit_id=city.departments[1].pk)
    assert snapshot(case) == before


def test_upholding_the_dispatch_makes_the_unit_handle_it_and_it_cannot_dispute_again(city: City) -> None:
    case = _disputed(city)
    deadline = case.accept_deadline
    services.dismiss_dispute(city.users["street_dispatcher"], case.code, note="路段在城东街道辖区，住建负责")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.lead_unit_id, fresh.accept_deadline) == (
        State.DISPATCHED, city.departments[0].pk, deadline)
    row = Dispute.objects.get(case=case)
    assert (row.status, row.decided_by, row.decision_note) == (
        DisputeStatus.DISMISSED, city.users["street_dispatcher"], "路段在城东街道辖区，住建负责")
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert last is not None
    assert (last.action, last.from_state, last.to_state, last.actor_role) == (
        "dismiss_dispute", "disputed", "dispatched", "dispatcher")
    with pytest.raises(Conflict) as caught:
        services.dispute(city.users["handler"], case.code, reason=REASON)
    assert caught.value.message.startswith("本次交办的申辩已被裁定不成立")
    services.accept(city.users["handler"], case.code)
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_accepting_the_dispute_redispatches_and_can_propose_a_rule(city: City) -> None:
    case = _disputed(city)
    d1, d2, _d3 = city.departments
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=d2.pk, note="改派生态环境局",
                      propose_rule=True)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.lead_unit_id) == (State.DISPATCHED, d2.pk)
    assert sorted(fresh.assignments.values_list("unit__code", "role", "status")) == [
        ("D1", "lead", "withdrawn"), ("D2", "assist", "withdrawn"), ("D2", "lead", "pending")]
    row = Dispute.objects.get(case=case)
    proposed = RoutingRule.objects.get()
    assert (row.status, row.redispatched_to, row.proposed_rule, row.decision_note) == (
        DisputeStatus.ACCEPTED, d2, proposed, "改派生态环境局")
    assert (proposed.category, proposed.area, proposed.lead_unit, proposed.active) == (
        city.categories["leaf"], city.street, d2, False)
    assert proposed.note == f"申辩提出（{case.code}，原单位 市住房和城乡建设局）"
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert last is not None
    assert (last.action, last.from_state, last.to_state) == ("redispatch", "disputed", "dispatched")
    assert last.data["dispute_accepted"] is True
    assert last.data["disputed_unit_name"] == d1.name
    assert last.data["proposed_rule"] == proposed.pk
    # the new unit may dispute its own dispatch
    services.dispute(city.users["handler2"], case.code, reason="噪声源为工地，应由住建处理")
    assert Dispute.objects.filter(case=case, status=DisputeStatus.PENDING).count() == 1


def test_accepting_a_dispute_needs_another_unit(city: City) -> None:
    case = _disputed(city)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as caught:
        services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    assert caught.value.fields == {"lead_unit": "请选择其他单位"}
    assert snapshot(case) == before
    assert Dispute.objects.get(case=case).status == DisputeStatus.PENDING
