"""Schemathesis over the whole ninja OpenAPI (/api/openapi.json): no operation answers 5xx.

Each operation gets up to 20 generated requests against the Django WSGI app, with a logged-in dispatcher's
session (and CSRF token) and a valid X-API-Key for the intake endpoints, so generation gets past
authentication and into parsing, validation and the services.
"""

from __future__ import annotations

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
from tests.factories import City

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def _keep_connection() -> Iterator[None]:
    """Like django.test.Client: the WSGI handler must not close the test transaction's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def session(city: City, _keep_connection: None) -> dict[str, Any]:
    cache.clear()
    client = Client()
    client.force_login(city.users["dispatcher"])
    token = _get_new_csrf_string()
    key = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=100_000).secret
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
            "headers": {"X-CSRFToken": token, "X-API-Key": key}}


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_server_errors(case: Any, session: dict[str, Any]) -> None:
    if case.path.startswith("/api/intake/") and case.path_parameters:
        case.path_parameters["channel"] = "hotline_12345"  # the key's channel: get past 403 into the body
    case.call_and_validate(headers=session["headers"], cookies=session["cookies"], checks=[not_a_server_error])
