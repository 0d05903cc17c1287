"""申请司法确认 from the app: really joint — each respondent's consent code goes to the respondent's phone;
a wrong code is refused (and counts against guessing), nothing is applied for; the right ones apply."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fengqiao.cases.models import Party, PartyRole
from fengqiao.mediation.models import Confirmation, Mediation
from fengqiao.mediation.services import confirmation as court_services
from fengqiao.mediation.states import MState
from fengqiao.notifications.models import Outbox
from fengqiao.portal.models import PhoneCode
from tests.mediation import steps
from tests.mediation.factories import RESPONDENT_PHONE, World
from tests.portal.conftest import last_code, sign_in

pytestmark = pytest.mark.django_db


def _respondent(mediation: Mediation) -> Party:
    return Party.objects.get(case_id=mediation.case_id, role=PartyRole.RESPONDENT)


def test_a_joint_application_with_the_respondents_code(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    client = sign_in(Client())
    url = f"/portal/track/{mediation.code}/confirmation/"
    page = client.get(url).content.decode()
    assert "海陵区人民法院" in page
    assert "李*" in page  # the respondent, masked
    sent = client.post(url, {"send": "1", "court": world.court.pk})
    assert sent.status_code == 200
    sms = Outbox.objects.filter(kind="verification").order_by("-pk").first()
    assert sms is not None
    assert sms.to_address == RESPONDENT_PHONE
    assert mediation.code in sms.body
    respondent = _respondent(mediation)
    response = client.post(url, {"court": world.court.pk, "joint": "1",
                                 f"consent_{respondent.pk}": last_code(RESPONDENT_PHONE)})
    assert response.status_code == 302
    mediation.refresh_from_db()
    assert mediation.status == MState.CONFIRMING
    confirmation = Confirmation.objects.get(mediation=mediation)
    assert (confirmation.court, confirmation.joint, confirmation.applied_by) == (world.court, True, None)
    assert PhoneCode.objects.get(subject=mediation.code).used_at is not None
    # the judge rules, and the citizen sees it with the code
    court_services.confirm(world.users["judge_a"], mediation.code)
    html = client.get(f"/portal/track/{mediation.code}/").content.decode()
    assert "确认有效" in html
    assert f"/portal/track/{mediation.code}/ruling.pdf" in html
    assert client.get(f"/portal/track/{mediation.code}/ruling.pdf")["Content-Type"] == "application/pdf"


def test_a_wrong_consent_code_applies_for_nothing(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    client = sign_in(Client())
    url = f"/portal/track/{mediation.code}/confirmation/"
    client.post(url, {"send": "1"})
    code = last_code(RESPONDENT_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    respondent = _respondent(mediation)
    response = client.post(url, {"court": world.court.pk, "joint": "1", f"consent_{respondent.pk}": wrong})
    assert response.status_code == 400
    assert "验证码不正确，还可再试 4 次。" in response.content.decode()
    assert Mediation.objects.get(pk=mediation.pk).status == MState.AGREED
    assert not Confirmation.objects.exists()


def test_without_the_checkbox_or_a_court_nothing_is_applied_for(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    client = sign_in(Client())
    url = f"/portal/track/{mediation.code}/confirmation/"
    client.post(url, {"send": "1"})
    respondent = _respondent(mediation)
    response = client.post(url, {f"consent_{respondent.pk}": last_code(RESPONDENT_PHONE)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请确认双方当事人同意共同申请" in html
    assert "请选择受理司法确认的人民法院" in html
    assert not Confirmation.objects.exists()
    assert PhoneCode.objects.get(subject=mediation.code).used_at is None  # the code still works


def test_an_expired_consent_code(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    client = sign_in(Client())
    url = f"/portal/track/{mediation.code}/confirmation/"
    client.post(url, {"send": "1"})
    code = last_code(RESPONDENT_PHONE)
    traveller.shift(dt.timedelta(minutes=11))
    response = client.post(url, {"court": world.court.pk, "joint": "1", f"consent_{_respondent(mediation).pk}": code})
    assert response.status_code == 400
    assert "验证码已过期" in response.content.decode()
    assert not Confirmation.objects.exists()


def test_before_an_agreement_there_is_nothing_to_confirm(world: World, traveller: Any) -> None:
    mediation = steps.accepted(world)
    client = sign_in(Client())
    url = f"/portal/track/{mediation.code}/confirmation/"
    assert "达成调解协议后" in client.get(url).content.decode()
    assert client.post(url, {"send": "1"}).status_code == 409
    assert Outbox.objects.filter(kind="verification").count() == 1  # only the applicant's sign-in code
