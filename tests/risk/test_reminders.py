"""Review-due reminders: the responsible leader and the unit's handlers get one in-app message per due date;
a rerun queues nothing; a review moves the date and the next overdue date reminds again; entries not under
review (written off) and entries not yet due are left alone.  The periodic job runs the same sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.notifications.models import Channel, Outbox
from fengqiao.risk import reminders, services, tasks
from fengqiao.risk.models import RiskEntry
from tests.cases.builders import dispatch, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def opened(city: City, title: str) -> RiskEntry:
    case = dispatch(city, register(city, title=title))
    return services.open_from_case(city.users["risk_officer"], case.code, "key", "情绪激烈，扬言上访",
                                   city.departments[0].pk, city.users["leader"].pk)


def sent() -> list[tuple[str, str, str]]:
    return sorted(Outbox.objects.filter(kind=reminders.KIND).values_list("recipient__username", "subject", "channel"))


def test_once_per_due_date_to_the_leader_and_the_unit(city: City, frozen: Any) -> None:
    entry = opened(city, "拆迁补偿分歧")
    done = services.write_off(city.users["risk_officer"],
                              services.tackle(city.users["risk_officer"], opened(city, "欠薪").code,
                                              measure="约谈企业负责人").code, evidence="工资已全部发放")
    assert reminders.sweep().entries == 0  # nothing is due yet
    frozen.move_to(MONDAY + dt.timedelta(days=8))
    assert reminders.sweep().entries == 1  # the written-off one is not reviewed any more
    subject = f"风险复核逾期：{entry.code}"
    assert sent() == [("handler", subject, Channel.IN_APP), ("leader", subject, Channel.IN_APP)]
    body = Outbox.objects.filter(kind=reminders.KIND).values_list("body", flat=True).first()
    assert body == "「拆迁补偿分歧」应于 2026-03-09 复核，已逾期 1 天，请尽快复核并记录。"
    tasks.remind_overdue_reviews.call_local()
    reminders.sweep()
    assert len(sent()) == 2  # idempotent
    services.review(city.users["handler"], entry.code, note="已约谈，情绪平稳")
    assert reminders.sweep().entries == 0
    frozen.move_to(MONDAY + dt.timedelta(days=16))
    reminders.sweep()
    assert len(sent()) == 4  # the new due date reminds again
    assert done.next_review_at is None
