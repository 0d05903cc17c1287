"""The mediation's work through the services: accept, decline, schedule, cancel, record, difficulty — the
case following, one event each, the parties told, and every refusal leaving nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fengqiao.audit.models import Audience
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import CaseEvent
from fengqiao.cases.states import State
from fengqiao.kit import pii
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import MediationKind, MediatorTie, SessionStatus
from fengqiao.mediation.services import workflow
from fengqiao.mediation.states import MState
from fengqiao.notifications.models import Outbox
from tests.factories import build_city
from tests.mediation import steps
from tests.mediation.factories import APPLICANT_PHONE, RESPONDENT_PHONE, applied, build_world, citizen

pytestmark = pytest.mark.django_db


def events(mediation: Any) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=mediation.case_id).order_by("seq").values_list("action", flat=True))


def sms_to(mediation: Any) -> list[tuple[str, str]]:
    """(the decrypted phone, body) of the SMS queued for the mediation's case."""
    rows = Outbox.objects.filter(case_id=mediation.case_id, channel="sms", kind="mediation").order_by("pk")
    return [(row.to_address, row.body) for row in rows]


def test_accept_signs_the_case_and_gives_an_unassigned_mediation_its_mediator(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = applied(world)
    done = workflow.accept(world.users["mediator_a"], mediation.code, expected_version=mediation.version)
    mediation = steps.fresh(done)
    mediation.case.refresh_from_db()
    assert (mediation.status, mediation.case.status) == (MState.ACCEPTED, State.ACCEPTED)
    assert (mediation.mediator, mediation.chosen_by) == (world.mediators[0], "assigned")
    assert mediation.accepted_at == steps.MONDAY
    assert mediation.deadline is not None
    assert mediation.deadline > steps.MONDAY + dt.timedelta(days=30)  # 30 working days
    assert events(mediation) == ["register", "m_apply", "dispatch", "m_accept", "accept"]
    assert mediation.case.deadline == mediation.deadline  # the kind's term, not the category's 5 days
    assert not mediation.case.overdue
    assert sorted(phone for phone, _body in sms_to(mediation)) == [APPLICANT_PHONE, RESPONDENT_PHONE]
    assert all(mediation.code in body and "王秀英" in body for _phone, body in sms_to(mediation))
    told = dict(sms_to(mediation))
    assert "您的调解申请" in told[APPLICANT_PHONE]
    assert "对方当事人就与您的纠纷申请调解" in told[RESPONDENT_PHONE]


def test_accept_keeps_the_mediator_the_citizen_chose_and_refuses_a_tied_one(traveller: Any) -> None:
    world = build_world(build_city())
    chosen = applied(world, mediator_id=world.mediators[1].pk)
    workflow.accept(world.users["mediator_a"], chosen.code)
    assert steps.fresh(chosen).mediator == world.mediators[1]
    MediatorTie.objects.create(mediator=world.mediators[0], relation="表亲",
                               phone_hash=pii.lookup_hash("phone", RESPONDENT_PHONE))
    other = applied(world)
    workflow.accept(world.users["mediator_a"], other.code)
    assert steps.fresh(other).mediator is None  # she accepts for the committee, not as its mediator


def test_who_may_accept(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = applied(world)
    with pytest.raises(NotFound):  # another unit's mediator does not reach it
        workflow.accept(world.city.users["mediator"], mediation.code)
    with pytest.raises(PermissionDenied):
        workflow.accept(citizen(), mediation.code)
    with pytest.raises(Conflict, match="新的进展"):
        workflow.accept(world.users["mediator_b"], mediation.code, expected_version=mediation.version + 1)
    workflow.accept(world.users["mediator_b"], mediation.code)
    with pytest.raises(Conflict, match="不能「受理调解」"):
        workflow.accept(world.users["mediator_a"], mediation.code)
    assert events(mediation).count("m_accept") == 1


def test_decline_answers_the_case_with_the_reason_and_where_to_go(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = applied(world)
    with pytest.raises(ValidationFailed) as raised:
        workflow.decline(world.users["mediator_a"], mediation.code, reason="  ")
    assert set(raised.value.fields) == {"reason"}
    workflow.decline(world.users["mediator_a"], mediation.code, reason="该纠纷已由人民法院立案受理",
                     advice="请向海陵区人民法院了解案件进展。")
    mediation = steps.fresh(mediation)
    case = mediation.case
    case.refresh_from_db()
    assert (mediation.status, case.status) == (MState.DECLINED, State.REPLIED)
    assert "该纠纷已由人民法院立案受理" in case.reply
    assert "海陵区人民法院了解" in case.reply
    assert EvaluationInvite.objects.filter(case=case).count() == 1  # the closed loop's evaluation starts
    assert events(mediation)[-3:] == ["m_decline", "accept", "reply"]


def test_schedule_tells_every_party_and_the_mediator(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, session = steps.scheduled(world, traveller)
    assert (mediation.status, session.seq, session.status) == (MState.SCHEDULED, 1, SessionStatus.SCHEDULED)
    texts = sms_to(mediation)
    scheduled = [(p, b) for p, b in texts if "定于" in b]
    assert sorted(p for p, _b in scheduled) == [APPLICANT_PHONE, RESPONDENT_PHONE]
    assert all("2026-03-03 10:00" in b and "城东街道调解室" in b for _p, b in scheduled)
    inbox = Outbox.objects.get(case_id=mediation.case_id, channel="in_app", recipient=world.users["mediator_a"])
    assert "城东街道调解室" in inbox.body
    event = CaseEvent.objects.filter(case_id=mediation.case_id, action="m_schedule").get()
    assert (event.audience, event.data["session"]) == (Audience.PARTIES, 1)


def test_a_new_time_replaces_the_pending_session(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, first = steps.scheduled(world, traveller)
    second = workflow.schedule(world.users["mediator_b"], mediation.code, place="东风社区调解室",
                               starts_at=steps.MONDAY + dt.timedelta(days=2, hours=4), minutes=60)
    first.refresh_from_db()
    assert (first.status, first.cancel_reason) == (SessionStatus.CANCELLED, "改期至 2026-03-04 14:00")
    assert (second.seq, second.status) == (2, SessionStatus.SCHEDULED)
    assert sum("2026-03-04 14:00" in body for _p, body in sms_to(mediation)) == 2


def test_bad_session_input_names_the_field_and_writes_nothing(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = steps.accepted(world)
    with pytest.raises(ValidationFailed) as raised:
        workflow.schedule(world.users["mediator_a"], mediation.code, place="",
                          starts_at=steps.MONDAY - dt.timedelta(hours=1), minutes=5)
    assert set(raised.value.fields) == {"place", "starts_at", "minutes"}
    assert steps.fresh(mediation).status == MState.ACCEPTED
    assert not mediation.sessions.exists()


def test_a_kind_without_sessions_refuses_to_schedule_and_agrees_from_accepted(traveller: Any) -> None:
    world = build_world(build_city())
    MediationKind.objects.create(code="online", name="在线调解", steps=["follow_up"], document_title="在线调解协议书")
    mediation = steps.accepted(world, kind_code="online")
    with pytest.raises(Conflict, match="没有「安排调解」这一环节"):
        workflow.schedule(world.users["mediator_a"], mediation.code, place="线上",
                          starts_at=steps.MONDAY + dt.timedelta(days=1))
    from fengqiao.mediation.services import outcome

    outcome.agree(world.users["mediator_a"], mediation.code,
                  outcome.AgreementInput(facts=steps.FACTS, terms=steps.TERMS))
    assert steps.fresh(mediation).status == MState.AGREED


def test_cancel_a_session_with_a_reason_tells_the_parties(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, session = steps.scheduled(world, traveller)
    with pytest.raises(ValidationFailed) as raised:
        workflow.cancel_session(world.users["mediator_a"], mediation.code, seq=session.seq, reason="")
    assert set(raised.value.fields) == {"reason"}
    with pytest.raises(NotFound):
        workflow.cancel_session(world.users["mediator_a"], mediation.code, seq=9, reason="被申请人住院")
    workflow.cancel_session(world.users["mediator_a"], mediation.code, seq=session.seq, reason="被申请人住院")
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == (SessionStatus.CANCELLED, "被申请人住院")
    assert sum("被申请人住院" in body for _p, body in sms_to(mediation)) == 2


def test_record_only_when_the_time_has_come_and_its_text_stays_internal(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, session = steps.scheduled(world, traveller)
    with pytest.raises(Conflict, match="时间未到"):
        workflow.record(world.users["mediator_a"], mediation.code, seq=session.seq, text=steps.RECORD,
                        attendees="张三、李四")
    traveller.move_to(session.starts_at + dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed) as raised:
        workflow.record(world.users["mediator_a"], mediation.code, seq=session.seq, text="太短", attendees="")
    assert set(raised.value.fields) == {"record"}
    workflow.record(world.users["mediator_a"], mediation.code, seq=session.seq, text=steps.RECORD,
                    attendees="张三、李四、王秀英")
    session.refresh_from_db()
    assert (session.status, session.record, session.recorded_by) == (SessionStatus.HELD, steps.RECORD,
                                                                      world.users["mediator_a"])
    assert steps.fresh(mediation).status == MState.IN_PROGRESS
    event = CaseEvent.objects.get(case_id=mediation.case_id, action="m_record")
    assert event.audience == Audience.PARTIES
    assert "释法明理" not in event.note
    assert "释法明理" not in str(event.data)
    with pytest.raises(Conflict):  # held already
        workflow.record(world.users["mediator_a"], mediation.code, seq=session.seq, text=steps.RECORD,
                        attendees="张三")


def test_difficulty_is_an_internal_event_and_reprices_a_concluded_mediation(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = steps.agreed(world, traveller)
    assert mediation.subsidy == 200  # 人民调解 · 一般
    with pytest.raises(ValidationFailed):
        workflow.set_difficulty(world.users["mediator_a"], mediation.code, difficulty="easy")
    workflow.set_difficulty(world.users["mediator_a"], mediation.code, difficulty="complex")
    mediation = steps.fresh(mediation)
    assert (mediation.difficulty, mediation.subsidy) == ("complex", 400)
    event = CaseEvent.objects.get(case_id=mediation.case_id, action="m_difficulty")
    assert (event.audience, event.data["from_difficulty"]) == (Audience.INTERNAL, "normal")
    with pytest.raises(PermissionDenied):
        workflow.set_difficulty(citizen(), mediation.code, difficulty="simple")


def test_a_mediator_working_in_english_still_sends_chinese_sms(traveller: Any) -> None:
    from django.utils import translation

    world = build_world(build_city())
    mediation = applied(world)
    with translation.override("en"):
        workflow.accept(world.users["mediator_a"], mediation.code)
    bodies = [body for _phone, body in sms_to(mediation)]
    assert bodies
    assert all("已受理" in body for body in bodies)
