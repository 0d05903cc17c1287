"""What the dispatch form proposes after the closed loop spoke: a reopened case (重办) goes back to the
unit that replied unless the dispatcher chooses another; a consultation's decided lead unit, if it is
newer than the last dispatch, is proposed as the lead."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fengqiao.cases.loop_models import Consultation, ConsultationStatus
from fengqiao.cases.models import Assignment, AssignmentRole, Case
from fengqiao.cases.states import State


def dispatch_hint(case: Case) -> dict[str, Any]:
    last_lead = (Assignment.objects.filter(case=case, role=AssignmentRole.LEAD).select_related("unit")
                 .order_by("-dispatched_at", "-pk").first())
    decided = (Consultation.objects.filter(case=case, status=ConsultationStatus.CONCLUDED,
                                           decided_lead_unit__isnull=False)
               .select_related("decided_lead_unit").order_by("-concluded_at", "-pk").first())
    if decided is not None and decided.concluded_at is not None and decided.decided_lead_unit is not None and (
            last_lead is None or decided.concluded_at > last_lead.dispatched_at):
        unit = decided.decided_lead_unit
        return {"lead_unit_id": unit.pk, "assisting_unit_ids": [],
                "routing_reason": _("会商研判确定主办单位：%(unit)s") % {"unit": unit.name},
                "routing_source": "consultation"}
    if case.state == State.REOPENED and last_lead is not None:
        return {"lead_unit_id": last_lead.unit_id, "assisting_unit_ids": [],
                "routing_reason": _("重办：默认交原主办单位 %(unit)s；如需改派，请另选单位。")
                % {"unit": last_lead.unit.name},
                "routing_source": "reopen"}
    return {}
