"""Routing suggestions on screen: top-3 categories and the lead unit while a matter is being registered,
and the suggested lead unit preselected in the dispatch form when the model is confident."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from fengqiao.intelligence import router
from fengqiao.web.context import can_register
from fengqiao.web.views import current_user

MAX_TEXT = 5000


def _extra(case: Case) -> dict[str, str]:
    return {"district": case.district.name if case.district else "",
            "street": case.street.name if case.street else ""}


@login_required
def suggest_partial(request: HttpRequest) -> HttpResponse:
    """The htmx fragment under the description: what the models suggest for the text typed so far."""
    user = current_user(request)
    if not can_register(user):
        return HttpResponse(status=403)
    text = " ".join(request.GET.get(k, "") for k in ("title", "description")).strip()[:MAX_TEXT]
    context: dict[str, Any] = {"text": text, "threshold": router.confidence_threshold()}
    if text:
        context["suggestion"] = router.suggest(text)
        context["installed"] = context["suggestion"] is not None
    return render(request, "web/_suggest.html", context)


def _disputed_by(case: Case, unit_id: int) -> bool:
    """The unit is disputing the case now, or its dispute of this case was accepted."""
    from fengqiao.cases.routing_models import Dispute, DisputeStatus

    if case.state == State.DISPUTED and unit_id == case.lead_unit_id:
        return True
    return Dispute.objects.filter(case=case, unit_id=unit_id, status=DisputeStatus.ACCEPTED).exists()


def dispatch_initial(case: Case) -> dict[str, Any]:
    """The units routing resolves for this case (rule → confident model → district fallback, see
    docs/routing.md) and the reason shown above the form; only the reason when nothing resolves."""
    from fengqiao.cases import routing

    found = routing.resolve(case)
    if found.lead is not None and _disputed_by(case, found.lead.pk):
        # the resolved unit disputed this case: accepting the dispute means choosing another one
        return {"routing_reason": _("%(reason)s（该单位已申辩，请改派其他单位）") % {"reason": found.reason},
                "routing_source": "none"}
    if found.lead is None:
        return {"routing_reason": found.reason}
    return {"lead_unit_id": found.lead.pk, "assisting_unit_ids": [u.pk for u in found.assisting],
            "routing_reason": found.reason, "routing_source": found.source}
