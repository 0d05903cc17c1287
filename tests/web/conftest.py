from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel
from tests.factories import City

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
