"""Routing suggestions on screen: top-3 categories and the lead unit while a matter is being registered,
and the suggested lead unit preselected in the dispatch form when the model is confident."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fengqiao.cases.models import Case
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


def dispatch_initial(case: Case) -> dict[str, Any]:
    """``{"lead_unit_id": …}`` when the unit model is confident about this case, else nothing."""
    try:
        suggestion = router.suggest(f"{case.title} | {case.description}", _extra(case))
    except Exception:  # a broken model file must not take the case page down
        import logging

        logging.getLogger(__name__).exception("router: suggestion failed for case %s", case.pk)
        return {}
    if suggestion is None or not suggestion.units:
        return {}
    unit_id, _name, probability = suggestion.units[0]
    return {"lead_unit_id": unit_id} if probability >= router.confidence_threshold() else {}
