"""The demo mediation's pure parts: the events' digest is the audit chain's, the working-day arithmetic is
the calendar's, ProMediConv's cases are told of the demo's people, places and years, and without the data
set the built-in cases are used."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.demo import mediation_docs as docs
from fengqiao.demo import mediation_texts as texts
from fengqiao.demo.mediation_case import chain_digest, working_days_after
from fengqiao.kit import clock, working_days

STORY = texts.Story(
    "劳资劳动纠纷",
    "2017年3月，枫桥镇某汽车配件厂招工，魏某应聘上岗。3月27日魏某左手被机器压伤，向枫桥镇调委会求助；"
    "2018年金某仍未赔偿。",
    ("魏某", "金某"),
    (("sys", "“魏先生，您好，我是枫桥镇调委会的调解员。”", "了解基本情况"),
     ("魏某", "“我在枫桥人地生疏，医疗费太高。”", ""),
     ("金某", "“金老板我愿意承担一部分。”", ""),
     ("sys", "“双方达成以下协议：1. 金某支付魏某医药费2293元；2. 双方不再追究。大家同意吗？”", "达成调解协议")),
)
CAST = texts.Cast(applicant="张伟", respondent="李强", street="凤凰街道", district="海陵区", year=2026)


@pytest.mark.parametrize("data", [
    {}, {"mediation": "JF-AAAA-BBBB-CCCC", "from": "applied", "to": "accepted", "mediator_name": "王秀英"},
    {"session": 2, "minutes": 90, "replaces": None, "joint": True, "files": ["a", "b"], "nested": {"k": "值"}},
])
def test_the_demo_digest_is_the_audit_chains(data: dict[str, Any]) -> None:
    chain = {"case": 7, "seq": 3, "action": "m_schedule", "from": "accepted", "to": "accepted",
             "at": dt.datetime(2026, 3, 5, 6, 30, 1, tzinfo=dt.UTC), "actor": None, "role": "citizen", "unit": 12,
             "audience": "parties", "note": "第 1 次调解：2026-03-05 14:30，“老娘舅”调解室", "data": data}
    assert chain_digest(GENESIS, chain) == event_digest(GENESIS, chain)
    local = dict(chain, at=clock.at_local(dt.date(2026, 3, 5), dt.time(14, 30)))
    assert chain_digest("f" * 64, local) == event_digest("f" * 64, local)


@pytest.mark.django_db
def test_working_days_after_is_the_calendars() -> None:
    for offset in range(0, 400, 7):
        day = dt.date(2025, 11, 1) + dt.timedelta(days=offset)
        for days in (5, 30, 45, 60):
            assert working_days_after(day, days) == working_days.add_working_days(
                clock.at_local(day, dt.time(12)), days), (day, days)


def test_a_story_is_told_of_the_demos_people_places_and_years() -> None:
    told = texts.Localised(STORY, CAST)
    facts = told.facts()
    assert facts.startswith("2025年3月，凤凰街道某汽车配件厂招工，张伟应聘上岗")
    assert "2026年李强仍未赔偿" in facts
    assert "枫桥" not in facts
    assert "魏" not in facts
    turns = told.turns(0, 2, agreed=True)
    assert turns[0] == ("调解员", "张先生，您好，我是凤凰街道调委会的调解员。")
    assert turns[1] == ("张伟", "我在凤凰人地生疏，医疗费太高。")
    assert told.turns(1, 2, agreed=True)[0] == ("李强", "李老板我愿意承担一部分。")
    assert all("达成" not in text for _s, text in told.turns(1, 2, agreed=False))
    assert told.terms() == "1. 李强支付张伟医药费2293元；2. 双方不再追究。"


def test_a_record_and_the_terms_number_on() -> None:
    told = texts.Localised(STORY, CAST)
    record = texts.record(told.turns(0, 1, agreed=False), seq=1, when="2026年3月5日 14:30", place="凤凰街道调解室",
                          mediator="王秀英", applicant="张伟", respondent="李强", closing=docs.CLOSINGS[0])
    lines = record.splitlines()
    assert lines[:5] == ["调解笔录（第1次）", "时间：2026年3月5日 14:30", "地点：凤凰街道调解室", "调解员：王秀英",
                         "当事人：张伟（申请人）、李强（被申请人）"]
    assert lines[-2] == f"调解员：{docs.CLOSINGS[0]}"
    terms = docs.terms(random.Random(1), "labour", applicant="张伟", respondent="李强", unit="凤凰街道人民调解委员会",
                       sum_=None, perform_by=dt.date(2026, 4, 1), told=told.terms())
    assert terms.splitlines()[1].startswith("3. 本协议履行完毕后")
    assert terms.splitlines()[-1] == ("4. 本协议自双方签字之日起生效，一式三份，双方各执一份，"
                                      "凤凰街道人民调解委员会存档一份。")


def test_without_the_data_set_the_built_in_cases_are_used(settings: Any, tmp_path: Path) -> None:
    settings.SHARED_DATA_DIR = tmp_path
    stories, source = texts.load_stories()
    assert "内置" in source
    assert sum(map(len, stories.values())) == len(texts.BUILT_IN)
    assert texts.pick(random.Random(0), stories, "医疗健康纠纷") in texts.BUILT_IN  # any, when none of its type


def test_the_real_data_set_gives_every_dispute_type_with_two_people() -> None:
    stories, source = texts.load_stories()
    if "内置" in source:
        pytest.skip("../shared/data/promediconv is not here")
    assert len(stories) == 13
    assert all(len(s.people) >= 2 and s.turns for group in stories.values() for s in group)
