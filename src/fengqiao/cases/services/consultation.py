"""会商研判: convene several units on a hard case, give follow-up tasks with their own working-day
deadlines, record their completion and the conclusion.  Each action writes one chained case event and
keeps the case's state (states.py: CONVENE, CONSULT_TASK, CONSULT_TASK_DONE, CONCLUDE).

Who may convene, give tasks and conclude: a dispatcher or leader whose area holds the case, the lead
unit's leader, an administrator.  A task is marked done by its own unit (or by those who may convene).
Participating units see the case while the consultation is open or they have an open task
(jurisdictions/scope.py → cases/consultation_reads.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.loop_models import (
    Consultation,
    ConsultationParticipant,
    ConsultationStatus,
    ConsultationTask,
    TaskStatus,
)
from fengqiao.cases.models import Case
from fengqiao.cases.services._core import Acting, _in_area, access_case, record, require_text, save, transition
from fengqiao.cases.states import Action
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock, working_days
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

MAX_TASK_DAYS = 60
CONVENER_ROLES = (Role.DISPATCHER, Role.LEADER)


@dataclass(frozen=True)
class TaskInput:
    unit_id: int
    text: str
    working_days: int


def _load(user: User, case_id: int | str) -> Case:
    """The case locked: through the scoped loader, or, for a unit-only leader of the lead unit, by code."""
    try:
        return access_case(user, case_id, for_update=True)
    except NotFound:
        lookup = {"pk": case_id} if isinstance(case_id, int) else {"code": case_id}
        case = Case.objects.select_for_update().filter(**lookup).first()
        if case is not None and case.lead_unit_id is not None and Membership.objects.filter(
                user=user, role=Role.LEADER, unit_id=case.lead_unit_id).exists():
            return case
        raise


def convener(user: User, case: Case) -> Acting:
    """The role in which the user may convene (give tasks, conclude) on the case; PermissionDenied if none."""
    if user.is_superuser or Role.ADMIN in user.role_set():
        return Acting(user, Role.ADMIN, None)
    reach = scope.reach_of(user)
    for m in user.memberships.select_related("unit").filter(role__in=[r.value for r in CONVENER_ROLES]):
        if m.role == Role.LEADER and m.unit_id is not None and m.unit_id == case.lead_unit_id:
            return Acting(user, Role.LEADER, m.unit)
        if m.area_id is not None and (reach.everything or _in_area(case, reach.area_ids)):
            return Acting(user, Role(m.role), m.unit)
    raise PermissionDenied(_("只有分拨员、领导或主办单位负责人可以发起会商研判。"))


def _units(ids: Sequence[int], field: str) -> list[Unit]:
    wanted = sorted({int(i) for i in ids})
    units = list(Unit.objects.filter(pk__in=wanted, active=True).order_by("pk"))
    if len(units) != len(wanted):
        raise ValidationFailed(_("参与单位不存在或已停用。"), fields={field: _("请从列表中选择单位")})
    return units


def _check_tasks(tasks: Sequence[TaskInput], unit_ids: set[int]) -> list[TaskInput]:
    checked = []
    for n, t in enumerate(tasks, start=1):
        if t.unit_id not in unit_ids:
            raise ValidationFailed(_("第 %(n)s 项任务的承办单位不是参与单位。") % {"n": n},
                                   fields={"task_unit": _("请选择参与单位")})
        text = require_text(t.text, "task_text", _("第 %(n)s 项任务内容") % {"n": n}, max_length=1000, min_length=2)
        if not 1 <= t.working_days <= MAX_TASK_DAYS:
            raise ValidationFailed(_("第 %(n)s 项任务的期限应为 1 至 %(max)s 个工作日。")
                                   % {"n": n, "max": MAX_TASK_DAYS},
                                   fields={"task_days": _("1 至 %(max)s 个工作日") % {"max": MAX_TASK_DAYS}})
        checked.append(TaskInput(t.unit_id, text, t.working_days))
    return checked


def _create_tasks(consultation: Consultation, tasks: Sequence[TaskInput]) -> list[ConsultationTask]:
    now = clock.now()
    return [ConsultationTask.objects.create(
        consultation=consultation, unit_id=t.unit_id, text=t.text, working_days=t.working_days,
        deadline=working_days.add_working_days(now, t.working_days), created_at=now,
    ) for t in tasks]


@transaction.atomic
def convene(user: User, case_id: int | str, *, topic: str, unit_ids: Sequence[int],
            people_ids: Sequence[int] = (), tasks: Sequence[TaskInput] = ()) -> Consultation:
    """发起会商研判: at least two units; optional people of those units; optional first tasks."""
    case = _load(user, case_id)
    acting = convener(user, case)
    before, after = transition(case, Action.CONVENE)
    text = require_text(topic, "topic", _("会商议题"), max_length=200, min_length=2)
    units = _units(unit_ids, "unit_ids")
    if len(units) < 2:
        raise ValidationFailed(_("会商研判至少需要两个参与单位。"), fields={"unit_ids": _("请至少选择两个单位")})
    if Consultation.objects.filter(case=case, status=ConsultationStatus.OPEN).exists():
        raise Conflict(_("该案件已有进行中的会商研判，请先形成结论。"))
    chosen = {u.pk for u in units}
    people: dict[int, int] = {}
    for person in sorted({int(p) for p in people_ids}):
        unit_id = Membership.objects.filter(user_id=person, unit_id__in=chosen).values_list("unit_id", flat=True)
        first = unit_id.first()
        if first is None:
            raise ValidationFailed(_("参会人员须属于参与单位。"), fields={"people_ids": _("请选择参与单位的人员")})
        people.setdefault(first, person)
    checked = _check_tasks(tasks, chosen)
    now = clock.now()
    consultation = Consultation.objects.create(case=case, topic=text, convened_by=user, convened_at=now)
    ConsultationParticipant.objects.bulk_create([
        ConsultationParticipant(consultation=consultation, unit=u, user_id=people.get(u.pk)) for u in units
    ])
    created = _create_tasks(consultation, checked)
    event = record(case, Action.CONVENE, before, after, acting, at=now, note=text, data={
        "consultation": consultation.pk, "units": [u.pk for u in units], "unit_names": [u.name for u in units],
        "tasks": [t.pk for t in created],
    })
    save(case, event)
    _tell(case, event.seq, [u.pk for u in units], list(people.values()), user.pk,
          subject=f"会商研判：案件 {case.code}",
          body=f"您单位被邀请参加案件 {case.code}「{case.title[:40]}」的会商研判：{text}")
    return consultation


def _open_consultation(case: Case, consultation_id: int) -> Consultation:
    consultation = Consultation.objects.filter(pk=consultation_id, case=case).first()
    if consultation is None:
        raise NotFound(_("没有找到该会商研判。"))
    if consultation.status != ConsultationStatus.OPEN:
        raise Conflict(_("该会商研判已形成结论，不能再修改。"))
    return consultation


@transaction.atomic
def add_task(user: User, case_id: int | str, *, consultation_id: int, task: TaskInput) -> ConsultationTask:
    """交办一项会商任务 to a participating unit, due after its working days."""
    case = _load(user, case_id)
    acting = convener(user, case)
    before, after = transition(case, Action.CONSULT_TASK)
    consultation = _open_consultation(case, consultation_id)
    units = set(consultation.participants.values_list("unit_id", flat=True))
    (checked,) = _check_tasks([task], units)
    (created,) = _create_tasks(consultation, [checked])
    event = record(case, Action.CONSULT_TASK, before, after, acting, note=checked.text, data={
        "consultation": consultation.pk, "task": created.pk, "unit": created.unit_id,
        "deadline": created.deadline.isoformat(),
    })
    save(case, event)
    due = clock.localtime(created.deadline).strftime("%m月%d日")
    _tell(case, event.seq, [created.unit_id], [], user.pk, subject=f"会商任务：案件 {case.code}",
          body=f"案件 {case.code} 会商研判交办任务：{checked.text[:200]}（{due}前完成）")
    return created


def _tell(case: Case, seq: int, unit_ids: list[int], people: list[int], actor_id: int, *, subject: str,
          body: str) -> None:
    """In-app messages to the units' handlers and leaders and the named people (not the actor), keyed by
    the event so a retried request never queues twice."""
    from fengqiao.cases.supervision_notify import Directory
    from fengqiao.notifications import services as notifications

    directory = Directory(unit_ids=unit_ids, area_ids=[])
    users = set(people)
    for unit in unit_ids:
        users |= directory.handlers.get(unit, set()) | directory.unit_leaders.get(unit, set())
    notifications.queue([
        notifications.Draft(dedup_key=f"act:{case.pk}:{seq}:in_app:u{u}", channel="in_app", subject=subject,
                            body=body, kind="consultation", recipient_id=u, case_id=case.pk)
        for u in sorted(users - {actor_id})
    ])


@transaction.atomic
def complete_task(user: User, case_id: int | str, *, task_id: int, note: str) -> ConsultationTask:
    """A task's own unit (or a convener) marks it done, with a note on what was done."""
    case = _load(user, case_id)
    task = ConsultationTask.objects.select_related("consultation", "unit").filter(
        pk=task_id, consultation__case=case).first()
    if task is None:
        raise NotFound(_("没有找到该会商任务。"))
    membership = user.memberships.select_related("unit").filter(unit_id=task.unit_id).first()
    acting = (Acting(user, Role(membership.role), membership.unit) if membership is not None
              else convener(user, case))
    before, after = transition(case, Action.CONSULT_TASK_DONE)
    if task.status == TaskStatus.DONE:
        raise Conflict(_("该任务已完成。"))
    text = require_text(note, "note", _("完成情况"), max_length=1000, min_length=2)
    now = clock.now()
    task.status, task.done_at, task.done_by, task.done_note = TaskStatus.DONE, now, user, text
    task.save(update_fields=["status", "done_at", "done_by", "done_note"])
    event = record(case, Action.CONSULT_TASK_DONE, before, after, acting, at=now, note=text, data={
        "consultation": task.consultation_id, "task": task.pk, "overdue": task.deadline < now,
    })
    save(case, event)
    return task


