"""The citizen's public evaluation pages (no login): ``/e/<code>/`` from the SMS link, and ``/e/`` where
the tracking code and the 6-digit SMS code open the same page.  Rate-limited per client address
(django-ratelimit), on the same counters as the citizen app's API (cases/evaluation_public.py); a wrong,
expired, replaced or used code, or an unsatisfied rating without a reason, gets a clear message with a 4xx
status and changes nothing (cases/services/evaluation.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fengqiao.cases import evaluation_public as public
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import Satisfaction
from fengqiao.cases.services import evaluation
from fengqiao.cases.services.evaluation import EVALUATORS
from fengqiao.kit.errors import DomainError
from fengqiao.kit.pii import mask_name
from fengqiao.kit.throttle import TooManyRequests

SESSION_KEY = "fq_evaluation_invite"


def _limited(request: HttpRequest, limit: Callable[[HttpRequest], None]) -> TooManyRequests | None:
    try:
        limit(request)
    except TooManyRequests as e:
        return e
    return None


def _page(request: HttpRequest, invite: EvaluationInvite, *, action: str, error: DomainError | None = None,
          status: int = 200) -> HttpResponse:
    case = invite.case
    reporter = min(case.parties.filter(role__in=EVALUATORS), key=lambda p: EVALUATORS.index(p.role), default=None)
    return render(request, "web/evaluate.html", {
        "case": case, "invite": invite, "timeline": public.steps(invite), "action": action, "error": error,
        "greeting": mask_name(reporter.name) if reporter else "", "choices": Satisfaction.choices,
        "reply_unit": public.reply_unit(invite),
        "chosen": request.POST.get("rating", ""), "comment": request.POST.get("comment", ""),
    }, status=status)


def _message(request: HttpRequest, error: DomainError, *, template: str = "web/evaluate_message.html") -> HttpResponse:
    response = render(request, template, {"error": error}, status=error.status)
    if isinstance(error, TooManyRequests):
        response["Retry-After"] = str(error.retry_after)
    return response


def _submit(request: HttpRequest, invite: EvaluationInvite, *, via: str, action: str) -> HttpResponse:
    try:
        case = evaluation.evaluate_by_invite(invite.pk, rating=request.POST.get("rating", ""),
                                             comment=request.POST.get("comment", ""), via=via)
    except DomainError as e:
        return _page(request, invite, action=action, error=e, status=e.status)
    request.session.pop(SESSION_KEY, None)
    return render(request, "web/evaluate_message.html",
                  {"done": True, "case": case, "rating": dict(Satisfaction.choices).get(case.satisfaction)})


@require_http_methods(["GET", "POST"])
def evaluate_link(request: HttpRequest, code: str) -> HttpResponse:
    limited = _limited(request, public.limit_page)
    if limited:
        return _message(request, limited)
    try:
        invite = evaluation.invite_by_link(code)
    except DomainError as e:
        return _message(request, e)
    if request.method == "POST":
        return _submit(request, invite, via="link", action=request.path)
    return _page(request, invite, action=request.path)


@require_http_methods(["GET", "POST"])
def evaluate_code(request: HttpRequest) -> HttpResponse:
    """Step one of the SMS flow: the tracking code and the 6-digit code."""
    context: dict[str, Any] = {"case_code": request.POST.get("case_code", ""), "error": None}
    if request.method == "POST":
        limited = _limited(request, public.limit_code)
        if limited:
            return _message(request, limited)
        try:
            invite = evaluation.invite_by_sms(request.POST.get("case_code", ""), request.POST.get("sms_code", ""))
        except DomainError as e:
            context["error"] = e
            return render(request, "web/evaluate_code.html", context, status=e.status)
        request.session[SESSION_KEY] = invite.pk
        return redirect("evaluate_sms")
    return render(request, "web/evaluate_code.html", context)


@require_http_methods(["GET", "POST"])
def evaluate_sms(request: HttpRequest) -> HttpResponse:
    """Step two: the evaluation page of the invitation the SMS code opened in this session."""
    limited = _limited(request, public.limit_page)
    if limited:
        return _message(request, limited)
    try:
        invite = evaluation.invite_by_id(request.session.get(SESSION_KEY))
    except DomainError as e:
        return _message(request, e)
    if request.method == "POST":
        return _submit(request, invite, via="sms", action=request.path)
    return _page(request, invite, action=request.path)
