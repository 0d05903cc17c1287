"""The citizen app's evaluation endpoints (``/api/evaluations/…``): no account, no session, so no CSRF
(nothing here is authenticated by a cookie); the link code or the tracking code with the SMS code is the
credential.  The same services as the web pages (cases/services/evaluation.py), the same rules (an
unsatisfied rating needs a reason), the same rate limits on the same counters
(cases/evaluation_public.py: 429 with Retry-After), and the API's error shape: a 4xx naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from fengqiao.cases import evaluation_public as public
from fengqiao.cases.models import Case, Satisfaction
from fengqiao.cases.services import evaluation
from fengqiao.kit.api_errors import ErrorOut

router = Router(tags=["evaluations"], auth=None)


ERRORS: dict[int, Any] = {status: ErrorOut for status in (400, 404, 409, 410, 422, 429)}
RATING_HELP = "satisfied（满意）· basically（基本满意）· unsatisfied（不满意：须在 comment 中写明原因，案件重办）"


class EvaluationStepOut(Schema):
    label: str
    at: dt.datetime
    unit: str


class ChoiceOut(Schema):
    value: str
    label: str


class EvaluationOut(Schema):
    case_code: str = Field(description="事项编号 (tracking code)")
    title: str
    reply: str
    reply_unit: str
    replied_at: dt.datetime | None
    deadline: dt.datetime = Field(description="评价有效期至: the end of the evaluation period")
    round: int = Field(description="1 for the first reply; n after n − 1 unsatisfied evaluations")
    ratings: list[ChoiceOut]
    steps: list[EvaluationStepOut] = Field(description="the case's steps the citizen may see (no notes, no names)")


class EvaluateIn(Schema):
    rating: str = Field("", description=RATING_HELP, examples=["satisfied"])
    comment: str = Field("", description="意见；不满意时必填（2–1000 字）")


class BySmsIn(EvaluateIn):
    case_code: str = Field("", description="事项编号, as in the SMS", examples=["FQ260302-ABC123"])
    sms_code: str = Field("", description="the 6-digit code in the SMS", examples=["042917"])


class EvaluatedOut(Schema):
    case_code: str
    rating: str
    rating_label: str
    status: str = Field(description="closed (satisfied, basically) or reopened (unsatisfied: handled again)")
    status_label: str
    detail: str


def _evaluated(case: Case) -> EvaluatedOut:
    label = str(dict(Satisfaction.choices).get(case.satisfaction, case.satisfaction))
    detail = _("感谢您的评价。事项 %(code)s 的评价“%(r)s”已提交。") % {"code": case.code, "r": label}
    if case.status == "reopened":
        detail += _("我们将重新办理，并再次答复您。")
    return EvaluatedOut(case_code=case.code, rating=case.satisfaction, rating_label=label, status=case.status,
                        status_label=str(case.get_status_display()), detail=detail)


# before /{link_code}: "by-sms" would otherwise be taken for a link code
@router.post("/by-sms", response={200: EvaluatedOut, **ERRORS}, summary="Evaluate with the tracking code and SMS code")
def evaluate_by_sms(request: HttpRequest, payload: BySmsIn) -> EvaluatedOut:
    public.limit_code(request)
    invite = evaluation.invite_by_sms(payload.case_code, payload.sms_code)
    return _evaluated(evaluation.evaluate_by_invite(invite.pk, rating=payload.rating, comment=payload.comment,
                                                    via="sms"))


@router.get("/{link_code}", response={200: EvaluationOut, **ERRORS}, summary="What the evaluation link opens")
def get_evaluation(request: HttpRequest, link_code: str) -> EvaluationOut:
    public.limit_page(request)
    summary = public.summary(evaluation.invite_by_link(link_code))
    return EvaluationOut(
        case_code=summary.code, title=summary.title, reply=summary.reply, reply_unit=summary.reply_unit,
        replied_at=summary.replied_at, deadline=summary.deadline, round=summary.round,
        ratings=[ChoiceOut(value=value, label=str(label)) for value, label in Satisfaction.choices],
        steps=[EvaluationStepOut(label=s.label, at=s.at, unit=s.unit) for s in summary.steps],
    )


@router.post("/{link_code}", response={200: EvaluatedOut, **ERRORS}, summary="Evaluate through the link code")
def evaluate_by_link(request: HttpRequest, link_code: str, payload: EvaluateIn) -> EvaluatedOut:
    public.limit_page(request)
    invite = evaluation.invite_by_link(link_code)
    return _evaluated(evaluation.evaluate_by_invite(invite.pk, rating=payload.rating, comment=payload.comment,
                                                    via="link"))
