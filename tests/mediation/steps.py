"""A mediation taken through its steps by the real services, for the workflow, confirmation, PDF and
view tests: applied → accepted → scheduled → held → agreed.  Time is the test's frozen clock
(``traveller``), moved on past a session before it is recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fengqiao.kit import clock
from fengqiao.mediation.models import Agreement, Mediation, Session
from fengqiao.mediation.services import outcome, workflow
from fengqiao.mediation.services.outcome import AgreementInput
from tests.mediation.factories import World, applied

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a working Monday
FACTS = "申请人与被申请人系楼上楼下邻居，被申请人装修期间夜间施工，噪音影响申请人休息，双方多次争执。"
TERMS = ("一、被申请人自即日起每日 20 时至次日 8 时停止施工；\n"
         "二、被申请人于 2026 年 3 月 31 日前赔偿申请人损失 1500 元。")
RECORD = ("双方到场。申请人陈述夜间施工影响休息；被申请人承认施工时间过晚，愿意调整并适当赔偿。"
          "经调解员释法明理，双方同意协商。")


def fresh(mediation: Mediation) -> Mediation:
    mediation.refresh_from_db()
    return mediation


def accepted(world: World, **changes: Any) -> Mediation:
    mediation = applied(world, **changes)
    return workflow.accept(world.users["mediator_a"], mediation.code)


def scheduled(world: World, traveller: Any, **changes: Any) -> tuple[Mediation, Session]:
    mediation = accepted(world, **changes)
    session = workflow.schedule(world.users["mediator_a"], mediation.code, place="城东街道调解室",
                                starts_at=clock.now() + dt.timedelta(days=1), minutes=90)
    return fresh(mediation), session


def held(world: World, traveller: Any, **changes: Any) -> Mediation:
    mediation, session = scheduled(world, traveller, **changes)
    traveller.move_to(session.starts_at + dt.timedelta(hours=2))
    workflow.record(world.users["mediator_a"], mediation.code, seq=session.seq, text=RECORD,
                    attendees="张三、李四、王秀英")
    return fresh(mediation)


def agreed(world: World, traveller: Any, **changes: Any) -> tuple[Mediation, Agreement]:
    mediation = held(world, traveller, **changes)
    agreement = outcome.agree(world.users["mediator_a"], mediation.code,
                              AgreementInput(facts=FACTS, terms=TERMS, perform_by=dt.date(2026, 3, 31)))
    return fresh(mediation), agreement
