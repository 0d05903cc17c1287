"""The detector: act types with their evidence, the agency, what it must not flag, risk grades with their
reasons; the statutory windows and the date they run from."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.legal.detector import Matter, Signals, detect, grade
from fengqiao.legal.reasons import texts
from fengqiao.legal.states import ActType, Risk
from fengqiao.legal.windows import add_months, mentioned_dates, windows_for


def test_a_forced_demolition_by_the_city_management_bureau() -> None:
    m = Matter(title="海陵区城管局强拆我家房屋", text="2026年3月5日海陵区城管局未经任何程序强拆了我家的房屋。")
    found = detect(m)
    assert found is not None
    assert found.act_type == ActType.COERCION
    assert found.agency == "海陵区城管局"
    assert found.agency_kind == "城管执法部门"
    assert {"key": "terms", "act": "coercion", "terms": ["强拆"]} in found.evidence
    assert texts(found.evidence) == ["行政强制用语：强拆", "涉及行政机关：海陵区城管局"]


def test_a_work_injury_decision_is_administrative_by_itself() -> None:
    found = detect(Matter(title="工伤认定", text="我去年摔伤，申请工伤认定被不予认定，不服。"))
    assert found is not None
    assert found.act_type == ActType.CONFIRMATION
    assert found.agency_kind == "人力资源社会保障部门"  # the usual body when none is named


@pytest.mark.parametrize(("title", "text"), [
    ("小区电梯故障", "3 号楼电梯停运一周无人维修，请物业尽快处理。"),
    ("公司罚款", "公司以不服从安排为由罚款五百元。"),  # a penalty, but by an employer: no body in the sentence
    ("学校收费", "学校每学期收取资料费三百元。"),
    ("建议修路", "建议政府把村道硬化，方便出行。"),
])
def test_private_matters_and_wishes_are_not_flagged(title: str, text: str) -> None:
    assert detect(Matter(title=title, text=text)) is None


def test_a_weak_term_counts_beside_a_government_body_or_a_government_respondent() -> None:
    text = "我被罚款两千元，没有任何说明。"
    assert detect(Matter(title="罚款", text=text)) is None
    assert detect(Matter(title="罚款", text="我被交警罚款两千元，没有任何说明。")) is not None
    found = detect(Matter(title="罚款", text=text, respondents=("泰州市市场监督管理局",)))
    assert found is not None
    assert found.agency == "泰州市市场监督管理局"
    assert found.agency_kind == "市场监管部门"


def test_the_category_adds_evidence() -> None:
    m = Matter(title="补偿", text="房子拆迁后补偿款一直没有到位。", categories=("国有土地上房屋征收与补偿", "城乡建设"))
    found = detect(m)
    assert found is not None
    assert found.act_type == ActType.EXPROPRIATION
    assert {"key": "category", "category": "国有土地上房屋征收与补偿"} in found.evidence


def test_risk_grades_with_reasons() -> None:
    quiet = Matter(title="低保", text="民政局取消了我家的低保，想问问原因。")
    found = detect(quiet)
    assert found is not None
    assert grade(found, quiet, Signals()).risk == Risk.WATCH
    assert found.risk_reasons == []
    loud = Matter(title="低保", text="民政局取消了我家的低保，我已请了律师，准备申请行政复议，不行就起诉。",
                  channel="petition")
    found = detect(loud)
    assert found is not None
    grade(found, loud, Signals(repeat_contacts=2, unsatisfied=1))
    assert found.risk == Risk.KEY
    assert found.risk_points == 2 + 2 + 1 + 2 + 2 + 1
    joined = "；".join(texts(found.risk_reasons))
    for words in ("行政复议", "起诉", "律师", "重复反映 2 次", "不满意评价 1 次", "信访"):
        assert words in joined
    middle = Matter(title="低保", text="民政局取消了我家的低保，这是违法的。")
    found = detect(middle)
    assert found is not None
    assert grade(found, middle, Signals(repeat_contacts=1)).risk == Risk.GENERAL


def test_windows_from_the_date_mentioned() -> None:
    registered = dt.date(2026, 5, 20)
    w = windows_for("2026年3月5日收到处罚决定书，4月1日又去问过。", registered)
    assert w.known_on == dt.date(2026, 4, 1)  # the latest date mentioned, not after registration
    assert w.known_from_text
    assert w.reconsider_by == dt.date(2026, 5, 31)
    assert w.litigate_by == dt.date(2026, 10, 1)
    assert w.days_left(dt.date(2026, 5, 20)) == (11, 134)


def test_windows_from_the_registration_when_no_date_is_mentioned() -> None:
    w = windows_for("城管把我的三轮车扣了。", dt.date(2026, 8, 31))
    assert (w.known_on, w.known_from_text) == (dt.date(2026, 8, 31), False)
    assert w.reconsider_by == dt.date(2026, 10, 30)
    assert w.litigate_by == dt.date(2027, 2, 28)  # 6 months on, clamped to the month's end


def test_dates_after_registration_or_long_ago_are_not_the_day_known() -> None:
    registered = dt.date(2026, 2, 10)
    assert dt.date(2025, 12, 25) in mentioned_dates("12月25日收到通知", registered)  # the year before
    w = windows_for("2010年买的房，2027年1月1日要拆", registered)
    assert w.known_on == registered
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
