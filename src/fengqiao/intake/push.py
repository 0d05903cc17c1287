"""Push endpoints: a channel's system sends each report as it is taken (docs/intake/push.md).

``POST /api/intake/{channel}/reports`` registers one report; ``GET /api/intake/{channel}/reports/{id}``
tells the sender what became of it.  Authentication is an ``X-API-Key`` header (a ChannelKey); before the
body is even read the gate checks, in order: the key (401), its channel (404 unknown, 403 another
channel's), its rate (429 with Retry-After) and the body's size (413).  Then the body is validated (422
naming the field) and registered through the intake pipeline (``intake.pipeline.register_one``: validate,
enrich, register, index for duplicates) like every other door, idempotently on (channel, external_id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage
from ninja import Field, NinjaAPI, Router, Schema
from ninja.responses import Status
from ninja.security import APIKeyHeader

from fengqiao.cases import selectors
from fengqiao.cases.models import Case, Channel
from fengqiao.cases.services import Registered
from fengqiao.intake import keys, pipeline
from fengqiao.intake.models import ChannelKey
from fengqiao.kit import clock
from fengqiao.kit.api_errors import ErrorOut
from fengqiao.kit.errors import DomainError, NotFound, PermissionDenied, ValidationFailed

MAX_BODY_BYTES = int(getattr(settings, "INTAKE_MAX_BODY_BYTES", 64 * 1024))


class InvalidKey(DomainError):
    status = 401
    code = "invalid_api_key"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _rate_key(group: str, request: HttpRequest) -> str:
    key: ChannelKey = request._channel_key  # type: ignore[attr-defined]
    return key.prefix


def _rate(group: str, request: HttpRequest) -> str:
    key: ChannelKey = request._channel_key  # type: ignore[attr-defined]
    return f"{key.rate_per_minute}/m"


def check_rate(request: HttpRequest, key: ChannelKey) -> None:
    """Count this request against the key's per-minute rate (django-ratelimit, keyed on the prefix)."""
    request._channel_key = key  # type: ignore[attr-defined]
    usage = get_usage(request, group="intake.push", key=_rate_key, rate=_rate, increment=True)
    if usage is not None and usage["should_limit"]:
        wait = max(1, int(usage["time_left"]))
        raise RateLimited(f"请求过于频繁：该密钥每分钟最多 {key.rate_per_minute} 次，请 {wait} 秒后重试。",
                          retry_after=wait)


def _gate(request: HttpRequest, key: ChannelKey) -> None:
    """Channel, rate and size, in that order — all before the body is parsed."""
    kwargs = request.resolver_match.kwargs if request.resolver_match else {}
    channel = str(kwargs.get("channel", ""))
    if channel not in Channel.values:
        raise NotFound(f"未知的受理渠道 {channel}（可选：{', '.join(Channel.values)}）。",
                       fields={"channel": "未知的受理渠道"})
    if channel != key.channel:
        raise PermissionDenied(f"该密钥属于渠道 {key.channel}，不能向渠道 {channel} 推送。",
                               fields={"channel": f"密钥不属于渠道 {channel}"})
    check_rate(request, key)
    if request.method == "POST":
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"请求体过大：{size} 字节，上限 {MAX_BODY_BYTES} 字节。",
                                  fields={"body": f"超过 {MAX_BODY_BYTES} 字节"})


