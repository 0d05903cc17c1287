"""The citizen's public evaluation pages (no login): ``/e/<code>/`` from the SMS link, and ``/e/`` where
the tracking code and the 6-digit SMS code open the same page.  Rate-limited per client address
(django-ratelimit); a wrong, expired or used code, or an unsatisfied rating without a reason, gets a
clear message with a 4xx status and changes nothing (cases/services/evaluation.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from fengqiao.audit.models import Audience
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import PartyRole, Satisfaction
from fengqiao.cases.services import evaluation
from fengqiao.cases.states import Action
from fengqiao.kit.errors import DomainError
from fengqiao.kit.pii import mask_name
from fengqiao.web import presenters

PAGE_RATE = "30/m"  # per address: opening and submitting the link page
CODE_RATE = "10/m"  # per address: trying an SMS code (6 digits: guessing needs ~10^5 tries)
SESSION_KEY = "fq_evaluation_invite"


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


def _limited(request: HttpRequest, group: str, rate: str) -> TooManyRequests | None:
    if is_ratelimited(request, group=group, key="ip", rate=rate, increment=True):
        return TooManyRequests("操作过于频繁，请一分钟后再试。")
    return None


def _timeline(invite: EvaluationInvite) -> list[dict[str, Any]]:
    """The case's steps the citizen may see, as labels and times only (no notes, no names)."""
    events = invite.case.events.filter(audience__in=[Audience.PARTIES, Audience.PUBLIC]).select_related("unit")
    return [{"label": presenters.action_label(e.action),
             "at": e.at, "unit": e.unit.name if e.unit and e.action != Action.REGISTER else ""}
            for e in events.order_by("seq")]


def _page(request: HttpRequest, invite: EvaluationInvite, *, action: str, error: DomainError | None = None,
          status: int = 200) -> HttpResponse:
    case = invite.case
    reporter = case.parties.filter(role=PartyRole.REPORTER).first()
    reply_unit = case.events.filter(action=Action.REPLY).order_by("-seq").select_related("unit").first()
    return render(request, "web/evaluate.html", {
        "case": case, "invite": invite, "timeline": _timeline(invite), "action": action, "error": error,
        "greeting": mask_name(reporter.name) if reporter else "", "choices": Satisfaction.choices,
        "reply_unit": reply_unit.unit.name if reply_unit and reply_unit.unit else "",
        "chosen": request.POST.get("rating", ""), "comment": request.POST.get("comment", ""),
    }, status=status)


def _message(request: HttpRequest, error: DomainError, *, template: str = "web/evaluate_message.html") -> HttpResponse:
    return render(request, template, {"error": error}, status=error.status)


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
    limited = _limited(request, "evaluation.page", PAGE_RATE)
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
        limited = _limited(request, "evaluation.code", CODE_RATE)
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
    limited = _limited(request, "evaluation.page", PAGE_RATE)
    if limited:
        return _message(request, limited)
    try:
        invite = evaluation.invite_by_id(request.session.get(SESSION_KEY))
    except DomainError as e:
        return _message(request, e)
    if request.method == "POST":
        return _submit(request, invite, via="sms", action=request.path)
    return _page(request, invite, action=request.path)
