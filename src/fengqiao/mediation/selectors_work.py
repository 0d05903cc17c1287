"""Reads for the mediators' workbench and the judges' queue, always through ``visible(user)``: the tabs and
their rows (parties' names masked), a mediation's page (sessions, documents, timeline) and the court's
pending confirmations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases import selectors as case_selectors
from fengqiao.cases.models import CaseEvent, Party, PartyRole
from fengqiao.jurisdictions import scope
from fengqiao.kit import clock, pii
from fengqiao.mediation.models import Confirmation, ConfirmationStatus, Mediation, SessionStatus
from fengqiao.mediation.services._core import visible
from fengqiao.mediation.states import MState

S = MState


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    states: tuple[MState, ...]


TABS: list[Tab] = [
    Tab("pending", gettext_noop("待受理"), (S.APPLIED,)),
    Tab("active", gettext_noop("进行中"), (S.ACCEPTED, S.SCHEDULED, S.IN_PROGRESS)),
    Tab("sessions", gettext_noop("今日及近期调解安排"), ()),
    Tab("agreed", gettext_noop("已达成协议/待回访"), (S.AGREED, S.CONFIRMING, S.CONFIRMED, S.REFUSED)),
    Tab("closed", gettext_noop("已办结"), (S.PERFORMED, S.FAILED, S.REFERRED, S.DECLINED, S.WITHDRAWN)),
]
TAB_KEYS = [t.key for t in TABS]
SOON = dt.timedelta(days=14)  # the sessions tab: today and the next two weeks


@dataclass(frozen=True)
class Row:
    mediation: Mediation
    parties: str  # masked: 张* 诉 李*
    next_session: dt.datetime | None
    overdue: bool


def today_start() -> dt.datetime:
    return clock.at_local(clock.today(), dt.time(0, 0))


def work_list(user: User, tab: str) -> QuerySet[Mediation]:
    """The rows of a tab, with their next pending session."""
    qs = visible(user).select_related("kind", "dispute_type", "mediator", "case", "unit").annotate(
        next_session=Min("sessions__starts_at", filter=Q(sessions__status=SessionStatus.SCHEDULED)))
    if tab == "sessions":
        start = today_start()
        return qs.filter(sessions__status=SessionStatus.SCHEDULED, sessions__starts_at__gte=start,
                         sessions__starts_at__lt=start + SOON).distinct().order_by("next_session", "pk")
    found = next((t for t in TABS if t.key == tab), TABS[0])
    qs = qs.filter(status__in=[s.value for s in found.states])
    if found.key in ("pending", "active"):
        return qs.order_by("deadline", "pk")
    return qs.order_by("-concluded_at", "-applied_at", "-pk")


def tab_counts(user: User) -> dict[str, int]:
    base = visible(user)
    counts = {t.key: base.filter(status__in=[s.value for s in t.states]).count() for t in TABS if t.states}
    start = today_start()
    counts["sessions"] = base.filter(sessions__status=SessionStatus.SCHEDULED, sessions__starts_at__gte=start,
                                     sessions__starts_at__lt=start + SOON).distinct().count()
    return counts


def masked_parties(case_ids: list[int]) -> dict[int, str]:
    """'张* 诉 李*' per case: the applicants against the respondents, names masked."""
    names: dict[int, dict[str, list[str]]] = {}
    for party in Party.objects.filter(case_id__in=case_ids).order_by("pk"):
        side = "a" if party.role in (PartyRole.APPLICANT, PartyRole.REPORTER) else "r"
        names.setdefault(party.case_id, {"a": [], "r": []})[side].append(pii.mask_name(party.name))
    out = {}
    for case_id, sides in names.items():
        left, right = "、".join(sides["a"]), "、".join(sides["r"])
        out[case_id] = (_("%(left)s 诉 %(right)s") % {"left": left, "right": right}) if left and right else (
            left or right)
    return out


def rows(items: list[Mediation]) -> list[Row]:
    parties = masked_parties([m.case_id for m in items])
    now = clock.now()
    return [Row(m, parties.get(m.case_id, ""), getattr(m, "next_session", None),
                bool(m.deadline and m.deadline < now and m.state in (S.APPLIED, S.ACCEPTED, S.SCHEDULED,
                                                                     S.IN_PROGRESS)))
            for m in items]


def mediation_for(user: User, code: str) -> Mediation:
    """A mediation's page: loaded through the permission-checked loader (NotFound when out of reach)."""
    from fengqiao.mediation.services._core import access_mediation

    return access_mediation(user, code)


def timeline(user: User, mediation: Mediation) -> QuerySet[CaseEvent]:
    """The case's events the user may see (staff: all; the audiences are the case's)."""
    return case_selectors.timeline(user, mediation.case)


def party_rows(mediation: Mediation) -> list[dict[str, Any]]:
    order = {PartyRole.APPLICANT.value: 0, PartyRole.RESPONDENT.value: 1}
    found = sorted(Party.objects.filter(case_id=mediation.case_id), key=lambda p: (order.get(p.role, 2), p.pk))
    return [{"role": p.get_role_display(), "name": pii.mask_name(p.name), "phone": pii.mask_phone(p.phone)}
            for p in found]


def judge_courts(user: User) -> list[int]:
    return scope.units_of(user, Role.JUDGE)


def confirmation_queue(user: User, *, pending: bool = True) -> QuerySet[Confirmation]:
    """The confirmations of the judge's courts: pending first, by application time."""
    qs = Confirmation.objects.filter(court_id__in=judge_courts(user)).select_related(
        "mediation__kind", "mediation__unit", "mediation__mediator", "mediation__dispute_type", "court", "judge")
    if pending:
        return qs.filter(status=ConfirmationStatus.PENDING).order_by("applied_at", "pk")
    return qs.exclude(status=ConfirmationStatus.PENDING).order_by("-ruled_at", "-pk")
