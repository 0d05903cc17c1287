"""The mediation's outcome through the services: the agreement (PDF, subsidy, the case answered and its
evaluation started), failure with or without a referral, the file passed on, follow-up and fulfilment."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import Assignment, CaseEvent
from fengqiao.cases.services import evaluation
from fengqiao.cases.states import State
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import Agreement, FollowUp, Performance, Referral, SessionStatus
from fengqiao.mediation.services import outcome
from fengqiao.mediation.services._core import access_mediation, visible
from fengqiao.mediation.services.outcome import AgreementInput, ReferralInput
from fengqiao.mediation.states import MState
from fengqiao.mediation.subsidy_rates import subsidy_for
from tests.factories import build_city
from tests.mediation import steps
from tests.mediation.factories import build_world, citizen

pytestmark = pytest.mark.django_db



def test_agree_stores_the_pdf_concludes_with_the_subsidy_and_answers_the_case(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, agreement = steps.agreed(world, traveller)
    assert mediation.status == MState.AGREED
    assert (mediation.concluded_at, mediation.subsidy) == (steps.MONDAY + dt.timedelta(days=1, hours=2), 200)
    data = agreement.pdf.read()
    assert data.startswith(b"%PDF")
    assert agreement.sha256 == hashlib.sha256(data).hexdigest()
    assert agreement.perform_by == dt.date(2026, 3, 31)
    case = mediation.case
    case.refresh_from_db()
    assert case.status == State.REPLIED
    assert "人民调解协议书" in case.reply
    assert "1500 元" in case.reply
    invite = EvaluationInvite.objects.get(case=case, used_at__isnull=True)
    assert subsidy_for(mediation) == 200
    # the closed loop's evaluation closes the case
    closed = evaluation.evaluate_by_invite(invite.pk, rating="satisfied")
    assert closed.status == State.CLOSED


def test_agree_refuses_bad_input_by_field_and_before_any_session(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = steps.accepted(world)
    with pytest.raises(ValidationFailed) as raised:
        outcome.agree(world.users["mediator_a"], mediation.code,
                      AgreementInput(facts="短", terms="", perform_by=dt.date(2026, 1, 1)))
    assert set(raised.value.fields) == {"facts", "terms", "perform_by"}
    with pytest.raises(Conflict, match="须先安排并进行线下调解"):
        outcome.agree(world.users["mediator_a"], mediation.code, AgreementInput(facts=steps.FACTS, terms=steps.TERMS))
    assert not Agreement.objects.exists()
    with pytest.raises(PermissionDenied):
        outcome.agree(citizen(), mediation.code, AgreementInput(facts=steps.FACTS, terms=steps.TERMS))


def test_fail_with_a_referral_to_the_court_passes_the_file_on(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, session = steps.scheduled(world, traveller)
    judge = world.users["judge_a"]
    assert list(visible(judge)) == []
    with pytest.raises(ValidationFailed) as raised:  # litigation goes to a court
        outcome.fail(world.users["mediator_a"], mediation.code, reason="被申请人拒绝调解",
                     referral=ReferralInput(route="litigation", to_unit_id=world.city.departments[0].pk))
    assert set(raised.value.fields) == {"to_unit"}
    outcome.fail(world.users["mediator_a"], mediation.code, reason="被申请人拒绝调解",
                 referral=ReferralInput(route="litigation", to_unit_id=world.court.pk, note="建议立案审理"))
    mediation = steps.fresh(mediation)
    session.refresh_from_db()
    assert (mediation.status, mediation.subsidy, session.status) == (MState.REFERRED, 60, SessionStatus.CANCELLED)
    referral = Referral.objects.get(mediation=mediation)
    assert (referral.route, referral.to_unit, referral.by) == ("litigation", world.court, world.users["mediator_a"])
    assert Assignment.objects.filter(case_id=mediation.case_id, unit=world.court).exists()
    assert access_mediation(judge, mediation.code) == mediation  # the court reaches the file
    case = mediation.case
    case.refresh_from_db()
    assert case.status == State.REPLIED
    assert "诉讼（海陵区人民法院）" in case.reply
    actions = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["m_fail", "m_refer", "reply"]


def test_fail_alone_answers_the_case_and_a_referral_may_follow(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = steps.held(world, traveller)
    with pytest.raises(ValidationFailed) as raised:
        outcome.fail(world.users["mediator_a"], mediation.code, reason="")
    assert set(raised.value.fields) == {"reason"}
    outcome.fail(world.users["mediator_a"], mediation.code, reason="双方对赔偿金额分歧过大")
    mediation = steps.fresh(mediation)
    assert (mediation.status, mediation.outcome_note) == (MState.FAILED, "双方对赔偿金额分歧过大")
    mediation.case.refresh_from_db()
    assert "分歧过大" in mediation.case.reply
    office = Unit.objects.create(code="ZC-1", name="海陵区劳动人事争议仲裁委员会", kind=UnitKind.DEPARTMENT,
                                 level=Level.DISTRICT, area=world.city.district)
    clerk = User.objects.create_user(username="arb", password="x")
    Membership.objects.create(user=clerk, role=Role.HANDLER, unit=office)
    outcome.refer(world.users["mediator_a"], mediation.code, ReferralInput(route="arbitration", to_unit_id=office.pk))
    assert steps.fresh(mediation).status == MState.REFERRED
    assert access_mediation(clerk, mediation.code).pk == mediation.pk
    replies = CaseEvent.objects.filter(case_id=mediation.case_id, action="reply").count()
    assert replies == 1  # answered once, at the failure; the referral is its own event
    with pytest.raises(Conflict):
        outcome.refer(world.users["mediator_a"], mediation.code, ReferralInput(route="litigation"))


def test_follow_up_and_fulfil(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, agreement = steps.agreed(world, traveller)
    with pytest.raises(ValidationFailed) as raised:
        outcome.follow_up(world.users["mediator_a"], mediation.code, performance="maybe")
    assert set(raised.value.fields) == {"performance"}
    outcome.follow_up(world.users["mediator_a"], mediation.code, performance=Performance.PARTLY,
                      note="已停止夜间施工，赔偿款尚未支付")
    agreement.refresh_from_db()
    assert agreement.performance == Performance.PARTLY
    assert FollowUp.objects.get(mediation=mediation).note == "已停止夜间施工，赔偿款尚未支付"
    assert steps.fresh(mediation).status == MState.AGREED
    outcome.fulfil(world.users["mediator_a"], mediation.code, note="赔偿款已付清")
    agreement.refresh_from_db()
    assert (steps.fresh(mediation).status, agreement.performance) == (MState.PERFORMED, Performance.PERFORMED)
    with pytest.raises(Conflict):
        outcome.follow_up(world.users["mediator_a"], mediation.code, performance=Performance.PERFORMED)


def test_a_kind_without_follow_up_refuses_it(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = steps.agreed(world, traveller, kind_code="adjudication")  # steps: schedule, refer
    with pytest.raises(Conflict, match="没有「履行回访」这一环节"):
        outcome.follow_up(world.users["mediator_a"], mediation.code, performance=Performance.PERFORMED)
