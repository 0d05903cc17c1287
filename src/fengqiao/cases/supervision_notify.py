"""Who a supervision step notifies, and the messages (drafts for the notifications outbox).

Recipients: the lead unit's handlers; the dispatchers of the nearest area up the tree that has any; the
lead unit's leaders; and, from a configured level, the leaders of the case's area escalating up the
jurisdiction tree (street → district → city) to the first level that has leaders.  The directory of
people is loaded once per sweep (or for one case, for an action by hand).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from fengqiao.accounts.models import Membership
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case
from fengqiao.cases.permissions import UNIT_HANDLERS
from fengqiao.cases.supervision import Step
from fengqiao.cases.supervision_models import LeaderLevel, StepKind
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock
from fengqiao.notifications.services import Draft

ROLES = [*(r.value for r in UNIT_HANDLERS), Role.LEADER.value, Role.DISPATCHER.value]
LEVEL_UP = [LeaderLevel.STREET, LeaderLevel.DISTRICT, LeaderLevel.CITY]
SUBJECTS = {
    StepKind.REMIND: "【到期提醒】{code} 将于 {deadline} 到期",
    StepKind.URGE: "【催办】{code} 已到办理期限",
    StepKind.SUPERVISE: "【督办】{code} 超期未办结",
    "listed": "【挂牌督办】{code} 已被挂牌督办",
}
BODIES = {
    StepKind.REMIND: "案件 {code}「{title}」的办理期限为 {deadline}，请抓紧办理。",
    StepKind.URGE: "案件 {code}「{title}」已到办理期限（{deadline}），请立即办理并答复。",
    StepKind.SUPERVISE: "案件 {code}「{title}」超过办理期限（{deadline}）仍未办结，已列入督办。",
    "listed": "案件 {code}「{title}」已被领导挂牌督办：{note}",
}


@dataclass(frozen=True)
class CaseFacts:
    """What the messages and the recipients need of a case (the sweep reads them in bulk)."""

    pk: int
    code: str
    title: str
    deadline: dt.datetime | None
    lead_unit_id: int | None
    street_id: int | None
    district_id: int | None


class Directory:
    """Users by unit and area role, and the area tree above streets."""

    def __init__(self, *, unit_ids: Iterable[int] | None = None, area_ids: Iterable[int] | None = None) -> None:
        qs = Membership.objects.filter(role__in=ROLES, user__is_active=True)
        if unit_ids is not None or area_ids is not None:
            qs = qs.filter(Q(unit_id__in=list(unit_ids or [])) | Q(area_id__in=list(area_ids or [])))
        self.handlers: dict[int, set[int]] = defaultdict(set)
        self.unit_leaders: dict[int, set[int]] = defaultdict(set)
        self.area_leaders: dict[int, set[int]] = defaultdict(set)
        self.dispatchers: dict[int, set[int]] = defaultdict(set)
        for user_id, role, unit_id, area_id in qs.values_list("user_id", "role", "unit_id", "area_id"):
            if role == Role.DISPATCHER:
                if area_id is not None:
                    self.dispatchers[area_id].add(user_id)
            elif role == Role.LEADER:
                if unit_id is not None:
                    self.unit_leaders[unit_id].add(user_id)
                if area_id is not None:
                    self.area_leaders[area_id].add(user_id)
            elif unit_id is not None:
                self.handlers[unit_id].add(user_id)
        self.parent: dict[int, int | None] = dict(
            Area.objects.filter(level__in=["district", "city"]).values_list("pk", "parent_id")
        )

    @classmethod
    def for_case(cls, case: CaseFacts) -> Directory:
        areas = [a for a in (case.street_id, case.district_id) if a is not None]
        return cls(unit_ids=[case.lead_unit_id] if case.lead_unit_id else [], area_ids=[*areas, *cls._cities()])

    @staticmethod
    def _cities() -> list[int]:
        return list(Area.objects.filter(level="city").values_list("pk", flat=True))

    def chain(self, case: CaseFacts) -> list[tuple[str, int | None]]:
        """The case's areas from the street up: street, district, city."""
        city = self.parent.get(case.district_id) if case.district_id else None
        return [(LeaderLevel.STREET, case.street_id), (LeaderLevel.DISTRICT, case.district_id),
                (LeaderLevel.CITY, city)]

    def _first(self, table: dict[int, set[int]], areas: list[tuple[str, int | None]]) -> set[int]:
        for _level, area in areas:
            if area is not None and table.get(area):
                return table[area]
        return set()

    def recipients(self, case: CaseFacts, *, handlers: bool, dispatchers: bool, unit_leaders: bool,
                   area_leaders: str) -> list[int]:
        chosen: set[int] = set()
        lead = case.lead_unit_id
        if handlers and lead is not None:
            chosen |= self.handlers.get(lead, set())
        if dispatchers:
            chosen |= self._first(self.dispatchers, self.chain(case))
        if unit_leaders and lead is not None:
            chosen |= self.unit_leaders.get(lead, set())
        if area_leaders:
            start = LEVEL_UP.index(LeaderLevel(area_leaders))
            chosen |= self._first(self.area_leaders, self.chain(case)[start:])
        return sorted(chosen)


