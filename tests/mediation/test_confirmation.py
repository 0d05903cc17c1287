"""司法确认 through the services: the joint application (by the mediator or the citizen), the court reaching
the file, only its judges ruling, the ruling as a PDF, the parties told."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from pypdf import PdfReader

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Assignment, CaseEvent
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import Confirmation, ConfirmationStatus
from fengqiao.mediation.services import confirmation as service
from fengqiao.mediation.services import outcome
from fengqiao.mediation.services._core import visible
from fengqiao.mediation.states import MState
from fengqiao.notifications.models import Outbox
from tests.factories import build_city
from tests.mediation import steps
from tests.mediation.factories import build_world, citizen

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(steps.MONDAY, tick=False) as moving:
        yield moving


def text_of(field: Any) -> str:
    field.open("rb")
    try:
        reader = PdfReader(io.BytesIO(field.read()))
    finally:
        field.close()
    return "".join(page.extract_text() for page in reader.pages)


def test_the_mediator_applies_for_the_parties_and_the_court_reaches_the_file(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = steps.agreed(world, traveller)
    judge = world.users["judge_a"]
    assert list(visible(judge)) == []
    service.apply_confirmation(world.users["mediator_a"], mediation.code, court_id=world.court.pk, joint=True,
                               expected_version=mediation.version)
    mediation = steps.fresh(mediation)
    found = Confirmation.objects.get(mediation=mediation)
    assert (mediation.status, found.status, found.court, found.applied_by) == (
        MState.CONFIRMING, ConfirmationStatus.PENDING, world.court, world.users["mediator_a"])
    assert Assignment.objects.filter(case_id=mediation.case_id, unit=world.court).exists()
    assert list(visible(judge)) == [mediation]
    assert Outbox.objects.filter(recipient=judge, channel="in_app", case_id=mediation.case_id).count() == 1


def test_the_citizen_applies_jointly_to_a_court(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = steps.agreed(world, traveller)
    with pytest.raises(ValidationFailed) as raised:
        service.apply_confirmation(citizen(), mediation.code, court_id=world.city.departments[0].pk, joint=False)
    assert set(raised.value.fields) == {"court", "joint"}
    service.apply_confirmation(citizen(), mediation.code, court_id=world.court.pk, joint=True, note="双方同意")
    found = Confirmation.objects.get(mediation=mediation)
    assert (found.applied_by, found.joint) == (None, True)
    event = CaseEvent.objects.get(case_id=mediation.case_id, action="m_apply_confirm")
    assert (event.actor_role, event.note) == ("citizen", "双方同意")


def test_confirmation_needs_an_agreement_the_kind_step_and_the_thirty_days(traveller: Any) -> None:
    world = build_world(build_city())
    open_one = steps.held(world, traveller)
    with pytest.raises(Conflict):
        service.apply_confirmation(world.users["mediator_a"], open_one.code, court_id=world.court.pk, joint=True)
    administrative, _a = steps.agreed(world, traveller, kind_code="administrative")  # no "confirm" step
    with pytest.raises(Conflict, match="没有「申请司法确认」这一环节"):
        service.apply_confirmation(world.users["mediator_a"], administrative.code, court_id=world.court.pk,
                                   joint=True)
    late, _b = steps.agreed(world, traveller)
    traveller.shift(dt.timedelta(days=31))
    with pytest.raises(Conflict, match="三十日"):
        service.apply_confirmation(world.users["mediator_a"], late.code, court_id=world.court.pk, joint=True)
    assert not Confirmation.objects.exists()


def _applied(world: Any, traveller: Any) -> Any:
    mediation, _agreement = steps.agreed(world, traveller)
    service.apply_confirmation(world.users["mediator_a"], mediation.code, court_id=world.court.pk, joint=True)
    return steps.fresh(mediation)


def test_a_judge_of_the_court_confirms_and_the_ruling_is_a_pdf(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = _applied(world, traveller)
    with pytest.raises(PermissionDenied):  # the mediator reaches the file but does not rule
        service.confirm(world.users["mediator_a"], mediation.code)
    other_court = Unit.objects.create(code="FY-02", name="高港区人民法院", kind=UnitKind.COURT, level=Level.DISTRICT,
                                      area=world.city.district)
    stranger = User.objects.create_user(username="judge_b", password="x")
    Membership.objects.create(user=stranger, role=Role.JUDGE, unit=other_court)
    with pytest.raises(NotFound):
        service.confirm(stranger, mediation.code)
    found = service.confirm(world.users["judge_a"], mediation.code, expected_version=mediation.version)
    assert (found.status, found.judge, steps.fresh(mediation).status) == (
        ConfirmationStatus.CONFIRMED, world.users["judge_a"], MState.CONFIRMED)
    text = text_of(found.pdf)
    assert "民事裁定书" in text
    assert "海陵区人民法院" in text
    assert "达成的调解协议有效" in text
    assert "张三" in text
    assert "李四" in text
    sms = Outbox.objects.filter(case_id=mediation.case_id, channel="sms", dedup_key__contains="confirm:rule")
    assert sms.count() == 2
    assert all("确认调解协议有效" in m.body for m in sms)
    with pytest.raises(Conflict):
        service.refuse(world.users["judge_a"], mediation.code, reason="再议")


def test_a_refusal_names_its_reason_and_the_mediation_may_be_referred(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = _applied(world, traveller)
    with pytest.raises(ValidationFailed) as raised:
        service.refuse(world.users["judge_a"], mediation.code, reason="")
    assert set(raised.value.fields) == {"reason"}
    found = service.refuse(world.users["judge_a"], mediation.code, reason="协议约定的赔偿内容涉及案外人权益")
    assert (found.status, steps.fresh(mediation).status) == (ConfirmationStatus.REFUSED, MState.REFUSED)
    text = text_of(found.pdf)
    assert "驳回申请人" in text
    assert "案外人权益" in text
    outcome.refer(world.users["mediator_a"], mediation.code,
                  outcome.ReferralInput(route="litigation", to_unit_id=world.court.pk))
    assert steps.fresh(mediation).status == MState.REFERRED
    assert steps.fresh(mediation).subsidy == 200  # the agreement was reached: the subsidy stands
