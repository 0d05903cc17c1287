"""Review-due reminders: an in-app message to the responsible leader and to the responsible unit's people
(its handlers and leaders) for every entry whose ``next_review_at`` has passed.  Once per due date: the
outbox's dedup key names the entry and the due moment, so a sweep that runs again queues nothing new, and a
review (which moves ``next_review_at``) makes the next overdue date remind again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership
from fengqiao.accounts.roles import Role
from fengqiao.kit import clock
from fengqiao.notifications import services as notifications
from fengqiao.notifications.models import Channel
from fengqiao.risk.models import RiskEntry
from fengqiao.risk.states import REVIEWED

KIND = "risk_review"
UNIT_ROLES = (Role.HANDLER.value, Role.LEADER.value)


@dataclass(frozen=True)
class SweepResult:
    entries: int  # overdue entries looked at
    queued: int  # messages offered to the outbox (duplicates of earlier sweeps are dropped there)


def dedup_key(entry_id: int, due: dt.datetime, user_id: int) -> str:
    return f"risk:review:{entry_id}:{int(due.timestamp())}:u{user_id}"


@transaction.atomic
def sweep() -> SweepResult:
    now = clock.now()
    rows = list(RiskEntry.objects.filter(status__in=sorted(REVIEWED), next_review_at__lt=now)
                .order_by("next_review_at")
                .values_list("pk", "code", "title", "next_review_at", "responsible_leader_id", "responsible_unit_id",
                             "case_id"))
    unit_ids = sorted({r[5] for r in rows if r[5] is not None})
    people: dict[int, set[int]] = {}
    for unit_id, user_id in (Membership.objects.filter(unit_id__in=unit_ids, role__in=UNIT_ROLES,
                                                       user__is_active=True).values_list("unit_id", "user_id")):
        people.setdefault(unit_id, set()).add(user_id)
    drafts = []
    with translation.override("zh-hans"):  # staff messages are written in Chinese
        for pk, code, title, due, leader_id, unit_id, case_id in rows:
            assert due is not None  # filtered on it
            days = max(0, (clock.localtime(now).date() - clock.localtime(due).date()).days)
            subject = _("风险复核逾期：%(code)s") % {"code": code}
            body = _("「%(title)s」应于 %(due)s 复核，已逾期 %(days)s 天，请尽快复核并记录。") % {
                "title": title, "due": f"{clock.localtime(due):%Y-%m-%d}", "days": days}
            recipients = set(people.get(unit_id, set())) if unit_id is not None else set()
            if leader_id is not None:
                recipients.add(leader_id)
            drafts += [notifications.Draft(dedup_key=dedup_key(pk, due, user_id), channel=Channel.IN_APP,
                                           subject=subject, body=body, kind=KIND, recipient_id=user_id,
                                           unit_id=unit_id, case_id=case_id)
                       for user_id in sorted(recipients)]
    return SweepResult(entries=len(rows), queued=notifications.queue(drafts))
