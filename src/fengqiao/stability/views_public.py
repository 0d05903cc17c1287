"""The public consultation page (/stability/public/<code>/): no account; a decision's title, content, scope
and period while its consultation is public and open, and a form for one opinion.  Every look and every
submission counts against the client address's limits (kit/throttle.py), so the page cannot be flooded."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fengqiao.kit import throttle
from fengqiao.kit.errors import DomainError
from fengqiao.stability import public
from fengqiao.stability.forms import PublicOpinionForm
from fengqiao.web.forms import apply_domain_error

PAGE_GROUP, PAGE_RATE = "stability.public.page", "60/m"
SUBMIT_GROUP, SUBMIT_RATE = "stability.public.submit", "5/m"
SUBMIT_HOUR_GROUP, SUBMIT_HOUR_RATE = "stability.public.submit.hour", "30/h"
TOO_MANY = gettext_noop("提交过于频繁，请稍后再试。")


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = render(request, "stability/public.html", {"error": error}, status=error.status)
    if isinstance(error, throttle.TooManyRequests):
        response["Retry-After"] = str(error.retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def public_consultation(request: HttpRequest, code: str) -> HttpResponse:
    try:
        throttle.hit(request, group=PAGE_GROUP, rate=PAGE_RATE, message=_(TOO_MANY))
        decision = public.open_decision(code)
    except DomainError as e:
        return _refused(request, e)
    form = PublicOpinionForm(request.POST or None)
    status, sent = 200, False
    if request.method == "POST":
        try:
            throttle.hit(request, group=SUBMIT_GROUP, rate=SUBMIT_RATE, message=_(TOO_MANY))
            throttle.hit(request, group=SUBMIT_HOUR_GROUP, rate=SUBMIT_HOUR_RATE, message=_(TOO_MANY))
        except DomainError as e:
            return _refused(request, e)
        if form.is_valid():
            v = form.cleaned_data
            try:
                public.submit(code, stance=v["stance"], text=v["text"], name=v["name"], phone=v["phone"])
            except DomainError as e:
                apply_domain_error(form, e)
                status = e.status
            else:
                sent, form = True, PublicOpinionForm()
        else:
            status = 400
    return render(request, "stability/public.html", {
        "d": decision, "form": form, "sent": sent, "open": public.is_open(decision),
        "areas": [a.name for a in decision.areas.order_by("path")],
    }, status=status)
