"""Reply quality on screen: live scores under the reply box (htmx), and the unit reviewer's 答复待审 queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.cases import selectors
from fengqiao.cases.services import handling
from fengqiao.cases.services._core import authorize
from fengqiao.cases.states import Action, State
from fengqiao.intelligence import reply_quality, reply_review
from fengqiao.kit.errors import DomainError, ValidationFailed
from fengqiao.web.views import current_user, render_error

SCORE_LABELS = (("relevance", gettext_lazy("相关性")), ("completeness", gettext_lazy("完整性")),
                ("explanation", gettext_lazy("可解释性")))


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/_reply_quality.html", {"error": str(error)}, status=error.status)


def reason_texts(reasons: list[str]) -> list[str]:
    return [reply_quality.reason_text(reason) for reason in reasons]


def score_rows(scores: reply_quality.ReplyScores) -> list[dict[str, Any]]:
    return [{"name": name, "label": label, "value": getattr(scores, name), "pct": round(getattr(scores, name) * 100),
             "low": getattr(scores, name) < scores.threshold} for name, label in SCORE_LABELS]


@login_required
def reply_score(request: HttpRequest, code: str) -> HttpResponse:
    """The htmx fragment under the reply box: the three scores and reasons for the text typed so far."""
    user = current_user(request)
    params = request.POST if request.method == "POST" else request.GET
    text = params.get("reply-text", params.get("text", ""))
    try:
        case = selectors.case_for(user, code)
        acting = authorize(user, case, Action.REPLY)
        if len(text.strip()) > handling.REPLY_MAX_LENGTH:
            raise ValidationFailed(_("答复内容不能超过 %(max)s 字（现有 %(n)s 字）。")
                                   % {"max": handling.REPLY_MAX_LENGTH, "n": len(text.strip())},
                                   fields={"text": _("太长")})
        if not text.strip():
            raise ValidationFailed(_("请填写答复内容，填写后这里会给出答复质量评分。"),
                                   fields={"text": _("请填写答复内容")})
    except DomainError as e:
        return _error(request, e)
    scores = reply_quality.score(reply_review.message_of(case), text)
    unit_id = acting.unit.pk if acting.unit else None
    will_hold = scores.weak and case.state == State.ACCEPTED and reply_review.has_reviewer(unit_id)
    return render(request, "web/_reply_quality.html", {"scores": scores, "rows": score_rows(scores),
                                                        "reasons": reason_texts(scores.reasons),
                                                        "will_hold": will_hold})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        reviews = list(reply_review.pending_reviews(user)[:200])
    except DomainError as e:
        return render_error(request, e)
    items = [{"review": r, "rows": score_rows(_stored_scores(r)), "reasons": reason_texts(r.reasons)}
             for r in reviews]
    return render(request, "web/reply_reviews.html", {"items": items})


def _stored_scores(review: Any) -> reply_quality.ReplyScores:
    return reply_quality.ReplyScores(
        relevance=review.relevance, completeness=review.completeness, explanation=review.explanation,
        weak=review.flagged, reasons=review.reasons, parts={}, missing_terms=[], unanswered=[],
        threshold=reply_quality.threshold(), learned=False)


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "")
    try:
        if decision == "approve":
            review = reply_review.approve(user, pk, note=note)
            messages.success(request, _("已审核通过，答复已发送给群众：%(code)s") % {"code": review.case.code})
        elif decision == "return":
            review = reply_review.send_back(user, pk, note=note)
            messages.success(request, _("已退回承办人修改：%(code)s") % {"code": review.case.code})
        else:
            raise ValidationFailed(_("请选择审核结果：通过或退回修改。"), fields={"decision": _("请选择")})
    except DomainError as e:
        messages.error(request, str(e))
        return redirect_with_status(request, e.status)
    return redirect("reply_reviews")


def redirect_with_status(request: HttpRequest, status: int) -> HttpResponse:
    """Back to the queue with the message shown; the status tells API-like callers what went wrong."""
    response = review_queue(request)
    response.status_code = status
    return response
