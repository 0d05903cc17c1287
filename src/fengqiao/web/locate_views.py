"""地址识别: the registration form asks where a typed address is (htmx partial), as the operator types."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from fengqiao.intake import gazetteer
from fengqiao.web import lookups
from fengqiao.web.context import can_register
from fengqiao.web.views import current_user

# the address input of the registration form: ask after a pause in typing, and when it changes
ADDRESS_ATTRS = {
    "hx-get": reverse_lazy("locate_address"), "hx-trigger": "input changed delay:500ms, change",
    "hx-target": "#locate-result", "hx-swap": "innerHTML", "hx-sync": "this:replace", "autocomplete": "off",
}


@login_required
@require_GET
def locate_address(request: HttpRequest) -> HttpResponse:
    if not can_register(current_user(request)):
        return HttpResponse(status=403)
    address = request.GET.get("address", "")[:200]
    found = gazetteer.locate(address) if address.strip() else None
    context: dict[str, object] = {"address": address.strip(), "found": found}
    if found is not None:
        context |= {"names": gazetteer.chain_names(found), "percent": round(found.score * 100),
                    "sure": found.grid_id is not None and found.score >= gazetteer.THRESHOLD,
                    "grid_name": gazetteer.chain_names(found)[-1] if found.grid_id else ""}
    return render(request, "web/_locate_result.html", context)


@login_required
@require_GET
def street_grids(request: HttpRequest, street_id: int) -> HttpResponse:
    """The grids of a street (GeoJSON), when a city-wide operator opens it on the registration map."""
    user = current_user(request)
    if not can_register(user):
        return HttpResponse(status=403)
    found = lookups.street_grids(user, street_id)
    if found is None:
        raise Http404("没有这个镇街，或不在您的范围内。")
    return JsonResponse(found)
