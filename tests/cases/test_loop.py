"""The whole loop through the services: register → dispatch → accept → reply → evaluate."""

from __future__ import annotations

from django.db import connection

from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel, Party
from fengqiao.cases.states import State
from tests.factories import City


def _register(city: City, **extra: object) -> Case:
    lng, lat = city.point_in(0)
    data = services.RegisterInput(
        channel=Channel.HOTLINE_12345, title="小区电梯故障", description="3 号楼电梯停运一周无人维修",
        category_id=city.categories["leaf"].pk, lng=lng, lat=lat,
        parties=[services.PartyInput(name="张三", phone="13812345678")],
        **extra,  # type: ignore[arg-type]
    )
    return services.register(city.users["operator"], data).case


def test_full_loop_closes_when_satisfied(city: City) -> None:
    case = _register(city)
    assert case.status == State.REGISTERED
    assert case.grid_id == city.grids[0].pk
    assert case.street_id == city.street.pk
    assert case.district_id == city.district.pk
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk,
                      assisting_unit_ids=[city.departments[1].pk])
    services.accept(city.users["handler"], case.code)
    services.reply(city.users["handler"], case.code, text="已联系物业，电梯于今日修复并恢复运行。")
    services.evaluate(city.users["operator"], case.code, rating="satisfied")
    case.refresh_from_db()
    assert case.status == State.CLOSED
    assert list(case.events.values_list("action", flat=True)) == [
        "register", "dispatch", "accept", "reply", "evaluate",
    ]
    party = Party.objects.get(case=case)
    assert party.name == "张三"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, name FROM cases_party WHERE id = %s", [party.pk])
        stored_phone, stored_name = cursor.fetchone()
    assert "13812345678" not in stored_phone
    assert "张三" not in stored_name