@transaction.atomic
def conclude(user: User, case_id: int | str, *, consultation_id: int, conclusion: str,
             lead_unit_id: int | None = None) -> Consultation:
    """会商结论, and the lead unit it decided on if that changes (the dispatcher then re-dispatches)."""
    case = _load(user, case_id)
    acting = convener(user, case)
    before, after = transition(case, Action.CONCLUDE)
    consultation = _open_consultation(case, consultation_id)
    text = require_text(conclusion, "conclusion", _("会商结论"), max_length=2000, min_length=2)
    data: dict[str, object] = {"consultation": consultation.pk}
    if lead_unit_id:
        if not consultation.participants.filter(unit_id=lead_unit_id).exists():
            raise ValidationFailed(_("确定的主办单位须是参与单位之一。"), fields={"lead_unit_id": _("请选择参与单位")})
        if lead_unit_id != case.lead_unit_id:
            consultation.decided_lead_unit_id = lead_unit_id
            data["lead_unit"] = lead_unit_id
    now = clock.now()
    consultation.status, consultation.conclusion = ConsultationStatus.CONCLUDED, text
    consultation.concluded_by, consultation.concluded_at = user, now
    consultation.save()
    event = record(case, Action.CONCLUDE, before, after, acting, at=now, note=text, data=data)
    save(case, event)
    return consultation
