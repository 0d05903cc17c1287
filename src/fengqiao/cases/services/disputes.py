"""申辩: the lead unit disputes a dispatch ("not our duty"), with a reason; the dispatcher upholds the
dispatch (the unit must handle it, its sign-for deadline runs on) or accepts the dispute by re-dispatching
the case (``services.dispatch`` on a disputed case), optionally proposing a routing rule."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case
from fengqiao.cases.routing_models import Dispute, DisputeStatus, RoutingRule
from fengqiao.cases.services._core import (
    access_case,
    authorize,
    check_version,
    record,
    require_text,
    save,
    transition,
)
from fengqiao.cases.states import Action
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, ValidationFailed

MIN_REASON = 4


@transaction.atomic
def dispute(user: User, case_id: int | str, *, reason: str, expected_version: int | None = None) -> Case:
    """The lead unit disputes the dispatch.  Once per dispatch: a dispute the dispatcher dismissed is final."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.DISPUTE)
    before, after = transition(case, Action.DISPUTE)
    text = require_text(reason, "reason", _("申辩理由"), max_length=1000, min_length=MIN_REASON)
    if case.dispatched_at and Dispute.objects.filter(
        case=case, unit=acting.unit, status=DisputeStatus.DISMISSED, raised_at__gte=case.dispatched_at,
    ).exists():
        raise Conflict(_("本次交办的申辩已被裁定不成立，不能再次申辩；如确有理由，请退回并写明理由。"))
    now = clock.now()
    assert acting.unit is not None  # DISPUTE is a unit action (LEAD_UNIT_ACTIONS)
    row = Dispute.objects.create(case=case, unit=acting.unit, reason=text, raised_by=user, raised_at=now)
    event = record(case, Action.DISPUTE, before, after, acting, at=now, note=text,
                   data={"dispute": row.pk, "unit_name": acting.unit.name})
    save(case, event)
    return case


def _pending(case: Case) -> Dispute:
    row = Dispute.objects.select_for_update().filter(case=case, status=DisputeStatus.PENDING).order_by("-pk").first()
    if row is None:  # the state says disputed, so a pending row exists unless the data was edited by hand
        raise Conflict(_("没有待裁定的申辩。"))
    return row


@transaction.atomic
def dismiss_dispute(user: User, case_id: int | str, *, note: str = "", expected_version: int | None = None) -> Case:
    """申辩不成立: the dispatch stands; the unit signs for it (its sign-for deadline was never stopped)."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.DISMISS_DISPUTE)
    before, after = transition(case, Action.DISMISS_DISPUTE)
    text = (note or "").strip()
    if len(text) > 1000:
        raise ValidationFailed(_("裁定意见不能超过 1000 字。"), fields={"text": _("不能超过 1000 字")})
    now = clock.now()
    row = _pending(case)
    row.status, row.decided_by, row.decided_at, row.decision_note = DisputeStatus.DISMISSED, user, now, text
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    event = record(case, Action.DISMISS_DISPUTE, before, after, acting, at=now, note=text,
                   data={"dispute": row.pk, "unit_name": row.unit.name})
    save(case, event)
    return case


def accept_pending_dispute(case: Case, user: User, lead: Unit, *, note: str, propose_rule: bool) -> dict[str, Any]:
    """申辩成立 (called by ``dispatch`` on a disputed case): the data its re-dispatch event carries."""
    row = _pending(case)
    if lead.pk == row.unit_id:
        raise ValidationFailed(_("申辩成立时应改派其他单位；如维持原单位，请选择「申辩不成立，维持交办」。"),
                               fields={"lead_unit": _("请选择其他单位")})
    rule = _propose_rule(case, lead, row) if propose_rule else None
    row.status, row.decided_by, row.decided_at = DisputeStatus.ACCEPTED, user, clock.now()
    row.decision_note, row.redispatched_to, row.proposed_rule = note.strip()[:1000], lead, rule
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "redispatched_to",
                            "proposed_rule"])
    data: dict[str, Any] = {"dispute": row.pk, "dispute_accepted": True, "disputed_unit_name": row.unit.name}
    if rule is not None:
        data["proposed_rule"] = rule.pk
    return data


def _propose_rule(case: Case, lead: Unit, row: Dispute) -> RoutingRule | None:
    """An inactive rule (category × the case's street, else district) to ``lead`` for an administrator."""
    area = case.street or case.district
    if case.category is None or area is None:
        return None
    rule, created = RoutingRule.objects.get_or_create(
        category=case.category, area=area,
        defaults={"lead_unit": lead, "active": False, "note": f"申辩提出（{case.code}，原单位 {row.unit.name}）"},
    )
    return rule if created else None
