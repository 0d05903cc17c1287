"""Sessions: a signed-in session idle longer than FENGQIAO_SESSION_IDLE_MINUTES ends at its next request (login
page with a message, 401 on the API, an HX-Redirect for htmx); activity keeps it alive; the portal's anonymous
sessions are left to their own rules; logging in gives a new session key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from fengqiao.accounts.idle import LAST_SEEN
from tests.factories import PASSWORD, City

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def _signed_in(city: City, username: str = "dispatcher") -> Client:
    client = Client()
    client.force_login(city.users[username], backend=MODEL_BACKEND)
    return client


@pytest.mark.django_db
def test_an_idle_staff_session_ends_with_a_message(city: City, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(START, tick=False) as moving:
        client = _signed_in(city)
        assert client.get("/").status_code == 200
        moving.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # active: the clock starts again
        moving.shift(dt.timedelta(minutes=29))
        assert client.get("/notifications/").status_code == 200
        moving.shift(dt.timedelta(minutes=31))
        response = client.get("/notifications/")
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/notifications/"
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"])
        assert "30 分钟未操作" in page.content.decode()
        assert client.get("/").status_code == 302  # still logged out


@pytest.mark.django_db
def test_idle_api_and_htmx_requests(city: City, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(START, tick=False) as moving:
        api = _signed_in(city)
        htmx = _signed_in(city)
        assert api.get("/api/cases").status_code == 200
        assert htmx.get("/", headers={"HX-Request": "true"}).status_code == 200
        moving.shift(dt.timedelta(minutes=45))
        assert api.get("/api/cases").status_code == 401
        response = htmx.get("/notifications/", headers={"HX-Request": "true"})
        assert response.status_code == 204
        assert response["HX-Redirect"] == "/login/?next=/notifications/"


@pytest.mark.django_db
def test_a_post_after_the_limit_changes_nothing(city: City, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(START, tick=False) as moving:
        client = _signed_in(city)
        client.get("/")
        moving.shift(dt.timedelta(hours=2))
        response = client.post("/notifications/read/")
        assert (response.status_code, response["Location"]) == (302, "/login/?next=/")


@pytest.mark.django_db
def test_zero_turns_idle_expiry_off(city: City, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 0
    with time_machine.travel(START, tick=False) as moving:
        client = _signed_in(city)
        client.get("/")
        moving.shift(dt.timedelta(hours=7))
        assert client.get("/").status_code == 200
        assert LAST_SEEN not in client.session


@pytest.mark.django_db
def test_the_portal_session_is_not_touched(city: City, settings: Any) -> None:
    """A citizen on the portal is anonymous: her two-hour verification rule (portal/session.py) is its own."""
    settings.SESSION_IDLE_MINUTES = 30
    client = Client()
    assert client.get("/portal/").status_code == 200
    assert LAST_SEEN not in client.session


@pytest.mark.django_db
def test_logging_in_gives_a_new_session_key(city: City) -> None:
    client = Client()
    client.get("/portal/")  # an anonymous session with something in it
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    response = client.post("/login/", {"username": "handler", "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(city.users["handler"].pk)


@pytest.mark.django_db
def test_a_change_of_privileges_gives_a_new_session_key(city: City) -> None:
    from fengqiao.accounts.models import Membership
    from fengqiao.accounts.roles import Role

    client = _signed_in(city, "handler")
    assert client.get("/").status_code == 200
    before = client.session.session_key
    assert client.get("/").status_code == 200
    assert client.session.session_key == before  # nothing changed: the same key
    Membership.objects.create(user=city.users["handler"], role=Role.DISPATCHER, area=city.street)
    assert client.get("/").status_code == 200  # still signed in …
    assert client.session.session_key != before  # … under a new key
    assert client.session.get("_auth_user_id") == str(city.users["handler"].pk)