def _text(template: str, case: CaseFacts, note: str = "") -> str:
    deadline = clock.localtime(case.deadline).strftime("%m月%d日 %H:%M") if case.deadline else "—"
    return template.format(code=case.code, title=case.title[:40], deadline=deadline, note=note[:200])


def step_drafts(case: CaseFacts, step: Step, directory: Directory) -> list[Draft]:
    """The messages of a ladder step; the key names the case, the step, the deadline it was for, the
    channel and the recipient, so the same step for the same deadline never queues twice."""
    users = directory.recipients(case, handlers=step.to_handlers, dispatchers=step.to_dispatchers,
                                 unit_leaders=step.to_unit_leaders, area_leaders=step.area_leaders)
    stamp = case.deadline.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S") if case.deadline else "none"
    kind = StepKind(step.kind)
    subject, body = _text(SUBJECTS[kind], case), _text(BODIES[kind], case)
    return [
        Draft(dedup_key=f"sup:{case.pk}:{step.key}:{stamp}:{channel}:u{user}", channel=channel,
              subject=subject, body=body, kind=kind.value, recipient_id=user, case_id=case.pk)
        for user in users for channel in step.channels
    ]


def action_drafts(case: CaseFacts, *, level: int, seq: int, note: str, directory: Directory,
                  actor_id: int | None = None) -> list[Draft]:
    """The messages of a step taken by hand (催办 / 督办 by a dispatcher, 挂牌督办 by a leader), keyed by
    the case event that recorded it; the one who took it is not told."""
    channels: tuple[str, ...]
    if level >= 3:
        users = directory.recipients(case, handlers=True, dispatchers=True, unit_leaders=True,
                                     area_leaders=LeaderLevel.DISTRICT)
        kind, channels = "listed", ("in_app", "sms")
    else:
        kind = StepKind.URGE if level == 1 else StepKind.SUPERVISE
        users = directory.recipients(case, handlers=True, dispatchers=False, unit_leaders=level >= 2,
                                     area_leaders="")
        channels = ("in_app",)
    subject = _text(SUBJECTS[kind], case)
    body = _text(BODIES[kind], case, note) if kind == "listed" else f"{_text(BODIES[kind], case)}{note[:200]}"
    return [
        Draft(dedup_key=f"act:{case.pk}:{seq}:{channel}:u{user}", channel=channel, subject=subject, body=body,
              kind=str(kind), recipient_id=user, case_id=case.pk)
        for user in users if user != actor_id for channel in channels
    ]


def facts(case: Case) -> CaseFacts:
    return CaseFacts(pk=case.pk, code=case.code, title=case.title, deadline=case.deadline,
                     lead_unit_id=case.lead_unit_id, street_id=case.street_id, district_id=case.district_id)
