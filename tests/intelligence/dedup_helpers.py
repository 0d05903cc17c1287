"""Cases for the duplicate tests, registered through the real service at chosen times and places."""

from __future__ import annotations

import datetime as dt

from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel
from fengqiao.kit import clock
from tests.factories import City

ELEVATOR = ("小区电梯故障", "您好，东风小区3号楼电梯停运一周无人维修，老人上下楼很不方便，请尽快处理。")
ELEVATOR_AGAIN = ("3号楼电梯坏了", "市民反映：东风小区３号楼电梯已经停运一周了，无人维修，老人上下楼很不方便。")
NOISE = ("夜间施工噪音扰民", "西园路工地每天晚上十一点以后还在打桩，噪音很大，严重影响居民休息。")


def at(days: float) -> dt.datetime:
    start = clock.now().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=30)
    return start + dt.timedelta(days=days)


def report(city: City, text: tuple[str, str], *, grid: int | None = 0, days: float = 0, phone: str = "",
           by: str = "operator", channel: str = Channel.HOTLINE_12345) -> Case:
    lng, lat = city.point_in(grid) if grid is not None else (None, None)
    data = services.RegisterInput(
        channel=channel, title=text[0], description=text[1], lng=lng, lat=lat, registered_at=at(days),
        parties=[services.PartyInput(name="李四", phone=phone)] if phone else [],
    )
    return services.register(city.users[by], data).case