class ChannelKeyAuth(APIKeyHeader):
    """``X-API-Key: fq_…``: an active ChannelKey of the path's channel."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ChannelKey:
        found = keys.find_active(key or "")
        if found is None:
            detail = "缺少 X-API-Key 请求头。" if not key else "API 密钥无效或已吊销。"
            raise InvalidKey(detail, fields={"X-API-Key": "缺少" if not key else "无效或已吊销"})
        _gate(request, found)
        keys.touch(found)
        return found


router = Router(tags=["intake"], auth=ChannelKeyAuth())


class ReporterIn(Schema):
    name: str = Field(..., min_length=1, max_length=60, description="反映人姓名")
    phone: str = Field("", max_length=30, description="手机或固话")
    id_number: str = Field("", max_length=18, description="身份证号（18 位）")


class ReportIn(Schema):
    external_id: str = Field(..., min_length=1, max_length=64, pattern=r"^\S(.*\S)?$",
                             description="the sender's own id of the report; idempotency key per channel")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=10_000)
    category_code: str | None = Field(None, max_length=32, description="our category code, e.g. 010101")
    urgency: Literal["normal", "urgent", "very_urgent"] = "normal"
    address: str = Field("", max_length=200)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    reported_at: dt.datetime | None = Field(None, description="ISO 8601; local time if no offset is given")
    reporter: ReporterIn | None = None


class ReportOut(Schema):
    created: bool
    external_id: str
    code: str
    status: str
    status_label: str
    registered_at: dt.datetime


class ReportStatusOut(Schema):
    external_id: str
    code: str
    status: str
    status_label: str
    registered_at: dt.datetime
    dispatched_at: dt.datetime | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    deadline: dt.datetime | None
    lead_unit: str | None
    reply: str
    duplicate_of: str | None


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut,
                          422: ErrorOut, 429: ErrorOut}


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    # the plausibility of the date (not before 2000, not in the future) is checked once, for every
    # door, by intake.rows.validate
    return value.replace(tzinfo=clock.local_tz()) if value.tzinfo is None else value


# the pipeline's field names → ours, so an error names the field the sender sent
_PIPELINE_FIELDS = {"category": "category_code", "reporter_name": "reporter.name",
                    "reporter_phone": "reporter.phone", "reporter_id_number": "reporter.id_number"}


def to_pipeline_payload(payload: ReportIn) -> dict[str, str]:
    reporter = payload.reporter
    reported_at = _aware(payload.reported_at)
    return {
        "external_id": payload.external_id, "title": payload.title, "description": payload.description,
        "category": payload.category_code or "", "urgency": payload.urgency, "address": payload.address,
        "lng": "" if payload.lng is None else repr(payload.lng),
        "lat": "" if payload.lat is None else repr(payload.lat),
        "reported_at": reported_at.isoformat() if reported_at else "",
        "reporter_name": reporter.name if reporter else "", "reporter_phone": reporter.phone if reporter else "",
        "reporter_id_number": reporter.id_number if reporter else "",
    }


def register_flat(key: ChannelKey, flat: dict[str, str]) -> Registered:
    """Register one report in the pipeline's field names (also used by Open311), as the key's account."""
    try:
        return pipeline.register_one(key.channel, flat, key.account)
    except ValidationFailed as exc:
        exc.fields = {_PIPELINE_FIELDS.get(k, k): v for k, v in exc.fields.items()}
        raise


@router.post("/{channel}/reports", response={200: ReportOut, 201: ReportOut, **ERRORS},
             summary="Push one report (idempotent on external_id)")
def push_report(request: HttpRequest, channel: Channel, payload: ReportIn) -> Status[ReportOut]:
    key: ChannelKey = request.auth  # type: ignore[attr-defined]
    result = register_flat(key, to_pipeline_payload(payload))
    case = result.case
    body = ReportOut(created=result.created, external_id=payload.external_id, code=case.code,
                     status=case.status, status_label=str(case.get_status_display()),
                     registered_at=case.registered_at)
    return Status(201 if result.created else 200, body)


@router.get("/{channel}/reports/{external_id}", response={200: ReportStatusOut, **ERRORS},
            summary="What became of a pushed report")
def report_status(request: HttpRequest, channel: Channel, external_id: str) -> ReportStatusOut:
    key: ChannelKey = request.auth  # type: ignore[attr-defined]
    code = Case.objects.filter(channel=key.channel, external_ref=external_id).values_list("code", flat=True).first()
    if code is None:
        raise NotFound(f"渠道 {key.channel} 没有外部编号为 {external_id} 的诉求。",
                       fields={"external_id": "未找到"})
    case = selectors.case_for(key.account, code)  # scoped: the key's account must reach the case
    return ReportStatusOut(
        external_id=external_id, code=case.code, status=case.status, status_label=str(case.get_status_display()),
        registered_at=case.registered_at, dispatched_at=case.dispatched_at, replied_at=case.replied_at,
        closed_at=case.closed_at, deadline=case.deadline,
        lead_unit=case.lead_unit.name if case.lead_unit else None, reply=case.reply,
        duplicate_of=case.duplicate_of.code if case.duplicate_of else None,
    )


def install(api: NinjaAPI) -> None:
    """Mount the router at /api/intake/ and answer 429s with a Retry-After header."""
    api.add_router("/intake", router)

    def rate_limited(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(request, exc.as_dict(), status=exc.status)
        response["Retry-After"] = str(exc.retry_after)
        return response

    api.add_exception_handler(RateLimited, rate_limited)
