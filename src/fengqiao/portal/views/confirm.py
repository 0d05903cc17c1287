"""申请司法确认 (/portal/track/<code>/confirmation/): the applicant names the court, confirms both parties
agree, and types in each respondent's consent code (sent to the respondent's phone).  Wrong consent codes
count against guessing as sign-in codes do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from fengqiao.kit.errors import DomainError
from fengqiao.kit.throttle import TooManyRequests
from fengqiao.mediation.models import Mediation
from fengqiao.mediation.services._core import Citizen
from fengqiao.mediation.services.confirmation import courts
from fengqiao.portal import joint, lockout, verification
from fengqiao.portal.doors import SEND_GROUP, SEND_RATE
from fengqiao.portal.views._common import ACT_GROUP, ACT_RATE, hit, page
from fengqiao.portal.views.actions import party_page


def _consents(request: HttpRequest) -> dict[int, str]:
    return {int(k.removeprefix("consent_")): request.POST.get(k, "") for k in request.POST
            if k.startswith("consent_") and k.removeprefix("consent_").isdigit()}


def _counters(request: HttpRequest, mediation: Mediation) -> list[lockout.Counter]:
    phones = [verification.phone_hash(p.phone) for p in joint.respondent_parties(mediation) if p.phone]
    return [lockout.by_address("phone_code", request), *(lockout.by_phone("phone_code", h) for h in phones)]


def _apply(request: HttpRequest, citizen: Any, mediation: Mediation) -> Mediation:
    counters = _counters(request, mediation)
    lockout.check(*counters)
    hit(request, ACT_GROUP, ACT_RATE)
    court = request.POST.get("court", "")
    try:
        return joint.apply_jointly(citizen, mediation.code, court_id=int(court) if court.isdigit() else None,
                                   agree=bool(request.POST.get("joint")), consents=_consents(request),
                                   note=request.POST.get("note", ""))
    except joint.ConsentRefused as e:
        if e.wrong_codes:
            lockout.fail(*counters)
            lockout.check(*counters)
        raise


@party_page
def confirmation(request: HttpRequest, citizen: Citizen, mediation: Mediation) -> HttpResponse:
    error: DomainError | None = None
    sent = False
    if request.method == "POST":
        try:
            if request.POST.get("send"):
                hit(request, SEND_GROUP, SEND_RATE)
                n = joint.send_consents(citizen, mediation.code)
                sent = True
                messages.info(request, _("已向 %(n)s 位被申请人的手机发送同意验证码，请对方将验证码告诉您。")
                              % {"n": n})
            else:
                _apply(request, citizen, mediation)
                messages.success(request, _("司法确认申请已提交，法院审查后将短信通知双方。"))
                return redirect("portal:track", code=mediation.code)
        except DomainError as e:
            error = e
    context = {
        "m": mediation, "error": error, "sent": sent, "courts": courts(),
        "respondents": [{"r": r, "error": error.fields.get(f"consent_{r.pk}", "") if error else ""}
                        for r in joint.respondents(mediation)],
        "values": request.POST,
        "allowed": mediation.status == "agreed" and mediation.kind.has_step("confirm"),
    }
    response = page(request, "portal/confirmation.html", context, status=error.status if error else 200)
    if isinstance(error, TooManyRequests):
        response["Retry-After"] = str(error.retry_after)
    return response
