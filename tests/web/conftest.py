from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel
from tests.factories import City, build_city
from tests.web.browser_kit import SHOTS, launch_chromium

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client: Client, city: City, username: str) -> Client:
    client.force_login(city.users[username], backend=MODEL_BACKEND)
    return client


def register_case(city: City, *, grid: int = 0, user: str = "operator", phone: str = "13812345678") -> Case:
    lng, lat = city.point_in(grid)
    data = services.RegisterInput(
        channel=Channel.HOTLINE_12345, title="小区电梯故障", description="3 号楼电梯停运一周无人维修",
        category_id=city.categories["leaf"].pk, lng=lng, lat=lat, address="海陵区东风路 18 号",
        parties=[services.PartyInput(name="张三丰", phone=phone, id_number="")],
    )
    return services.register(city.users[user], data).case


@pytest.fixture
def case(city: City) -> Case:
    return register_case(city)


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright (tests.web.browser_kit); skipped when it is not installed."""
    yield from launch_chromium()


@pytest.fixture
def live_city(transactional_db: None, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[City]:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls here are plain sync ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield build_city()
    # While Playwright's event loop runs in this thread, Django's per-context connection store gives the
    # test's ORM calls a connection of their own, which nothing else closes: close it here, or the test
    # database cannot be dropped at the end ("… is being accessed by other users" on PostgreSQL).
    connections.close_all()
