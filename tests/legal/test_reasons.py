"""A dispute's evidence and risk reasons are kept as data and shown in the reader's language: a dispute's
page in English reads English reasons, in Chinese Chinese ones, whoever ran the scan; the case's chain keeps
its Chinese note; rows holding the plain sentences of earlier scans show them as they are, rescan without a
change, and the data migration turns the Chinese ones into data."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fengqiao.accounts.models import User
from fengqiao.cases.models import CaseEvent
from fengqiao.legal import services
from fengqiao.legal.models import Dispute
from fengqiao.legal.reasons import render, same, texts
from tests.factories import City
from tests.legal.helpers import case_about, legal_office

migration = importlib.import_module("fengqiao.legal.migrations.0002_reasons_as_data")

ENGLISH = ["Mentions administrative reconsideration (“行政复议”)", "Mentions a lawyer (“律师”)",
           "Administrative coercion disputes often end in litigation"]
CHINESE = ["提及行政复议（“行政复议”）", "提及律师（“律师”）", "行政强制类争议诉讼率高"]
EVIDENCE_EN = ["Administrative coercion wording: 强拆", "Agency concerned: 海陵区城管局"]
EVIDENCE_ZH = ["行政强制用语：强拆", "涉及行政机关：海陵区城管局"]


def reader(user: User, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def detail(city: City, code: str, language: str) -> str:
    response = reader(city.users["legal"], language).get(reverse("legal_detail", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def flagged(city: City) -> Dispute:
    legal_office(city)
    case = case_about(city)
    d = services.scan_case(city.users["dispatcher"], case.code).dispute
    assert d is not None
    return d


def test_the_detector_keeps_its_reasons_as_data(city: City) -> None:
    d = flagged(city)
    assert d.risk_reasons == [{"key": "term", "term": "reconsideration", "word": "行政复议"},
                              {"key": "term", "term": "lawyer", "word": "律师"},
                              {"key": "severe_act", "act": "coercion"}]
    assert d.evidence == [{"key": "terms", "act": "coercion", "terms": ["强拆"]},
                          {"key": "agency", "agency": "海陵区城管局"}]


def test_a_dispute_page_shows_its_reasons_in_the_readers_language(city: City) -> None:
    d = flagged(city)
    english = detail(city, d.case.code, "en")
    for text in ENGLISH + EVIDENCE_EN:
        assert f"<li>{text}</li>" in english, text
    for text in CHINESE + EVIDENCE_ZH:
        assert text not in english, text
    chinese = detail(city, d.case.code, "zh-hans")
    for text in CHINESE + EVIDENCE_ZH:
        assert f"<li>{text}</li>" in chinese, text
    assert "Mentions" not in chinese


def test_a_scan_run_in_english_still_reads_chinese_in_chinese_and_the_chain_keeps_chinese(city: City) -> None:
    legal_office(city)
    case = case_about(city)
    response = reader(city.users["dispatcher"], "en").post(reverse("legal_scan", args=[case.code]))
    assert response.status_code == 302
    d = Dispute.objects.get(case=case)
    chinese = detail(city, case.code, "zh-hans")
    for text in CHINESE + EVIDENCE_ZH:
        assert f"<li>{text}</li>" in chinese, text
    note = CaseEvent.objects.get(case=case, action="l_flagged").note
    assert note == "；".join(EVIDENCE_ZH)
    assert CaseEvent.objects.get(case=case, action="l_flagged").data["reasons"] == d.risk_reasons


def test_a_manual_flags_reason_is_rendered_too(city: City) -> None:
    legal_office(city)
    case = case_about(city, "3 号楼电梯停运一周无人维修。", title="电梯故障")
    services.flag_manually(city.users["dispatcher"], case.code, act_type="inaction", agency="区市场监管局",
                           reason="多次投诉特种设备监管无果")
    assert "<li>Flagged by hand: 多次投诉特种设备监管无果</li>" in detail(city, case.code, "en")
    assert "<li>人工识别：多次投诉特种设备监管无果</li>" in detail(city, case.code, "zh-hans")


@pytest.mark.parametrize(("item", "chinese", "english"), [
    ({"key": "repeat_contacts", "n": 3}, "重复反映 3 次", "Repeat reports: 3"),
    ({"key": "unsatisfied", "n": 1}, "不满意评价 1 次", "Unsatisfied evaluations: 1"),
    ({"key": "reopened", "n": 2}, "重办 2 次", "Reopened: 2"),
    ({"key": "channel", "channel": "petition"}, "经信访渠道反映", "Came in through the petition channel"),
    ({"key": "term", "term": "media", "word": "曝光"}, "扬言曝光（“曝光”）", "Threatens to go to the media (“曝光”)"),
    ({"key": "severe_act", "act": "expropriation"}, "征收补偿类争议诉讼率高",
     "Expropriation and compensation disputes often end in litigation"),
    ({"key": "category", "category": "房屋征收"}, "分类：房屋征收", "Category: 房屋征收"),
    ({"key": "respondent", "agency": "泰州市市场监督管理局"}, "被反映对象为行政机关：泰州市市场监督管理局",
     "The complaint is about an administrative agency: 泰州市市场监督管理局"),
])
def test_each_kind_of_reason_in_both_languages(item: dict[str, object], chinese: str, english: str) -> None:
    with translation.override("en"):
        assert render(item) == english
        assert render(item, translate=False) == chinese
    with translation.override("zh-hans"):
        assert render(item) == chinese


def test_plain_strings_of_earlier_rows_show_as_they_are() -> None:
    with translation.override("en"):
        assert texts(["提及律师（“律师”）", "Repeat reports: 2"]) == ["提及律师（“律师”）", "Repeat reports: 2"]
        assert render({"key": "no such key", "text": "旧的理由"}) == "旧的理由"
    assert texts(None) == []


def test_a_row_of_plain_chinese_sentences_rescans_unchanged_and_a_real_change_is_seen(city: City) -> None:
    d = flagged(city)
    Dispute.objects.filter(pk=d.pk).update(risk_reasons=CHINESE, evidence=EVIDENCE_ZH)
    assert same(CHINESE, d.risk_reasons)
    again = services.scan_case(city.users["dispatcher"], d.case.code)
    assert (again.created, again.changed) == (False, False)
    assert Dispute.objects.get(pk=d.pk).version == d.version
    for text in CHINESE + EVIDENCE_ZH:  # shown as they are, in any language
        assert f"<li>{text}</li>" in detail(city, d.case.code, "en")

    Dispute.objects.filter(pk=d.pk).update(risk_reasons=CHINESE[1:])
    again = services.scan_case(city.users["dispatcher"], d.case.code)
    assert again.changed
    fresh = Dispute.objects.get(pk=d.pk)
    assert fresh.risk_reasons[0] == {"key": "term", "term": "reconsideration", "word": "行政复议"}
    assert fresh.version == d.version + 1


def test_the_migration_turns_the_detectors_chinese_sentences_into_data_and_back(city: City) -> None:
    d = flagged(city)
    old_reasons = [*CHINESE, "重复反映 2 次", "不满意评价 1 次", "重办 1 次", "经 12368 诉讼服务热线反映",
                   "Mentions a lawyer (“律师”)", "提及某事（“x”）"]
    old_evidence = [*EVIDENCE_ZH, "分类：房屋征收", "被反映对象为行政机关：区政府", "人工识别：多次投诉无果",
                    "某某用语：强拆"]
    Dispute.objects.filter(pk=d.pk).update(risk_reasons=old_reasons, evidence=old_evidence)
    migration.forwards(apps, None)
    fresh = Dispute.objects.get(pk=d.pk)
    assert fresh.risk_reasons == [*d.risk_reasons, {"key": "repeat_contacts", "n": 2},
                                  {"key": "unsatisfied", "n": 1}, {"key": "reopened", "n": 1},
                                  {"key": "channel", "channel": "court_12368"},
                                  "Mentions a lawyer (“律师”)", "提及某事（“x”）"]  # not the detector's: kept
    assert fresh.evidence == [*d.evidence, {"key": "category", "category": "房屋征收"},
                              {"key": "respondent", "agency": "区政府"}, {"key": "manual", "reason": "多次投诉无果"},
                              "某某用语：强拆"]
    migration.forwards(apps, None)  # again: nothing left to do
    assert Dispute.objects.get(pk=d.pk).risk_reasons == fresh.risk_reasons
    migration.backwards(apps, None)
    back = Dispute.objects.get(pk=d.pk)
    assert (back.risk_reasons, back.evidence) == (old_reasons, old_evidence)
