"""转入调解: a walk-in dispute sent to the street's committee becomes a mediation there, with a code the
reporter is told; only the lead unit's mediators may do it, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.cases import services as cases
from fengqiao.cases.models import Case, CaseEvent, Channel
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import DisputeType, Mediation
from fengqiao.mediation.services import workflow
from fengqiao.mediation.services._core import access_mediation
from fengqiao.mediation.services.opening import OpenInput, open_on_case
from fengqiao.mediation.states import MState
from fengqiao.notifications.models import Outbox
from tests.cases.builders import register
from tests.factories import build_city
from tests.mediation.factories import World, build_world, citizen

pytestmark = pytest.mark.django_db
REPORTER_PHONE = "13812345678"  # the builders' reporter


def walk_in_at_committee(world: World) -> Case:
    case = register(world.city, channel=Channel.WALK_IN, title="邻里漏水纠纷")
    return cases.dispatch(world.city.users["dispatcher"], case.code, lead_unit_id=world.committee.pk)


def opening(**changes: Any) -> OpenInput:
    data = OpenInput(kind_code="peoples", demand="要求楼上修复漏水并赔偿天花板损失。",
                     dispute_type_id=DisputeType.objects.get(code="neighbour").pk, amount="800")
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def test_a_mediator_of_the_lead_unit_opens_the_mediation_and_the_reporter_can_track_it() -> None:
    world = build_world(build_city())
    case = walk_in_at_committee(world)
    mediation = open_on_case(world.users["mediator_a"], case.code, opening())
    case.refresh_from_db()
    assert (mediation.status, mediation.unit, mediation.area) == (MState.APPLIED, world.committee, world.city.street)
    assert case.deadline == mediation.deadline
    assert CaseEvent.objects.filter(case=case).order_by("-seq").values_list("action", flat=True)[0] == "m_apply"
    sms = Outbox.objects.get(case=case, kind="mediation")
    assert mediation.code in sms.body
    assert sms.to_address == REPORTER_PHONE
    assert access_mediation(citizen(REPORTER_PHONE), mediation.code) == mediation  # the reporter tracks it
    accepted = workflow.accept(world.users["mediator_a"], mediation.code)
    assert accepted.status == MState.ACCEPTED


def test_only_the_lead_units_mediator_once_and_fields_named() -> None:
    world = build_world(build_city())
    case = walk_in_at_committee(world)
    with pytest.raises(PermissionDenied):
        open_on_case(world.city.users["dispatcher"], case.code, opening())
    with pytest.raises(ValidationFailed) as raised:
        open_on_case(world.users["mediator_a"], case.code, opening(kind_code="nope", demand=" ", amount="x"))
    assert set(raised.value.fields) == {"kind", "demand", "amount"}
    assert Mediation.objects.count() == 0
    open_on_case(world.users["mediator_a"], case.code, opening())
    with pytest.raises(Conflict):
        open_on_case(world.users["mediator_a"], case.code, opening())
    assert Mediation.objects.count() == 1


def test_the_case_page_offers_it_and_the_form_opens_it() -> None:
    world = build_world(build_city())
    case = walk_in_at_committee(world)
    client = Client()
    client.force_login(world.users["mediator_a"])
    assert "mediation-open" in client.get(f"/cases/{case.code}/").content.decode()
    bad = client.post(f"/mediation/open/{case.code}/", {"kind": "peoples", "demand": ""})
    assert bad.status_code == 400
    done = client.post(f"/mediation/open/{case.code}/", {"kind": "peoples", "demand": "要求修复漏水。",
                                                          "dispute_type": "", "amount": ""})
    mediation = Mediation.objects.get(case=case)
    assert done.status_code == 302
    assert done["Location"] == f"/mediation/{mediation.code}/"
    handler = Client()
    handler.force_login(world.city.users["handler"])
    assert handler.get(f"/mediation/open/{case.code}/").status_code == 404  # not in her reach


def test_the_case_page_names_a_citizen_app_applicant_as_the_party_not_the_system() -> None:
    from tests.mediation.factories import applied

    world = build_world(build_city())
    mediation = applied(world)
    client = Client()
    client.force_login(world.users["mediator_a"])
    html = client.get(f"/cases/{mediation.case.code}/").content.decode()
    assert "当事人（解纷码）" in html
