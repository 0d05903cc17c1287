"""申请调解 and 选定调解员 through the services: one case, one mediation, the case at the organisation."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import Assignment, AssignmentRole, AssignmentStatus, CaseEvent, Channel, PartyRole
from fengqiao.cases.states import State, action_label
from fengqiao.kit import pii
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import ChosenBy, Mediation, MediatorTie
from fengqiao.mediation.services._core import access_mediation, visible
from fengqiao.mediation.services.apply import apply, choose
from fengqiao.mediation.states import MState
from tests.factories import build_city
from tests.mediation.factories import RESPONDENT_PHONE, application, applied, build_world, citizen

pytestmark = pytest.mark.django_db


def test_apply_registers_one_case_and_sends_it_to_the_street_committee() -> None:
    world = build_world(build_city())
    mediation = applied(world)
    case = mediation.case
    case.refresh_from_db()
    assert (case.channel, case.status, mediation.status) == (Channel.MINI_PROGRAM, State.DISPATCHED, MState.APPLIED)
    assert mediation.code.startswith("JF-")
    assert len(mediation.code) == 17
    assert mediation.unit == world.committee
    assert mediation.deadline is not None
    assert case.deadline == mediation.deadline
    lead = Assignment.objects.get(case=case, role=AssignmentRole.LEAD)
    assert (lead.unit, lead.status) == (world.committee, AssignmentStatus.PENDING)
    roles = sorted(case.parties.values_list("role", flat=True))
    assert roles == [PartyRole.APPLICANT, PartyRole.RESPONDENT]
    actions = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True))
    assert actions == ["register", "m_apply", "dispatch"]
    assert action_label("m_apply") == "申请调解"


def test_citizen_must_apply_for_the_phone_she_verified() -> None:
    world = build_world(build_city())
    with pytest.raises(ValidationFailed) as raised:
        apply(citizen("13700009999"), application(world))
    assert "applicant_phone" in raised.value.fields
    assert Mediation.objects.count() == 0


def test_bad_fields_are_named_and_nothing_is_written() -> None:
    world = build_world(build_city())
    with pytest.raises(ValidationFailed) as raised:
        applied(world, description="太短", demand="", street_id=None, amount="两千")
    assert set(raised.value.fields) == {"description", "demand", "street", "amount"}
    assert Mediation.objects.count() == 0


def test_citizen_chooses_a_mediator_online() -> None:
    world = build_world(build_city())
    mediation = applied(world)
    chosen = choose(citizen(), mediation.code, world.mediators[0].pk)
    assert (chosen.mediator, chosen.chosen_by, chosen.status) == (world.mediators[0], ChosenBy.CITIZEN,
                                                                 MState.APPLIED)
    assert CaseEvent.objects.filter(case=mediation.case, action="m_choose").count() == 1


def test_a_mediator_tied_to_a_party_is_refused() -> None:
    world = build_world(build_city())
    mediation = applied(world)
    MediatorTie.objects.create(mediator=world.mediators[0], relation="亲属",
                               phone_hash=pii.lookup_hash("phone", RESPONDENT_PHONE))
    with pytest.raises(Conflict, match="回避"):
        choose(citizen(), mediation.code, world.mediators[0].pk)
    mediation.refresh_from_db()
    assert mediation.mediator is None
    assert mediation.version == 0


def test_an_unavailable_or_full_mediator_is_refused() -> None:
    world = build_world(build_city())
    mediation = applied(world)
    world.mediators[0].available = False
    world.mediators[0].save()
    with pytest.raises(Conflict, match="暂不接受"):
        choose(citizen(), mediation.code, world.mediators[0].pk)
    world.mediators[1].max_load = 0
    world.mediators[1].save()
    with pytest.raises(Conflict, match="满额"):
        choose(citizen(), mediation.code, world.mediators[1].pk)


def test_scope_another_phone_or_unit_sees_nothing() -> None:
    world = build_world(build_city())
    mediation = applied(world)
    with pytest.raises(NotFound):
        access_mediation(citizen("13700009999"), mediation.code)
    assert access_mediation(citizen(RESPONDENT_PHONE), mediation.code) == mediation  # a party too
    assert list(visible(world.users["mediator_a"])) == [mediation]
    assert list(visible(world.city.users["handler"])) == []
    assert list(visible(world.users["judge_a"])) == []
    with pytest.raises(PermissionDenied):
        choose(world.city.users["leader"], mediation.code, world.mediators[0].pk)


def test_only_the_applicant_chooses_the_mediator() -> None:
    world = build_world(build_city())
    mediation = applied(world)
    with pytest.raises(PermissionDenied):
        choose(citizen(RESPONDENT_PHONE), mediation.code, world.mediators[0].pk)
    mediation.refresh_from_db()
    assert mediation.mediator is None
