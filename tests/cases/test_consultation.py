"""会商研判: convene → tasks with working-day deadlines (frozen time, across National Day) → done →
conclude; each action one chained event; who may convene; participating units see the case while they
take part, and only then."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit import verify
from fengqiao.cases import consultation_reads, selectors
from fengqiao.cases.loop_models import Consultation, ConsultationTask
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.services import access_case
from fengqiao.cases.services import consultation as consult
from fengqiao.cases.services.consultation import TaskInput
from fengqiao.cases.states import State
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.notifications.models import Outbox
from tests.cases.builders import case_in, snapshot
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
BEFORE_NATIONAL_DAY = dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH)  # Monday; 1–7 Oct are holidays, 10 Oct works


def end(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def sees(user: User, case: Case) -> bool:
    user = User.objects.get(pk=user.pk)  # a fresh request: no cached reach
    try:
        access_case(user, case.code)
    except NotFound:
        return False
    return True


def _convene(city: City, case: Case, by: str = "dispatcher") -> Consultation:
    d1, _d2, d3 = city.departments
    return consult.convene(
        city.users[by], case.code, topic="电梯维修资金使用争议", unit_ids=[d1.pk, d3.pk],
        people_ids=[city.users["mediator"].pk],
        tasks=[TaskInput(d3.pk, "组织业主与物业调解", 3), TaskInput(d1.pk, "核查维修资金账户", 5)],
    )


def test_convene_tasks_deadlines_done_and_conclude(city: City) -> None:
    d1, _d2, d3 = city.departments
    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False) as traveller:
        case = case_in(city, State.ACCEPTED, assisting=())
        seq = case.event_seq
        c = _convene(city, case)
        tasks = list(ConsultationTask.objects.filter(consultation=c).order_by("pk"))
        # Tue 29, Wed 30 Sep, (1–7 Oct), Thu 8 Oct; and on to Fri 9, Sat 10 Oct (a make-up working day)
        assert [(t.unit_id, t.working_days, t.deadline, t.status) for t in tasks] == [
            (d3.pk, 3, end(2026, 10, 8), "open"), (d1.pk, 5, end(2026, 10, 10), "open")]
        assert [(p.unit_id, p.user_id) for p in c.participants.order_by("unit_id")] == [
            (d1.pk, None), (d3.pk, city.users["mediator"].pk)]
        e = CaseEvent.objects.get(case=case, seq=seq + 1)
        assert (e.action, e.from_state, e.to_state, e.actor_role, e.audience, e.note) == (
            "convene", "accepted", "accepted", "dispatcher", "internal", "电梯维修资金使用争议")
        assert e.data == {"consultation": c.pk, "units": [d1.pk, d3.pk],
                          "unit_names": ["市住房和城乡建设局", "城东街道办事处"], "tasks": [t.pk for t in tasks]}

        told = sorted(Outbox.objects.filter(kind="consultation", case=case).values_list(
            "recipient__username", "channel"))
        assert told == [("handler", "in_app"), ("judge", "in_app"), ("mediator", "in_app")]  # D1 and D3's people
        extra = consult.add_task(city.users["leader"], case.code, consultation_id=c.pk,
                                 task=TaskInput(d1.pk, "出具维修方案", 1))
        assert extra.deadline == end(2026, 9, 29)
        assert Outbox.objects.filter(kind="consultation", case=case, recipient__username="handler").count() == 2

        traveller.move_to(dt.datetime(2026, 10, 9, 9, 0, tzinfo=SH))
        view = consultation_reads.for_case(case, dt.datetime(2026, 10, 9, 9, 0, tzinfo=SH))[0]
        assert [(t.task.text, t.overdue) for t in view.tasks] == [
            ("出具维修方案", True), ("组织业主与物业调解", True), ("核查维修资金账户", False)]
        consult.complete_task(city.users["mediator"], case.code, task_id=tasks[0].pk, note="已组织调解，双方达成一致")
        done = CaseEvent.objects.filter(case=case).order_by("-seq").first()
        assert done is not None
        assert (done.action, done.actor_role, done.unit_id, done.data) == (
            "consult_task_done", "mediator", d3.pk, {"consultation": c.pk, "task": tasks[0].pk, "overdue": True})

        consult.conclude(city.users["dispatcher"], case.code, consultation_id=c.pk,
                         conclusion="由街道牵头调解，住建局监督维修资金使用", lead_unit_id=d3.pk)
    c.refresh_from_db()
    case.refresh_from_db()
    assert (c.status, c.decided_lead_unit_id) == ("concluded", d3.pk)
    assert c.conclusion == "由街道牵头调解，住建局监督维修资金使用"
    assert case.status == State.ACCEPTED  # the consultation keeps the state; the dispatcher re-dispatches
    assert list(CaseEvent.objects.filter(case=case, seq__gt=seq).values_list("action", flat=True)) == [
        "convene", "consult_task", "consult_task_done", "conclude"]
    assert CaseEvent.objects.get(case=case, action="conclude").data == {"consultation": c.pk, "lead_unit": d3.pk}
    assert verify.verify().ok


def test_participating_units_see_the_case_while_they_take_part(city: City) -> None:
    case = case_in(city, State.ACCEPTED, assisting=())  # led by D1 only
    mediator, handler2 = city.users["mediator"], city.users["handler2"]
    assert not sees(mediator, case)
    assert not sees(handler2, case)
    c = _convene(city, case)  # D1 and D3 take part; D3 has a task
    assert sees(mediator, case)
    assert sees(city.users["judge"], case)
    assert not sees(handler2, case)  # D2 does not take part
    assert selectors.case_for(User.objects.get(pk=mediator.pk), case.code).pk == case.pk  # the case page's read
    consult.complete_task(city.users["handler"], case.code,
                          task_id=ConsultationTask.objects.get(consultation=c, unit=city.departments[0]).pk,
                          note="账户已核查")
    consult.conclude(city.users["dispatcher"], case.code, consultation_id=c.pk, conclusion="继续由住建局办理")
    assert sees(mediator, case)  # concluded, but D3's task is still open
    task = ConsultationTask.objects.get(consultation=c, unit=city.departments[2])
    consult.complete_task(mediator, case.code, task_id=task.pk, note="调解完成")
    assert not sees(mediator, case)  # done taking part
    assert sees(city.users["handler"], case)  # the lead unit, as ever


@pytest.mark.parametrize(("username", "allowed"), [
    ("dispatcher", True), ("street_dispatcher", True), ("leader", True), ("admin", True),
    ("handler", False), ("mediator", False), ("operator", False), ("grid_worker", False),
    ("risk_officer", False), ("citizen", False), ("other_grid_worker", False),
])
def test_who_may_convene(city: City, username: str, allowed: bool) -> None:
    case = case_in(city, State.ACCEPTED, assisting=())
    before = snapshot(case)
    if allowed:
        _convene(city, case, by=username)
        assert Consultation.objects.filter(case=case).count() == 1
        return
    with pytest.raises((PermissionDenied, NotFound)):
        _convene(city, case, by=username)
    assert snapshot(case) == before
    assert not Consultation.objects.exists()


def test_the_lead_units_own_leader_may_convene(city: City) -> None:
    case = case_in(city, State.ACCEPTED, assisting=())
    chief = User.objects.create_user("d1_chief", password="x", display_name="住建局局长")
    Membership.objects.create(user=chief, role=Role.LEADER, unit=city.departments[0])
    _convene(city, case, by="dispatcher")
    Consultation.objects.all().delete()
    city.users["d1_chief"] = chief
    c = _convene(city, case, by="d1_chief")
    assert CaseEvent.objects.filter(case=case, action="convene").last().actor_role == "leader"  # type: ignore[union-attr]
    other = User.objects.create_user("d2_chief", password="x")
    Membership.objects.create(user=other, role=Role.LEADER, unit=city.departments[1])
    with pytest.raises((PermissionDenied, NotFound)):
        consult.conclude(other, case.code, consultation_id=c.pk, conclusion="越权")


def test_bad_input_changes_nothing(city: City) -> None:
    d1, d2, d3 = city.departments
    case = case_in(city, State.ACCEPTED, assisting=())
    user = city.users["dispatcher"]
    before = snapshot(case)
    bad = [
        (dict(topic="", unit_ids=[d1.pk, d3.pk]), "请填写会商议题。"),
        (dict(topic="议题", unit_ids=[d1.pk]), "会商研判至少需要两个参与单位。"),
        (dict(topic="议题", unit_ids=[d1.pk, 99999]), "参与单位不存在或已停用。"),
        (dict(topic="议题", unit_ids=[d1.pk, d3.pk], people_ids=[city.users["handler2"].pk]),
         "参会人员须属于参与单位。"),
        (dict(topic="议题", unit_ids=[d1.pk, d3.pk], tasks=[TaskInput(d2.pk, "任务", 3)]),
         "第 1 项任务的承办单位不是参与单位。"),
        (dict(topic="议题", unit_ids=[d1.pk, d3.pk], tasks=[TaskInput(d3.pk, "任务", 0)]),
         "第 1 项任务的期限应为 1 至 60 个工作日。"),
        (dict(topic="议题", unit_ids=[d1.pk, d3.pk], tasks=[TaskInput(d3.pk, "", 3)]), "请填写第 1 项任务内容。"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValidationFailed) as caught:
            consult.convene(user, case.code, **kwargs)  # type: ignore[arg-type]
        assert caught.value.message == message
    assert snapshot(case) == before
    assert not Consultation.objects.exists()
    c = _convene(city, case)
    with pytest.raises(Conflict, match="已有进行中的会商研判"):
        _convene(city, case)
    consult.conclude(user, case.code, consultation_id=c.pk, conclusion="结论")
    after = snapshot(case)
    with pytest.raises(Conflict, match="已形成结论"):
        consult.conclude(user, case.code, consultation_id=c.pk, conclusion="再来一次")
    with pytest.raises(Conflict, match="已形成结论"):
        consult.add_task(user, case.code, consultation_id=c.pk, task=TaskInput(d1.pk, "任务", 2))
    assert snapshot(case) == after


def test_no_consultation_on_a_closed_case(city: City) -> None:
    case = case_in(city, State.CLOSED, assisting=())
    with pytest.raises(Conflict, match="不能执行「发起会商研判」"):
        _convene(city, case)
