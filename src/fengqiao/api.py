"""The JSON API (django-ninja, OpenAPI 3.1 at /api/docs): session auth with CSRF for the browser, refused
while the session still owes its two-factor code (accounts.two_factor); the citizen app's evaluation
endpoints (/api/evaluations/) and its 解纷码 endpoints (/api/portal/) need no account — their codes are the
credential."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fengqiao.accounts.two_factor import VerifiedSessionAuth
from fengqiao.cases.api import router as cases_router
from fengqiao.cases.evaluation_api import router as evaluations_router
from fengqiao.gridwork.api import router as patrol_router
from fengqiao.intake import push
from fengqiao.kit.errors import DomainError
from fengqiao.kit.throttle import TooManyRequests
from fengqiao.portal.api import router as portal_router
from fengqiao.risk.api import router as risks_router
from fengqiao.stability.api import router as stability_router

api = NinjaAPI(
    title="Fengqiao API",
    version="1",
    description="Cases: register, dispatch, accept, return, reply, evaluate … Errors carry a status and a "
    "message naming the field and the reason.",
    auth=VerifiedSessionAuth(),  # a session that still owes its two-factor code is refused (401)
    urls_namespace="api",
)
api.add_router("/cases", cases_router)
api.add_router("/evaluations", evaluations_router)  # no login: the link code or SMS code is the credential
api.add_router("/patrol", patrol_router)  # the grid worker's patrol app (gridwork/api.py)
api.add_router("/portal", portal_router)  # the citizen app (解纷码): a phone code's token is the credential
api.add_router("/risks", risks_router)  # the risk register (risk/api.py)
api.add_router("/stability", stability_router)  # stability assessments of major decisions (stability/api.py)
push.install(api)  # /api/intake/: X-API-Key auth per router


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(TooManyRequests)
def too_many_requests(request: HttpRequest, exc: TooManyRequests) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields[".".join(loc) or "body"] = err.get("msg", "invalid")
    detail = "请求数据有误：" + "；".join(f"{k}: {v}" for k, v in fields.items())
    body = {"error": "validation_failed", "detail": detail, "fields": fields}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"error": "unauthenticated", "detail": "请先登录。"}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own errors in our shape; a body that is not JSON is a 422 naming the body, like bad fields."""
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        body = {"error": "validation_failed", "detail": "请求数据有误：body: 不是有效的 JSON",
                "fields": {"body": "不是有效的 JSON"}}
        return api.create_response(request, body, status=422)
    if exc.status_code == 403 and "CSRF" in str(exc):
        body = {"error": "csrf_failed",
                "detail": "CSRF 校验失败：请在 X-CSRFToken 请求头中带上 csrftoken Cookie 的值。"}
        return api.create_response(request, body, status=403)
    return api.create_response(request, {"error": "http_error", "detail": str(exc)}, status=exc.status_code)
