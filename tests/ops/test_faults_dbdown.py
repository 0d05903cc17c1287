"""The database unreachable during a request: a 503 with Retry-After and a clear message, never a 500."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from fengqiao.ops import dbdown
from tests.factories import City


@contextlib.contextmanager
def database_down() -> Iterator[None]:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", fail)
        patch.setattr(CursorWrapper, "executemany", fail)
        yield


def test_an_api_registration_gets_503_json(city: City) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(city.users["operator"])
    with database_down():
        response = client.post("/api/cases", data=json.dumps({"description": "x"}),
                               content_type="application/json", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == str(dbdown.RETRY_AFTER)
    assert response.json() == {"error": "database_unavailable", "detail": "数据库暂时不可用，请稍后重试"}


def test_a_page_gets_503_html_without_touching_the_database(city: City) -> None:
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/portal/track/FQ261130-7KM3QX/", HTTP_ACCEPT="text/html")
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Retry-After"] == str(dbdown.RETRY_AFTER)
    assert "数据库暂时不可用，请稍后重试" in response.content.decode()


def test_a_signed_in_page_whose_session_cannot_be_read_gets_503(city: City) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(city.users["handler"])
    with database_down():
        response = client.get("/inbox/")
    assert response.status_code == 503
    assert "数据库暂时不可用" in response.content.decode()


def test_other_errors_stay_500(rf: Any) -> None:
    middleware = dbdown.DatabaseDownMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None
