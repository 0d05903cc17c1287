"""GeoReport v2 (Open311) over our cases: discovery, services, requests, tokens (docs/open311.md).

An adapter only (DESIGN: no business rules of its own): POST requests registers through the same intake
pipeline as the push endpoint, acting as the account of the ``api_key``'s ChannelKey.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from fengqiao.cases.models import Case, Category
from fengqiao.intake import keys, push
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError
from fengqiao.open311 import selectors
from fengqiao.open311.formats import errors, iso, respond

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00+08:00"


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", args=[fmt])).rsplit("/", 1)[0] + "/"
    body = {
        "changeset": CHANGESET,
        "contact": "市社会治理指挥中心 12345 热线",
        "key_service": "API keys (api_key) are issued by the system administrator: fengqiao channel_key create",
        "endpoints": [{"specification": SPEC, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["application/json", "text/xml"]}],
    }
    return respond(fmt, body, root="discovery", item_tags={"endpoints": "endpoint", "formats": "format"})


def _service(category: Category) -> dict[str, Any]:
    top = selectors.top_level(category)
    return {"service_code": category.code, "service_name": category.name, "description": category.name,
            "metadata": False, "type": "realtime", "keywords": None,
            "group": top.name if top is not category else None}


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    body = [_service(c) for c in selectors.services()]
    return respond(fmt, body, root="services", item="service")


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if selectors.service(code) is None:
        return errors(fmt, 404, f"service_code {code} not found / 没有编码为 {code} 的服务")
    return respond(fmt, {"service_code": code, "attributes": []}, root="service_definition",
                   item_tags={"attributes": "attribute"})


def _request(case: Case) -> dict[str, Any]:
    updated = case.closed_at or case.replied_at or case.accepted_at or case.dispatched_at or case.registered_at
    place = " ".join(a.name for a in (case.district, case.street, case.community) if a is not None)
    return {
        "service_request_id": case.code,
        "status": selectors.public_status(case),
        "status_notes": str(case.get_status_display()),
        "service_name": case.category.name if case.category else None,
        "service_code": case.category.code if case.category else "",
        "description": selectors.scrub(case.title),
        "agency_responsible": case.lead_unit.name if case.lead_unit else None,
        "service_notice": None,
        "requested_datetime": iso(case.registered_at),
        "updated_datetime": iso(updated),
        "expected_datetime": iso(case.deadline) if case.deadline else None,
        "address": place or None,
        "address_id": None,
        "zipcode": None,
        "lat": selectors.rounded(case.lat),
        "long": selectors.rounded(case.lng),
        "media_url": None,
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    try:
        filters = _filters(request)
    except ValueError as exc:
        return errors(fmt, 400, str(exc))
    cases = selectors.requests(filters, clock.now())
    return respond(fmt, [_request(c) for c in cases], root="service_requests", item="request")


def _date(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise ValueError(f"{name}: not a W3C date-time (e.g. 2026-03-02T09:00:00+08:00) / 日期格式不正确")
    return value if value.tzinfo else value.replace(tzinfo=clock.local_tz())


def _filters(request: HttpRequest) -> selectors.RequestFilters:
    split = lambda name: [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]  # noqa: E731
    statuses = split("status")
    bad = [s for s in statuses if s not in ("open", "closed")]
    if bad:
        raise ValueError(f"status: {bad[0]} is not open or closed / 状态应为 open 或 closed")
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start and end and end < start:
        raise ValueError("end_date is before start_date / 结束日期早于开始日期")
    if start and end and end - start > selectors.MAX_RANGE:
        raise ValueError("start_date to end_date spans more than 90 days / 查询时间跨度不能超过 90 天")
    return selectors.RequestFilters(codes=split("service_request_id"), service_codes=split("service_code"),
                                    start=start, end=end, statuses=statuses)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > push.MAX_BODY_BYTES:
        return errors(fmt, 413, f"request too large: {size} bytes, limit {push.MAX_BODY_BYTES} / 请求体过大")
    key = keys.find_active(request.POST.get("api_key", ""))
    if key is None:
        return errors(fmt, 403, "api_key missing, invalid or revoked / API 密钥缺失、无效或已吊销")
    try:
        push.check_rate(request, key)
    except push.RateLimited as exc:
        response = errors(fmt, 429, exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    keys.touch(key)
    flat, problems = _payload(request)
    if problems:
        return errors(fmt, 400, *problems)
    try:
        result = push.register_flat(key, flat)
    except DomainError as exc:
        described = [f"{_GEOREPORT.get(k, k)}: {v}" for k, v in exc.fields.items()] or [exc.message]
        return errors(fmt, exc.status, *described)
    body = [{"service_request_id": result.case.code, "token": result.case.code, "service_notice": None,
             "account_id": None}]
    return respond(fmt, body, root="service_requests", item="request", status=201)


# GeoReport field → the intake pipeline's field; and the push endpoint's error names → GeoReport's
_LOCATION = {"lat": "lat", "long": "lng", "address_string": "address"}
_GEOREPORT = {"category_code": "service_code", "lng": "long", "address": "address_string",
              "reporter.name": "last_name", "reporter.phone": "phone", "title": "description"}


def _payload(request: HttpRequest) -> tuple[dict[str, str], list[str]]:
    data = request.POST
    problems: list[str] = []
    code = data.get("service_code", "").strip()
    if not code:
        problems.append("service_code: required / 请选择服务类型")
    elif selectors.service(code) is None:
        problems.append(f"service_code: {code} not found / 没有编码为 {code} 的服务")
    if not (data.get("lat") and data.get("long")) and not data.get("address_string", "").strip():
        problems.append("lat/long or address_string: required / 请提供经纬度或地址")
    description = data.get("description", "").strip()
    if not description:
        problems.append("description: required / 请填写诉求内容")
    name = " ".join(p for p in (data.get("last_name", "").strip(), data.get("first_name", "").strip()) if p)
    flat = {"category": code, "description": description, "title": description[:30],
            "reporter_name": name, "reporter_phone": data.get("phone", "").strip()}
    flat |= {ours: data.get(theirs, "").strip() for theirs, ours in _LOCATION.items()}
    if flat["reporter_phone"] and not name:
        flat["reporter_name"] = "匿名"
    return flat, problems


@require_GET
def request_detail(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    case = selectors.request(code)
    if case is None:
        return errors(fmt, 404, f"service_request_id {code} not found / 没有该诉求")
    return respond(fmt, [_request(case)], root="service_requests", item="request")


@require_GET
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    """Our POST is synchronous: the token is the tracking code itself."""
    case = selectors.request(token_id)
    if case is None:
        return errors(fmt, 404, f"token {token_id} not found / 没有该令牌")
    return respond(fmt, [{"service_request_id": case.code, "token": token_id}], root="service_requests",
                   item="request")
