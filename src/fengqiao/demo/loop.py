"""The closed loop in motion on the demo's newest cases, through the real services (issue 4).

The generated history writes a year of cases directly; what is *open* today should look like a working
command centre: a few dispatches disputed (申辩待裁定), weak replies held for a department's leader (答复待审),
a joint consultation with tasks (会商研判), evaluation invitations sent to reporters (回访评价), the supervision
ladder run once over the open cases (reminders, 催办, 督办, with their notifications), and the monthly
ranking computed for every month of the history (考核排名).  Each of these is one call of the same service a
user's click makes, so every one writes its chained event.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from fengqiao.accounts.models import User
from fengqiao.analytics import rollup
from fengqiao.cases.models import Case
from fengqiao.cases.services import consultation, disputes
from fengqiao.cases.services import evaluation as evaluations
from fengqiao.cases.services._core import lock_case
from fengqiao.cases.states import State
from fengqiao.cases.supervision_sweep import sweep
from fengqiao.demo.units import Org
from fengqiao.intelligence import reply_review
from fengqiao.intelligence.models import ReplyReviewStatus
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError
from fengqiao.notifications.sending import send_due

DISPUTES = 4
HELD_REPLIES = 3
INVITES = 40

DISPUTE_REASON = ("经核实，反映的「{topic}」事项不属于本单位法定职责；依据属地管理原则，应由{street}牵头处理，"
                  "本单位可配合提供政策依据。申请改派。")
WEAK_REPLIES = (
    "您好，您反映的问题已收悉，我们会尽快处理。",
    "已转相关科室，请耐心等待。",
    "您好，此事正在处理中，感谢您的理解与支持。",
)


@dataclass
class Shown:
    """What the demo's visitor may want to try, printed with the logins."""

    invites: list[tuple[str, str, str]] = field(default_factory=list)  # (case code, link code, SMS code)
    counts: Counter[str] = field(default_factory=Counter)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _newest(state: State, unit_ids: list[int]) -> list[Case]:
    """The newest cases in ``state`` led by one of ``unit_ids`` (not a mediation's: its own workflow moves it)."""
    return list(Case.objects.filter(status=state, lead_unit_id__in=unit_ids, mediation__isnull=True)
                .select_related("street", "category")
                .order_by("-registered_at", "-pk")[:50])


def _disputes(org: Org, shown: Shown) -> None:
    """Departments dispute a few fresh dispatches: the dispatcher's 申辩待裁定 tab."""
    by_unit = {unit.pk: abbr for abbr, unit in org.city.items()}
    done = 0
    for case in _newest(State.DISPATCHED, sorted(by_unit)):
        lead = case.lead_unit_id
        if lead is None or lead not in by_unit:
            continue
        try:
            with transaction.atomic():
                topic = case.category.name if case.category else case.title[:20]
                street = case.street.name if case.street else "属地镇街"
                disputes.dispute(_user(f"handler_{by_unit[lead]}"), case.pk,
                                 reason=DISPUTE_REASON.format(topic=topic, street=street))
        except (DomainError, User.DoesNotExist):
            continue
        done += 1
        if done == DISPUTES:
            break
    shown.counts["loop.disputes"] = done


def _held_replies(org: Org, shown: Shown) -> None:
    """The housing bureau's handler replies weakly to a few cases: held for leader_zjj (答复待审)."""
    unit = org.city["zjj"]
    handler = _user("handler_zjj")
    held = 0
    for case in _newest(State.ACCEPTED, [unit.pk]):
        if case.consultations.exists():
            continue
        with transaction.atomic():
            review = reply_review.submit_reply(handler, case.pk, text=WEAK_REPLIES[held % len(WEAK_REPLIES)])
        if review.status == ReplyReviewStatus.PENDING:
            held += 1
        if held == HELD_REPLIES:
            break
    shown.counts["loop.held_replies"] = held


def _consultation(org: Org, shown: Shown) -> None:
    """The command centre convenes the housing, planning and street units on a hard case (会商研判)."""
    dispatcher = _user("dispatcher")
    zjj, zrzy = org.city["zjj"], org.city["zrzy"]
    for case in _newest(State.ACCEPTED, [zjj.pk]):
        if case.consultations.exists() or case.street is None:
            continue
        street_unit = org.streets.get(case.street.code)
        units = [zjj.pk, zrzy.pk] + ([street_unit.pk] if street_unit else [])
        tasks = [consultation.TaskInput(unit_id=zrzy.pk, working_days=5,
                                        text="调取该地块规划许可及验收资料，核实是否存在违规建设"),
                 consultation.TaskInput(unit_id=units[-1], working_days=3,
                                        text="组织业主代表、物业和建设单位现场协调，形成会议纪要")]
        try:
            with transaction.atomic():
                consultation.convene(dispatcher, case.pk, topic="多部门职责交叉，会商明确主办单位和处置方案",
                                     unit_ids=units, tasks=tasks)
        except DomainError:
            continue
        shown.counts["loop.consultations"] = 1
        return


def _invites(shown: Shown) -> None:
    """Invitations for the newest replied cases (the history wrote their replies directly): SMS queued to
    the reporters; three of them are printed with the logins so a visitor can evaluate as the citizen."""
    issued = 0
    for case_id in (Case.objects.filter(status=State.REPLIED, evaluation_invites__isnull=True)
                    .order_by("-replied_at").values_list("pk", flat=True)[:INVITES]):
        with transaction.atomic():
            case = lock_case(case_id)
            made = evaluations.issue_invite(case)
        issued += 1
        if len(shown.invites) < 3:
            shown.invites.append((case.code, made.link_code, made.sms_code))
    shown.counts["loop.invites"] = issued


def _ranking(shown: Shown, since: dt.datetime) -> None:
    month = since.date().replace(day=1)
    last = clock.localtime(clock.now()).date().replace(day=1)
    while month <= last:
        rollup.ensure_month(month, force=True)
        shown.counts["loop.ranking_months"] += 1
        month = (month + dt.timedelta(days=32)).replace(day=1)


def animate(org: Org, say: Callable[[str], None]) -> Shown:
    shown = Shown()
    _disputes(org, shown)
    _consultation(org, shown)
    _held_replies(org, shown)
    _invites(shown)
    result = sweep()
    shown.counts["loop.supervision_events"] = result.events
    senders = logging.getLogger("fengqiao.notifications.senders")
    level = senders.level
    senders.setLevel(logging.WARNING)  # not a line per development SMS in the demo's output
    try:
        shown.counts["loop.notifications_sent"] = send_due(limit=100_000).sent
    finally:
        senders.setLevel(level)
    first = Case.objects.order_by("registered_at").values_list("registered_at", flat=True).first()
    if first is not None:
        _ranking(shown, clock.localtime(first))
    say("  " + "，".join(f"{k.removeprefix('loop.')} {v}" for k, v in sorted(shown.counts.items())))
    return shown

