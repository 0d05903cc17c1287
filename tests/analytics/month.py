"""A hand-computed month (November 2026) built through the real case services; docs/ranking.md walks
through the same numbers.

| case | D1 (市住建局)                                         | D2 (市生态环境局)                      |
|------|------------------------------------------------------|---------------------------------------|
| A    | signed 2 h, replied next day, satisfied              |                                       |
| B    | signed after 30 h (late), replied 20 Nov (late),     |                                       |
|      | basically satisfied                                  |                                       |
| C    | signed 2 h, replied next day, unsatisfied → reopened | redispatched 6 Nov, signed 1 h,       |
|      |                                                      | replied 9 Nov, satisfied              |
| D    | returned after 1 h (a timely answer)                 | redispatched, signed, never replied   |
| E    | never signed for                                     |                                       |

Registered and dispatched Monday 2 Nov 2026 09:00; deadline to sign 24 h, to resolve 5 working days
(the end of Mon 9 Nov; C's new deadline after reopening on 5 Nov: the end of 12 Nov).  Computed on 5 Dec.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from fengqiao.cases import services
from fengqiao.cases.models import Case
from tests.cases.builders import REPLY_TEXT, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
NOV = dt.date(2026, 11, 1)
COMPUTED_AT = dt.datetime(2026, 12, 5, 10, 0, tzinfo=SH)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@dataclass
class Month:
    city: City
    cases: dict[str, Case]


def build_month(city: City) -> Month:
    d1, d2 = city.departments[0].pk, city.departments[1].pk
    op, disp, h1, h2 = (city.users[u] for u in ("operator", "dispatcher", "handler", "handler2"))
    cases: dict[str, Case] = {}
    with time_machine.travel(at(2, 8), tick=False) as t:
        for name in "ABCDE":
            cases[name] = register(city)
        t.move_to(at(2, 9))
        for name in "ABCDE":
            services.dispatch(disp, cases[name].code, lead_unit_id=d1)
        t.move_to(at(2, 10))
        services.return_case(h1, cases["D"].code, reason="不属于本单位职责范围")
        t.move_to(at(2, 10, 30))
        services.dispatch(disp, cases["D"].code, lead_unit_id=d2)
        t.move_to(at(2, 11))
        for name in "AC":
            services.accept(h1, cases[name].code)
        services.accept(h2, cases["D"].code)
        t.move_to(at(3, 10))
        for name in "AC":
            services.reply(h1, cases[name].code, text=REPLY_TEXT)
        t.move_to(at(3, 15))
        services.accept(h1, cases["B"].code)  # 30 hours after dispatch: late
        t.move_to(at(4, 9))
        services.evaluate(op, cases["A"].code, rating="satisfied")
        t.move_to(at(5, 9))
        services.evaluate(op, cases["C"].code, rating="unsatisfied", comment="电梯仍有异响")
        t.move_to(at(6, 9))
        services.dispatch(disp, cases["C"].code, lead_unit_id=d2)
        t.move_to(at(6, 10))
        services.accept(h2, cases["C"].code)
        t.move_to(at(9, 8))
        services.reply(h2, cases["C"].code, text=REPLY_TEXT)
        t.move_to(at(10, 9))
        services.evaluate(op, cases["C"].code, rating="satisfied")
        t.move_to(at(20, 9))
        services.reply(h1, cases["B"].code, text=REPLY_TEXT)  # after its 9 Nov deadline
        t.move_to(at(21, 9))
        services.evaluate(op, cases["B"].code, rating="basically")
    return Month(city, {k: Case.objects.get(pk=v.pk) for k, v in cases.items()})
