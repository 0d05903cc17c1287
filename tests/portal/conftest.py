"""The citizen app's tests: the mediation world (tests/mediation/factories.py), a frozen clock on a working
Monday, fresh rate-limit and lockout counters, and a browser client that verifies a phone through the
real pages (reading the code from the outbox, as a phone would receive it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from fengqiao.notifications.models import Outbox
from tests.factories import build_city
from tests.mediation import steps
from tests.mediation.factories import APPLICANT_PHONE, World, build_world

CODE_RE = re.compile(r"验证码 (\d{6})")


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(steps.MONDAY, tick=False) as moving:
        yield moving


@pytest.fixture
def world(db: None) -> World:
    return build_world(build_city())


def last_code(phone: str) -> str:
    """The newest verification code sent to ``phone``, read from the outbox as the phone would get it."""
    for row in Outbox.objects.filter(kind="verification").order_by("-pk"):
        if row.to_address == phone:
            found = CODE_RE.search(row.body)
            assert found is not None, row.body
            return found.group(1)
    raise AssertionError(f"no code sent to {phone}")


def sign_in(client: Client, phone: str = APPLICANT_PHONE, *, address: str = "10.0.0.1") -> Client:
    """Verify ``phone`` through /portal/verify/ and its code page."""
    response = client.post("/portal/verify/", {"phone": phone}, REMOTE_ADDR=address)
    assert response.status_code == 302, response.content.decode()[:400]
    response = client.post("/portal/verify/code/", {"code": last_code(phone)}, REMOTE_ADDR=address)
    assert response.status_code == 302, response.content.decode()[:400]
    return client
