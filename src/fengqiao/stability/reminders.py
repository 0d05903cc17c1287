"""Measure reminders: an in-app message to the responsible unit's people (its handlers and leaders) for every
prevention and mitigation measure (防范化解措施) not yet carried out whose deadline is near (``DUE_SOON_DAYS``
or less to go) or has passed.  Once per deadline and stage: the outbox's dedup key names the measure, its
deadline, the stage (soon / overdue) and the recipient, so a sweep that runs again queues nothing new and a
measure reminds at most twice — when it falls due soon and when it is overdue.

Reminded: the measures of decisions still carried out with them — being set (措施), concluded, reported or
tracked (跟踪) — not of decisions closed or withdrawn, nor concluded 暂缓 / 不予实施 (nothing to carry out)."""

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
from fengqiao.stability.models import Measure
from fengqiao.stability.states import Conclusion, DState

KIND = "stability_measure"
DUE_SOON_DAYS = 3
UNIT_ROLES = (Role.HANDLER.value, Role.LEADER.value)
LIVE = (DState.MEASURES, DState.CONCLUDED, DState.REPORTED, DState.TRACKING)
NOT_CARRIED_OUT = (Conclusion.POSTPONE, Conclusion.STOP)


@dataclass(frozen=True)
class SweepResult:
    measures: int  # measures due soon or overdue looked at
    queued: int  # messages offered to the outbox (duplicates of earlier sweeps are dropped there)


def dedup_key(measure_id: int, deadline: dt.date, stage: str, user_id: int) -> str:
    return f"stability:measure:{measure_id}:{deadline.isoformat()}:{stage}:u{user_id}"


def _texts(code: str, title: str, description: str, deadline: dt.date, today: dt.date) -> tuple[str, str, str]:
    """(stage, subject, body) of one measure's reminder, in Chinese (staff messages)."""
    what = description if len(description) <= 40 else f"{description[:40]}…"
    left = (deadline - today).days
    if left < 0:
        return ("overdue", _("稳评措施逾期：%(code)s") % {"code": code},
                _("「%(title)s」的防范化解措施「%(what)s」应于 %(due)s 前落实，已逾期 %(days)s 天，"
                  "请尽快落实并在跟踪中记录。") % {"title": title, "what": what, "due": deadline.isoformat(),
                                        "days": -left})
    when = _("今天到期") if left == 0 else _("还剩 %(days)s 天") % {"days": left}
    return ("soon", _("稳评措施即将到期：%(code)s") % {"code": code},
            _("「%(title)s」的防范化解措施「%(what)s」应于 %(due)s 前落实，%(when)s，请抓紧落实并在跟踪中记录。")
            % {"title": title, "what": what, "due": deadline.isoformat(), "when": when})


@transaction.atomic
def sweep() -> SweepResult:
    today = clock.today()
    rows = list(Measure.objects.filter(done_at__isnull=True, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
                                       decision__status__in=[s.value for s in LIVE])
                .exclude(decision__conclusion__in=[c.value for c in NOT_CARRIED_OUT])
                .order_by("deadline", "pk")
                .values_list("pk", "deadline", "description", "responsible_unit_id", "decision__code",
                             "decision__title"))
    unit_ids = sorted({r[3] for r in rows})
    people: dict[int, set[int]] = {}
    for unit_id, user_id in (Membership.objects.filter(unit_id__in=unit_ids, role__in=UNIT_ROLES,
                                                       user__is_active=True).values_list("unit_id", "user_id")):
        people.setdefault(unit_id, set()).add(user_id)
    drafts = []
    with translation.override("zh-hans"):  # staff messages are written in Chinese
        for pk, deadline, description, unit_id, code, title in rows:
            stage, subject, body = _texts(code, title, description, deadline, today)
            drafts += [notifications.Draft(dedup_key=dedup_key(pk, deadline, stage, user_id), channel=Channel.IN_APP,
                                           subject=subject, body=body, kind=KIND, recipient_id=user_id,
                                           unit_id=unit_id)
                       for user_id in sorted(people.get(unit_id, set()))]
    return SweepResult(measures=len(rows), queued=notifications.queue(drafts))
