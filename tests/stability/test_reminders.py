"""Measure reminders: the responsible unit's handlers get one in-app message when a measure falls due within
three days and one when it is overdue; a rerun (of the sweep or the periodic job) queues nothing; measures
carried out, and those of decisions withdrawn or concluded 不予实施, are left alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.notifications.models import Channel, Outbox
from fengqiao.stability import after, prepare, reminders, tasks
from fengqiao.stability.states import DState
from tests.factories import City
from tests.stability.builders import advance, created

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
DEADLINE = dt.date(2026, 5, 1)  # the builders' measures: 60 days on


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def sent() -> list[tuple[str, str, str]]:
    return sorted(Outbox.objects.filter(kind=reminders.KIND).values_list("recipient__username", "subject", "channel"))


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=SH)


def test_once_when_due_soon_and_once_when_overdue(city: City, frozen: Any) -> None:
    tracked = advance(city, created(city, title="垃圾焚烧发电厂选址"), DState.TRACKING)
    setting = advance(city, created(city, title="阶梯水价"), DState.MEASURES)
    stopped = advance(city, created(city, title="化工园区扩区"), DState.CONCLUDED, grade="high", conclusion="stop")
    withdrawn = advance(city, created(city, title="物流园征地"), DState.MEASURES)
    prepare.withdraw(city.users["risk_officer"], withdrawn.code, reason="项目取消")
    assert stopped.measures.get().deadline == DEADLINE
    assert reminders.sweep().measures == 0  # nothing is due yet

    frozen.move_to(at(DEADLINE - dt.timedelta(days=4)))
    assert reminders.sweep().measures == 0
    frozen.move_to(at(DEADLINE - dt.timedelta(days=2)))
    assert reminders.sweep().measures == 2  # the tracked and the one being set; not stopped, not withdrawn
    assert sent() == sorted([("handler2", f"稳评措施即将到期：{setting.code}", Channel.IN_APP),
                             ("handler2", f"稳评措施即将到期：{tracked.code}", Channel.IN_APP)])  # codes are random
    body = Outbox.objects.filter(kind=reminders.KIND, subject__endswith=tracked.code).values_list(
        "body", flat=True).get()
    assert body == ("「垃圾焚烧发电厂选址」的防范化解措施「建立排放在线监测并向社会公开」应于 2026-05-01 前落实，"
                    "还剩 2 天，请抓紧落实并在跟踪中记录。")
    reminders.sweep()
    tasks.remind_measures.call_local()
    assert len(sent()) == 2  # idempotent

    frozen.move_to(at(DEADLINE + dt.timedelta(days=1)))
    reminders.sweep()
    reminders.sweep()
    assert sent() == sorted([
        ("handler2", f"稳评措施即将到期：{setting.code}", Channel.IN_APP),
        ("handler2", f"稳评措施即将到期：{tracked.code}", Channel.IN_APP),
        ("handler2", f"稳评措施逾期：{setting.code}", Channel.IN_APP),
        ("handler2", f"稳评措施逾期：{tracked.code}", Channel.IN_APP)])
    body = Outbox.objects.filter(kind=reminders.KIND, subject=f"稳评措施逾期：{tracked.code}").values_list(
        "body", flat=True).get()
    assert "已逾期 1 天" in body

    after.track(city.users["handler2"], tracked.code, measure_id=tracked.measures.get().pk, progress="监测平台上线",
                done=True)
    frozen.move_to(at(DEADLINE + dt.timedelta(days=5)))
    assert reminders.sweep().measures == 1  # carried out: no more reminders
    assert len(sent()) == 4


def test_the_unit_s_leaders_are_reminded_too_and_other_units_not(city: City, frozen: Any) -> None:
    from fengqiao.accounts.models import Membership, User
    from fengqiao.accounts.roles import Role

    chief = User.objects.create_user(username="chief", password="x", display_name="局长")
    Membership.objects.create(user=chief, role=Role.LEADER, unit=city.departments[1])
    advance(city, created(city), DState.TRACKING)
    frozen.move_to(at(DEADLINE))
    result = reminders.sweep()
    assert (result.measures, result.queued) == (1, 2)
    assert [who for who, _s, _c in sent()] == ["chief", "handler2"]
    body = Outbox.objects.filter(kind=reminders.KIND).values_list("body", flat=True).first()
    assert body is not None
    assert "应于 2026-05-01 前落实，今天到期，" in body
