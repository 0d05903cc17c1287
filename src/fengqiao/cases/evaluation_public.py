"""What the citizen's evaluation doors share — the web pages (``/e/…``, web/evaluation_views.py) and the
citizen app's JSON API (``/api/evaluations/…``, cases/evaluation_api.py): the rate limits they count
against (one budget per client address, whichever door it knocks on) and the summary of the case they
show (no personal data: no names, phones, addresses or notes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop

from fengqiao.audit.models import Audience
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.states import Action, action_label
from fengqiao.kit import throttle

PAGE_GROUP, PAGE_RATE = "evaluation.page", "30/m"  # opening and submitting by link code
CODE_GROUP, CODE_RATE = "evaluation.code", "10/m"  # trying an SMS code (6 digits: guessing needs ~10^5 tries)
TOO_MANY = gettext_noop("操作过于频繁，请一分钟后再试。")


def limit_page(request: HttpRequest) -> None:
    """Count one look at (or submission of) an evaluation page; TooManyRequests over the rate."""
    throttle.hit(request, group=PAGE_GROUP, rate=PAGE_RATE, message=gettext(TOO_MANY))


def limit_code(request: HttpRequest) -> None:
    """Count one try of a tracking code and SMS code; TooManyRequests over the rate."""
    throttle.hit(request, group=CODE_GROUP, rate=CODE_RATE, message=gettext(TOO_MANY))


@dataclass(frozen=True)
class Step:
    label: str
    at: dt.datetime
    unit: str


@dataclass(frozen=True)
class Summary:
    code: str
    title: str
    reply: str
    reply_unit: str
    replied_at: dt.datetime | None
    deadline: dt.datetime  # the invitation's: the end of the evaluation period
    round: int
    steps: list[Step]


def steps(invite: EvaluationInvite) -> list[Step]:
    """The case's steps the citizen may see, as labels, units and times only (no notes, no names)."""
    events = invite.case.events.filter(audience__in=[Audience.PARTIES, Audience.PUBLIC]).select_related("unit")
    return [Step(label=_label(e.action), at=e.at,
                 unit=e.unit.name if e.unit and e.action != Action.REGISTER else "")
            for e in events.order_by("seq")]


def reply_unit(invite: EvaluationInvite) -> str:
    event = invite.case.events.filter(action=Action.REPLY).order_by("-seq").select_related("unit").first()
    return event.unit.name if event and event.unit else ""


def summary(invite: EvaluationInvite) -> Summary:
    case = invite.case
    return Summary(code=case.code, title=case.title, reply=case.reply, reply_unit=reply_unit(invite),
                   replied_at=case.replied_at, deadline=invite.expires_at, round=invite.round,
                   steps=steps(invite))


def _label(action: str) -> str:
    return action_label(action)
