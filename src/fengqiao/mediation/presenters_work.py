"""What the mediation page shows, put together from the selectors: tones for the states, the eight facts
of 阳光调解, the sessions, documents and the case's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from fengqiao.accounts.models import User
from fengqiao.cases.models import CaseEvent
from fengqiao.kit import clock
from fengqiao.mediation import selectors_work as sel
from fengqiao.mediation.models import Agreement, Confirmation, Mediation, Referral
from fengqiao.mediation.states import MState
from fengqiao.web import presenters

S = MState
TONES = {
    S.APPLIED: "blue", S.ACCEPTED: "indigo", S.SCHEDULED: "teal", S.IN_PROGRESS: "teal", S.AGREED: "green",
    S.CONFIRMING: "purple", S.CONFIRMED: "green", S.REFUSED: "orange", S.PERFORMED: "green", S.FAILED: "red",
    S.REFERRED: "orange", S.DECLINED: "grey", S.WITHDRAWN: "grey",
}
# the lifecycle shown as a progress line: (label, states reached at that point)
STAGES = [
    (gettext_noop("申请"), set(S)),
    (gettext_noop("受理"), set(S) - {S.APPLIED, S.DECLINED, S.WITHDRAWN}),
    (gettext_noop("调解"), {S.SCHEDULED, S.IN_PROGRESS, S.AGREED, S.CONFIRMING, S.CONFIRMED, S.REFUSED, S.PERFORMED,
                           S.FAILED, S.REFERRED}),
    (gettext_noop("结果"), {S.AGREED, S.CONFIRMING, S.CONFIRMED, S.REFUSED, S.PERFORMED, S.FAILED, S.REFERRED}),
    (gettext_noop("履行"), {S.PERFORMED}),
]


@dataclass(frozen=True)
class Entry:
    event: CaseEvent
    label: str
    role: str
    facts: list[str]
    internal: bool


def _one(mediation: Mediation, name: str) -> Any:
    try:
        return getattr(mediation, name)
    except (Agreement.DoesNotExist, Confirmation.DoesNotExist, Referral.DoesNotExist):
        return None


def transparency(mediation: Mediation, agreement: Agreement | None) -> list[tuple[str, str]]:
    """阳光调解: organisation, personnel, duties, demand, legal basis, consultation, process, result."""
    unit = mediation.unit
    mediator = mediation.mediator
    held = [s for s in mediation.sessions.all() if s.status == "held"]
    result = {S.AGREED: _("达成协议"), S.CONFIRMED: _("达成协议，经司法确认有效"), S.PERFORMED: _("协议已履行")}
    outcome = str(result.get(mediation.state, mediation.get_status_display()))
    if mediation.outcome_note and mediation.state in (S.FAILED, S.REFERRED, S.DECLINED):
        outcome += f"：{mediation.outcome_note}"
    return [
        (_("组织"), f"{unit.name}{'（' + unit.phone + '）' if unit and unit.phone else ''}" if unit else "—"),
        (_("人员"), f"{mediator.name} · {mediator.get_kind_display()}" if mediator else _("待指定")),
        (_("职责"), mediation.kind.duties or mediation.kind.name),
        (_("诉求"), mediation.demand or "—"),
        (pgettext("transparency dimension", "依据"), mediation.legal_basis or "—"),
        (_("征询"), _("已征询双方意见 %(n)s 次（线下调解）") % {"n": len(held)} if held else _("尚未进行线下调解")),
        (_("过程"), mediation.get_status_display()),
        (_("结果"), outcome if mediation.concluded_at or mediation.state == S.DECLINED else _("尚无结果")),
    ]


def timeline(user: User, mediation: Mediation) -> list[Entry]:
    return [Entry(e, presenters.action_label(e.action), presenters.role_label(e.actor_role),
                  presenters.event_details(e), e.audience == "internal")
            for e in sel.timeline(user, mediation)]


def detail_context(user: User, mediation: Mediation) -> dict[str, Any]:
    agreement = _one(mediation, "agreement")
    confirmation = _one(mediation, "confirmation")
    state = mediation.state
    sessions = list(mediation.sessions.select_related("scheduled_by", "recorded_by").order_by("seq"))
    return {
        "m": mediation, "case": mediation.case, "tone": TONES.get(state, "grey"),
        "stages": [{"label": _(label), "done": state in states} for label, states in STAGES],
        "parties": sel.party_rows(mediation), "transparency": transparency(mediation, agreement),
        "sessions": sessions, "pending_session": next((x for x in sessions if x.status == "scheduled"), None),
        "agreement": agreement, "confirmation": confirmation, "referral": _one(mediation, "referral"),
        "follow_ups": list(mediation.follow_ups.select_related("by").order_by("at")),
        "timeline": timeline(user, mediation),
        "overdue": bool(mediation.deadline and state in (S.APPLIED, S.ACCEPTED, S.SCHEDULED, S.IN_PROGRESS)
                        and mediation.deadline < clock.now()),
        "is_judge": bool(sel.judge_courts(user)),
    }
