"""A mediation's outcome answers its case, and the applicant is invited to evaluate it by SMS (the closed
loop's evaluation reaches the applicant of a mediation, who is not a 'reporter')."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.services.evaluation import reporter_phone
from fengqiao.cases.states import State
from fengqiao.notifications.models import Outbox
from tests.factories import build_city
from tests.mediation.factories import APPLICANT_PHONE, build_world
from tests.mediation.steps import agreed

pytestmark = pytest.mark.django_db


def test_agreement_invites_the_applicant_to_evaluate(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = agreed(world, traveller)
    case = mediation.case
    case.refresh_from_db()
    assert case.status == State.REPLIED
    assert EvaluationInvite.objects.filter(case=case).count() == 1
    sms = Outbox.objects.get(case=case, kind="evaluation")
    assert sms.channel == "sms"
    assert case.code in sms.body
    assert reporter_phone(case.pk) == APPLICANT_PHONE
