"""Schemathesis over the whole ninja OpenAPI (/api/openapi.json): no operation answers 5xx.

Every operation (cases, evaluations, patrol, portal, risks, stability, intake) gets up to 10 generated
requests against the Django WSGI app.  Each request is sent with the sessions (and CSRF token) of the roles
that use that part of the API — a dispatcher and a handler for cases, a risk officer and a leader for the
risk register and the stability assessments, a grid worker for the patrol app — and with a valid X-API-Key
for the intake endpoints, so generation gets past authentication and permission checks into parsing,
validation and the services.  Every other request's ``{code}`` is the code of a real record in the caller's
reach (a dispatched case, an open risk entry, a draft assessment), so the actions' bodies reach the services
instead of stopping at 404.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from fengqiao.intake import keys
from fengqiao.risk import services as risk_services
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.stability.builders import created

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

# which roles call which part of the API (the first match wins); the rest need no account
ROLES_BY_PREFIX = [
    ("/api/cases", ("dispatcher", "handler")),
    ("/api/risks", ("risk_officer", "leader")),
    ("/api/stability", ("risk_officer", "leader")),
    ("/api/patrol", ("grid_worker",)),
]
ANONYMOUS_OK = ("dispatcher",)  # evaluations, portal, intake: sent once, with a staff session that must not matter
_turn = itertools.count()


@pytest.fixture
def _keep_connection() -> Iterator[None]:
    """Like django.test.Client: the WSGI handler must not close the test transaction's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(city: City, _keep_connection: None) -> dict[str, Any]:
    """The roles' sessions, the intake key, and one real record of each kind to aim ``{code}`` at."""
    cache.clear()
    key = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=100_000).secret
    sessions: dict[str, dict[str, Any]] = {}
    for role in ("dispatcher", "handler", "risk_officer", "leader", "grid_worker"):
        client = Client()
        client.force_login(city.users[role])
        token = _get_new_csrf_string()
        sessions[role] = {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
                          "headers": {"X-CSRFToken": token, "X-API-Key": key}}
    case = dispatch(city, register(city, title="楼道堆物"))
    risk_case = dispatch(city, register(city, title="拆迁补偿分歧"))
    entry = risk_services.open_from_case(city.users["risk_officer"], risk_case.code, "key", "涉及群体性诉求",
                                         city.departments[0].pk, city.users["leader"].pk)
    decision = created(city)
    codes = {"/api/cases": case.code, "/api/risks": entry.code, "/api/stability": decision.code}
    return {"sessions": sessions, "codes": codes}


def roles_for(path: str) -> tuple[str, ...]:
    for prefix, roles in ROLES_BY_PREFIX:
        if path.startswith(prefix):
            return roles
    return ANONYMOUS_OK


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_server_errors(case: Any, world: dict[str, Any]) -> None:
    if case.path.startswith("/api/intake/") and case.path_parameters:
        case.path_parameters["channel"] = "hotline_12345"  # the key's channel: get past 403 into the body
    if case.path_parameters and "code" in case.path_parameters and next(_turn) % 2:
        for prefix, code in world["codes"].items():
            if case.path.startswith(prefix):
                case.path_parameters["code"] = code
    for role in roles_for(case.path):
        session = world["sessions"][role]
        case.call_and_validate(headers=session["headers"], cookies=session["cookies"], checks=[not_a_server_error])
