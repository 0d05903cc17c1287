"""Reply quality scores on hand-made replies (rules, no model installed): exact values, the weak flag and
the reasons a clerk reads."""

from __future__ import annotations

import pytest
from django.utils import translation

from fengqiao.intelligence import reply_quality as rq

MESSAGE = ("幸福小区3号楼电梯停运一周无人维修。小区3号楼电梯从上周一开始停运，物业一直不修，老人上下楼很困难。"
           "希望尽快修复电梯，并请说明物业为什么拖延。")
GOOD = ("您好！您反映的幸福小区3号楼电梯停运问题已收悉。经调查核实，该电梯因主板故障停运，物业公司未及时报修。"
        "根据《特种设备安全法》和《物业管理条例》的规定，我局已责令物业公司限期维修，电梯已于6月3日修复并恢复运行。"
        "物业拖延的原因是维修资金审批滞后，我局已督促其建立应急维修机制。如有疑问，请联系区住建局物业科，电话0523-86000000。")
BOILERPLATE = "您的留言已收悉，已转相关部门处理。"
OTHER_MATTER = "您好！关于您反映的公交站点更名建议，经研究，现有站名市民已熟知，不宜变更。感谢您的支持。"
NO_BASIS = ("您好！您反映的幸福小区3号楼电梯停运问题已收悉。经现场核实，电梯已于6月3日修复并恢复运行，"
            "物业公司拖延维修的情况我们已了解，后续将继续跟踪。")


@pytest.fixture(autouse=True)
def _no_model(settings: pytest.FixtureRequest, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rq, "load", lambda: None)
    monkeypatch.delenv("FENGQIAO_REPLY_QUALITY_THRESHOLD", raising=False)


def test_a_full_reply_scores_high_on_all_three_and_is_not_weak() -> None:
    s = rq.score(MESSAGE, GOOD)
    assert (s.relevance, s.completeness, s.explanation) == (1.0, 0.827, 1.0)
    assert (s.weak, s.reasons, s.unanswered) == (False, [], [])
    assert s.parts == {"acknowledgement": True, "findings": True, "action": True, "result": True, "contact": True}


def test_a_boilerplate_forwarding_reply_is_weak_with_every_reason() -> None:
    s = rq.score(MESSAGE, BOILERPLATE)
    assert (s.relevance, s.completeness, s.explanation, s.weak) == (0.0, 0.03, 0.0, True)
    assert s.reasons == [
        "答复与诉求关联不足，未提及：幸福、小区、号楼、电梯",
        "未回应诉求中的“希望尽快修复电梯”",
        "未回应诉求中的“并请说明物业为什么拖延。”",
        "未说明调查核实情况",
        "未说明采取的措施或依据",
        "未说明办理结果",
        "缺少联系方式或下一步安排",
        "答复过于简短",
        "缺少法律政策依据或原因说明",
    ]


def test_the_reasons_are_kept_in_chinese_and_shown_in_the_readers_language() -> None:
    reasons = rq.score(MESSAGE, BOILERPLATE).reasons
    with translation.override("en"):
        shown = [rq.reason_text(r) for r in [*reasons, "答复不够完整（完整性 83%，低于 90%）"]]
    assert shown == [
        "The reply does not address the request; it does not mention: 幸福、小区、号楼、电梯",
        "Does not answer “希望尽快修复电梯”",
        "Does not answer “并请说明物业为什么拖延。”",
        "Does not say what was found on checking",
        "Does not say what was done, or on what basis",
        "Does not give the result",
        "No contact details or next steps",
        "The reply is too short",
        "Gives no legal or policy basis and no reasons",
        "The reply is incomplete (completeness 83%, below 90%)",
    ]
    with translation.override("zh-hans"):
        assert [rq.reason_text(r) for r in reasons] == reasons  # Chinese is the source language


def test_a_reply_about_another_matter_is_not_relevant() -> None:
    s = rq.score(MESSAGE, OTHER_MATTER)
    assert s.relevance == 0.0
    assert s.weak is True
    assert s.reasons[0] == "答复与诉求关联不足，未提及：幸福、小区、号楼、电梯"


def test_a_relevant_reply_without_legal_basis_is_flagged_for_explanation_only() -> None:
    s = rq.score(MESSAGE, NO_BASIS)
    assert s.relevance == 1.0
    assert s.completeness >= 0.5
    assert s.explanation < 0.5
    assert s.reasons == ["缺少法律政策依据或原因说明"]


def test_the_threshold_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FENGQIAO_REPLY_QUALITY_THRESHOLD", "0.9")
    s = rq.score(MESSAGE, GOOD)
    assert (s.threshold, s.weak) == (0.9, True)  # completeness 0.827 < 0.9; every part is there
    assert s.reasons == ["答复不够完整（完整性 83%，低于 90%）"]  # every part is there: no specific gap to name
    monkeypatch.setenv("FENGQIAO_REPLY_QUALITY_THRESHOLD", "0.8")
    assert rq.score(MESSAGE, GOOD).weak is False
    monkeypatch.setenv("FENGQIAO_REPLY_QUALITY_THRESHOLD", "not a number")
    assert rq.threshold() == rq.DEFAULT_THRESHOLD


def test_demands_are_the_asking_clauses() -> None:
    assert rq.demands(MESSAGE) == ["希望尽快修复电梯", "并请说明物业为什么拖延。"]
    assert rq.demands("路灯坏了。") == []


def test_scores_stay_in_the_unit_interval_for_odd_input() -> None:
    for reply in ("", "。。。", "a" * 5000, MESSAGE):
        s = rq.score(MESSAGE, reply)
        assert all(0.0 <= v <= 1.0 for v in (s.relevance, s.completeness, s.explanation))
    assert rq.score(MESSAGE, "").weak is True
