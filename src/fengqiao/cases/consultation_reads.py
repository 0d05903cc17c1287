"""Reads of joint consultations (会商研判): who takes part, and what the case page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from fengqiao.cases.loop_models import (
    Consultation,
    ConsultationParticipant,
    ConsultationStatus,
    ConsultationTask,
    TaskStatus,
)
from fengqiao.cases.models import Case


def cases_taking_part(unit_ids: list[int]) -> QuerySet[Case]:
    """Case ids (a sub-query) on which one of the units takes part in a consultation now: the
    consultation is open, or the unit still has an open follow-up task from it."""
    open_part = ConsultationParticipant.objects.filter(
        unit_id__in=unit_ids, consultation__status=ConsultationStatus.OPEN,
    ).values("consultation__case_id")
    open_task = ConsultationTask.objects.filter(unit_id__in=unit_ids, status=TaskStatus.OPEN).values(
        "consultation__case_id"
    )
    return Case.objects.filter(Q(id__in=open_part) | Q(id__in=open_task)).values("id")  # type: ignore[return-value]


@dataclass(frozen=True)
class TaskView:
    task: ConsultationTask
    overdue: bool


@dataclass(frozen=True)
class ConsultationView:
    consultation: Consultation
    units: list[str]
    people: list[str]
    tasks: list[TaskView]


def for_case(case: Case, now: dt.datetime) -> list[ConsultationView]:
    """The case's consultations, newest first, with participants and tasks; a task past its deadline and
    not done shows as overdue."""
    rows = (Consultation.objects.filter(case=case)
            .select_related("convened_by", "decided_lead_unit", "concluded_by")
            .prefetch_related("participants__unit", "participants__user", "tasks__unit")
            .order_by("-convened_at", "-pk"))
    views = []
    for c in rows:
        parts = sorted(c.participants.all(), key=lambda p: p.pk)
        tasks = sorted(c.tasks.all(), key=lambda t: (t.deadline, t.pk))
        views.append(ConsultationView(
            consultation=c,
            units=[p.unit.name for p in parts],
            people=[str(p.user) for p in parts if p.user is not None],
            tasks=[TaskView(t, t.status == TaskStatus.OPEN and t.deadline < now) for t in tasks],
        ))
    return views
