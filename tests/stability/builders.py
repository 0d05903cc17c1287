"""Assessments for the tests, made through the services: one created in the test city's 城东街道, and the
steps that take it on to any state of the main path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fengqiao.kit import clock
from fengqiao.stability import after, assess, prepare
from fengqiao.stability.models import Decision
from fengqiao.stability.states import DState
from tests.factories import City

ORDER = [DState.DRAFT, DState.PLANNED, DState.CONSULTING, DState.IDENTIFYING, DState.GRADED, DState.MEASURES,
         DState.CONCLUDED, DState.REPORTED, DState.TRACKING, DState.CLOSED]


def created(city: City, *, by: str = "risk_officer", street: Any = None, title: str = "城东垃圾焚烧发电厂选址",
            proposer: int = 0) -> Decision:
    area = street or city.street
    return prepare.create(city.users[by], title=title, kind="facility",
                          summary="拟在城东街道东风社区北侧建设日处理 1500 吨的垃圾焚烧发电厂。",
                          proposing_unit_id=city.departments[proposer].pk, assessing_unit_id=city.departments[2].pk,
                          area_ids=[area.pk], third_party="江苏某社会稳定风险评估中心", population=12000,
                          stakeholders="周边居民、东风小学师生、菜场商户")


def advance(city: City, decision: Decision, to: DState, *, by: str = "risk_officer", grade: str = "medium",
            conclusion: str = "conditional") -> Decision:
    user = city.users[by]
    code = decision.code
    while ORDER.index(decision.state) < ORDER.index(to):
        state = decision.state
        if state == DState.DRAFT:
            prepare.plan(user, code, plan="座谈会、问卷、入户走访；两周内完成")
        elif state == DState.PLANNED:
            prepare.open_consultation(user, code, closes_on=clock.today() + dt.timedelta(days=14), public=True)
        elif state == DState.CONSULTING:
            prepare.record_opinion(user, code, channel="forum", held_on=clock.today(), participants=40, support=22,
                                   oppose=8, neutral=10, concerns="担心二噁英排放和垃圾运输车噪声")
            prepare.close_consultation(user, code, summary="多数群众理解支持，少数担心排放")
        elif state == DState.IDENTIFYING:
            assess.add_item(user, code, category="controllability", description="周边居民可能聚集反对",
                            likelihood=3, impact=4)
            assess.grade(user, code, grade=grade, reason="" if grade == "medium" else "人工调整")
        elif state == DState.GRADED:
            assess.add_measure(user, code, description="建立排放在线监测并向社会公开",
                               responsible_unit_id=city.departments[1].pk,
                               deadline=clock.today() + dt.timedelta(days=60))
        elif state == DState.MEASURES:
            assess.conclude(user, code, conclusion=conclusion, reason="落实监测公开和补偿措施后可以实施")
        elif state == DState.CONCLUDED:
            after.issue_report(user, code)
        elif state == DState.REPORTED:
            after.file(user, code, note="报市委政法委备案；市政府常务会议决定实施")
        elif state == DState.TRACKING:
            measure = decision.measures.get()
            after.track(user, code, measure_id=measure.pk, progress="监测平台上线", done=True)
            after.close(user, code, note="措施均已落实，未发生群体性事件")
        decision = Decision.objects.get(pk=decision.pk)
    return decision
