"""Weekly and monthly reports: periods, contents equal to the Fact rows, the PDF and the workbook, the page,
the download (scope, 403/404, bad input 400, private and cached on disk) and the command."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from fengqiao.accounts.models import User
from fengqiao.audit.models import PersonalDataView
from fengqiao.cases.models import Case, Channel
from fengqiao.cockpit import extras, reports, reports_files, reports_pdf, reports_xlsx, rollup
from fengqiao.cockpit import selectors as sel
from fengqiao.cockpit.models import CITY_SCOPE, Dim, Fact, Grain
from fengqiao.intelligence.models import HotIssue, HotIssueCase
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock
from fengqiao.kit.errors import ValidationFailed
from tests.cockpit.conftest import assessed_month
from tests.factories import City

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)  # a Wednesday of ISO week 48 (23–29 November)
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def month(city: City, frozen: None, data_dir: Path) -> list[Case]:
    """Nine cases: seven registered on 25 November (week 48), two on 29 October (week 44)."""
    return assessed_month(city, NOV)


def city_scope() -> sel.Scope:
    return sel.Scope(CITY_SCOPE, "泰州市", "city")


def fact(scope: int, grain: str, period: dt.date, dim: str = Dim.ALL, key: str = "") -> Fact:
    return Fact.objects.get(scope=scope, grain=grain, period=period, dim=dim, key=key)


# ---- periods -------------------------------------------------------------------------------------------------

def test_weeks_are_iso_weeks_monday_to_sunday() -> None:
    week = reports.parse_report_period("2026-W48")
    assert (week.key, week.start, week.end) == ("2026-W48", dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    assert week.label == "2026年第48周（11月23日—11月29日）"
    assert reports.kind_of(week) == reports.WEEK
    first = reports.parse_report_period("2026-w1")  # ISO week 1 of 2026 starts on Monday 29 December 2025
    assert (first.key, first.start) == ("2026-W01", dt.date(2025, 12, 29))
    assert reports.previous_of(first).key == "2025-W52"
    assert reports.parse_report_period("2026-W53").start == dt.date(2026, 12, 28)  # 2026 has 53 weeks
    assert reports.months_touched(first) == [dt.date(2025, 12, 1), dt.date(2026, 1, 1)]


def test_months_and_their_previous() -> None:
    month = reports.parse_report_period("2026-1")
    assert (month.key, month.start, month.end, month.label) == ("2026-01", dt.date(2026, 1, 1), dt.date(2026, 2, 1),
                                                               "2026年1月")
    assert reports.previous_of(month).key == "2025-12"
    assert reports.kind_of(month) == reports.MONTH


@pytest.mark.parametrize(("text", "message"), [
    ("2025-W53", "2025年没有第53周"), ("2026-W00", "没有第0周"), ("2026-13", "无法识别"), ("", "无法识别"),
    ("2026-Q4", "无法识别"), ("12m", "无法识别"), ("W48", "无法识别"), ("1999-W10", "没有第10周"),
])
def test_bad_periods_are_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        reports.parse_report_period(text)
    assert message in error.value.message
    assert "period" in error.value.fields


# ---- contents ------------------------------------------------------------------------------------------------

def test_month_report_equals_the_fact_rows(city: City, month: list[Case]) -> None:
    report = reports.build(city_scope(), reports.parse_report_period("2026-11"))
    row = fact(CITY_SCOPE, Grain.MONTH, NOV)
    assert (report.totals.received, report.totals.valid, report.totals.resolved) == (row.received, row.valid,
                                                                                     row.resolved)
    assert (row.received, row.valid) == (7, 6)  # seven registered in November, one of them cancelled
    before = fact(CITY_SCOPE, Grain.MONTH, dt.date(2026, 10, 1))
    assert report.before.received == before.received == 2
    received = report.figures[0]
    assert (received.label, received.value, received.previous, received.change) == ("受理", 7, 2, 2.5)
    resolution = next(f for f in report.figures if f.label == "办结率")
    assert resolution.value == round(row.resolved / row.valid, 4)
    assert resolution.change == round(resolution.value - before.resolved / before.valid, 4)  # percentage points
    assert report.channels is not None
    assert report.categories is not None
    channels = {ln.key: (ln.totals.received, ln.previous) for ln in report.channels}
    assert channels == {Channel.HOTLINE_12345: (5, 1), Channel.PETITION: (1, 0), Channel.GRID_PATROL: (1, 0)}
    assert report.channels[0].share == round(5 / 7, 4)
    assert [ln.label for ln in report.channels][:1] == ["12345 热线"]
    categories = {ln.label: ln.totals.received for ln in report.categories}
    assert categories == {"城乡建设": 5, "环境保护": 1, "未分类": 1}  # top-level categories; one has none
    assert len(report.days) == 30
    assert report.days[24] == "2026-11-25"
    assert report.received_by_day[24] == 7
    assert sum(report.received_by_day) == 7
    assert sum(report.resolved_by_day) == row.resolved
    assert report.area_level == "district"
    assert [(ln.label, ln.totals.received) for ln in report.areas] == [("海陵区", 7)]
    assert report.units == sel.rankings(city_scope(), report.period)
    assert report.units
    assert report.as_of == NOW


def test_week_report_reads_day_rows_and_has_no_ranking(city: City, month: list[Case]) -> None:
    report = reports.build(city_scope(), reports.parse_report_period("2026-W48"))
    days = Fact.objects.filter(scope=CITY_SCOPE, grain=Grain.DAY, dim=Dim.ALL, period__gte=dt.date(2026, 11, 23),
                               period__lt=dt.date(2026, 11, 30))
    assert report.totals.received == sum(d.received for d in days) == 7
    assert report.before.received == 0
    assert report.figures[0].change is None
    assert report.days == [f"2026-11-{d}" for d in range(23, 30)]
    assert report.received_by_day == [0, 0, 7, 0, 0, 0, 0]
    assert report.units == []
    october = reports.build(city_scope(), reports.parse_report_period("2026-W44"))
    assert october.totals.received == 2
    assert {ln.key for ln in october.channels or []} == {Channel.HOTLINE_12345, Channel.POLICE_110}


def test_a_district_month_has_a_street_table_and_a_street_none(city: City, month: list[Case]) -> None:
    admin = city.users["admin"]
    district = sel.scope_for(admin, city.district.pk)
    report = reports.build(district, reports.parse_report_period("2026-11"))
    streets = {ln.label: ln.totals.received for ln in report.areas}
    assert report.area_level == "street"
    assert streets == {"城东街道": fact(city.street.pk, Grain.MONTH, NOV).received,
                       "城西街道": fact(city.other_street.pk, Grain.MONTH, NOV).received}
    assert reports.build(district, reports.parse_report_period("2026-W48")).area_level == ""  # streets: months only
    street = reports.build(sel.scope_for(admin, city.street.pk), reports.parse_report_period("2026-11"))
    assert street.area_level == ""
    assert street.totals.received == streets["城东街道"]


def test_a_scope_without_daily_channels_still_has_its_week_report(city: City, month: list[Case]) -> None:
    """A street keeps only its daily total: its week report has no channel or category tables, and says so."""
    def not_kept() -> list[reports.Line]:
        raise ValidationFailed("“渠道”只按整月统计")

    assert reports.kept(not_kept) is None
    report = reports.build(city_scope(), reports.parse_report_period("2026-W48"))
    report.channels = report.categories = None
    report.by_day_only = True
    text = pdf_text(reports_pdf.render(report)).replace(" ", "")
    assert "周报不含渠道和分类分布" in text
    assert "受理渠道" not in text
    book = load_workbook(io.BytesIO(reports_xlsx.render(report)))
    assert "受理渠道" not in book.sheetnames
    assert "每日走势" in book.sheetnames


def test_sections_of_missing_parts_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    assert reports.optional("fengqiao.no_such_part", "top") is None
    assert reports.optional("fengqiao.cockpit.reports", "NO_SUCH_FUNCTION") is None
    monkeypatch.setattr(reports, "optional", lambda module, name: None)
    assert reports.risk_section(city_scope(), reports.parse_report_period("2026-11")) is None
    assert reports.warning_section(city_scope(), reports.parse_report_period("2026-11"), None) is None  # no reader
    assert reports.hot_section(city_scope(), reports.parse_report_period("2026-11"), None) is None  # no reader


def test_a_failing_section_says_so_instead_of_failing_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(area: Any, period: Any, limit: int) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(reports, "optional", lambda module, name: broken)
    section = reports.risk_section(city_scope(), reports.parse_report_period("2026-11"))
    assert section is not None
    assert section.rows == []
    assert "无法生成" in section.note


def hot_issue(city: City, anchor: Case, title: str, street: Area, first: dt.datetime, last: dt.datetime,
              heat: float) -> HotIssue:
    issue = HotIssue.objects.create(city=city.city, anchor=anchor, title=title, place="东风社区",
                                    district=city.district, street=street, heat=heat, size=3, people=2,
                                    first_seen=first, last_seen=last, computed_at=NOW)
    HotIssueCase.objects.create(issue=issue, case=anchor)
    return issue


def test_hot_issues_of_the_scope_and_period_for_readers_of_them(city: City, month: list[Case]) -> None:
    day = dt.timedelta(days=1)
    hot_issue(city, month[1], "小区电梯反复停运", city.street, NOW - 3 * day, NOW, 8.5)
    hot_issue(city, month[2], "工厂夜间噪声扰民", city.other_street, NOW - 2 * day, NOW - day, 9.1)
    hot_issue(city, month[0], "九月的停水", city.street, NOW - 80 * day, NOW - 70 * day, 20.0)  # before November
    november = reports.parse_report_period("2026-11")
    leader = city.users["leader"]
    section = reports.hot_section(city_scope(), november, leader)
    assert section is not None
    assert [row[0] for row in section.rows] == ["工厂夜间噪声扰民", "小区电梯反复停运"]  # by heat
    assert section.rows[0][1:] == ["东风社区", 3, 2, 9.1]
    street = sel.scope_for(leader, city.street.pk)
    assert [r[0] for r in reports.hot_section(street, november, leader).rows] == ["小区电梯反复停运"]  # type: ignore[union-attr]
    district_reader = city.users["risk_officer"]
    district = sel.scope_for(district_reader, city.district.pk)
    assert len(reports.hot_section(district, november, district_reader).rows) == 2  # type: ignore[union-attr]
    assert reports.hot_section(city_scope(), november, city.users["handler"]) is None  # may not read hot issues
    pdf = pdf_text(reports_pdf.render(reports.build(city_scope(), november, leader))).replace(" ", "")
    assert "工厂夜间噪声扰民" in pdf
    assert "工厂夜间噪声扰民" not in pdf_text(reports_pdf.render(reports.build(city_scope(), november)))


def test_call_with_passes_only_the_named_arguments() -> None:
    def top(area: Any, limit: int = 3, *, period: Any = None) -> tuple[Any, int, Any]:
        return area, limit, period

    assert reports.call_with(top, {"user": "u", "limit": 10, "period": "p", "area": "a"}) == ("a", 10, "p")

    def needs(area: Any, start: Any, city_code: str) -> None:
        return None

    with pytest.raises(reports.Incompatible, match="needs city_code"):
        reports.call_with(needs, {"area": None, "start": None})


def test_functions_that_count_for_a_reader_or_since_a_date_are_refused() -> None:
    """``grade_counts(user, since)`` counts the reader's whole reach up to today: not a period's figure."""
    def grade_counts(user: Any, since: dt.datetime) -> dict[str, int]:
        raise AssertionError("not called")

    with pytest.raises(reports.Incompatible, match="takes no area and period"):
        reports.call_with(grade_counts, {"user": None, "since": None})


def test_escalation_grades_of_the_scope_and_period(city: City, month: list[Case]) -> None:
    from fengqiao.warning.models import Score

    def score(case: Case, grade: str) -> None:
        Score.objects.create(case=case, probability=0.5, grade=grade, model_version="t", scored_at=NOW)

    in_november = [c for c in month if c.registered_at >= clock.at_local(NOV, dt.time())]
    east = [c for c in in_november if c.street_id == city.street.pk]
    west = [c for c in in_november if c.street_id == city.other_street.pk]
    october = next(c for c in month if c.registered_at < clock.at_local(NOV, dt.time()))
    score(east[0], "key")
    score(east[1], "watch")
    score(west[0], "key")
    score(october, "key")  # registered in October: not November's
    leader = city.users["leader"]
    november = reports.parse_report_period("2026-11")
    section = reports.warning_section(city_scope(), november, leader)
    assert section is not None
    assert section.rows == [["重点", 2], ["一般", 0], ["关注", 1]]
    street = reports.warning_section(sel.scope_for(leader, city.street.pk), november, leader)
    assert street is not None
    assert street.rows == [["重点", 1], ["一般", 0], ["关注", 1]]
    # the cockpit reads the same function: the same figures for the same scope and period
    assert extras.warning(leader, city_scope(), november)["grades"] == {"key": 2, "general": 0, "watch": 1}
    assert extras.warning(leader, sel.scope_for(leader, city.street.pk), november)["grades"] == {
        "key": 1, "general": 0, "watch": 1}


def test_the_cockpit_and_the_report_read_the_same_hot_issues(city: City, month: list[Case]) -> None:
    """One function (``hot_issues.hottest``): the cockpit lists the scope's issues of the last run, the
    report those of its period."""
    day = dt.timedelta(days=1)
    hot_issue(city, month[1], "小区电梯反复停运", city.street, NOW - 3 * day, NOW, 8.5)
    hot_issue(city, month[0], "九月的停水", city.street, NOW - 80 * day, NOW - 70 * day, 20.0)
    hot_issue(city, month[2], "工厂夜间噪声扰民", city.other_street, NOW - 2 * day, NOW - day, 9.1)
    leader = city.users["leader"]
    street = sel.scope_for(leader, city.street.pk)
    november = reports.parse_report_period("2026-11")
    assert [i["title"] for i in extras.hot_issues(leader, street, november)] == ["九月的停水", "小区电梯反复停运"]
    section = reports.hot_section(street, november, leader)
    assert section is not None
    assert [r[0] for r in section.rows] == ["小区电梯反复停运"]
    assert extras.hot_issues(city.users["handler"], city_scope(), november) == []  # may not read hot issues


def test_the_risk_indicators_section_counts_the_scope_and_period(city: City, month: list[Case]) -> None:
    from fengqiao.risk import indicators

    period = reports.parse_report_period("2026-11")
    section = reports.risk_section(city_scope(), period)
    expected = indicators.compute(None, period.start, period.end)
    assert section is not None
    assert section.rates == (3,)
    assert section.rows[0] == [expected.screening.label, expected.screening.numerator,
                               expected.screening.denominator, expected.screening.rate]


# ---- files ---------------------------------------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_holds_the_figures(city: City, month: list[Case]) -> None:
    report = reports.build(city_scope(), reports.parse_report_period("2026-11"))
    data = reports_pdf.render(report)
    assert data.startswith(b"%PDF")
    text = pdf_text(data).replace(" ", "")
    assert "泰州市矛盾纠纷和群众诉求办理月报" in text
    assert "本期共受理群众诉求7件（上期2件，环比+250.0%）" in text
    assert "12345热线" in text
    assert "海陵区" in text
    assert "城乡建设" in text
    assert "承办单位“三率”排名" in text
    assert report.units[0].name.replace(" ", "") in text
    assert "数据更新于2026-11-2510:00" in text


def test_the_workbook_holds_the_figures_with_rate_formats_and_charts(city: City, month: list[Case]) -> None:
    report = reports.build(city_scope(), reports.parse_report_period("2026-11"))
    book = load_workbook(io.BytesIO(reports_xlsx.render(report)))
    assert book.sheetnames[:5] == ["概况", "受理渠道", "诉求分类", "每日走势", "各区县"]
    assert "单位三率排名" in book.sheetnames
    overview = book["概况"]
    rows = {r[0]: r[1:] for r in overview.iter_rows(min_row=6, values_only=True)}
    assert rows["受理"] == (7, 2, 2.5)
    assert rows["有效"][0] == 6
    resolution = next(c for c in overview["A"] if c.value == "办结率").row
    assert overview.cell(resolution, 2).value == report.totals.resolution_rate
    assert overview.cell(resolution, 2).number_format == "0.0%"
    channels = book["受理渠道"]
    assert [c.value for c in channels[1]][:3] == ["渠道", "受理", "占比"]
    assert [channels.cell(2, 1).value, channels.cell(2, 2).value] == ["12345 热线", 5]
    assert channels.cell(2, 3).number_format == "0.0%"
    assert len(channels._charts) == 1
    assert len(book["每日走势"]._charts) == 1
    trend = book["每日走势"]
    assert trend.cell(26, 1).value == "2026-11-25"
    assert trend.cell(26, 2).value == 7
    units = book["单位三率排名"]
    assert units.cell(2, 2).value == report.units[0].name
    assert units.cell(2, 4).number_format == "0.0%"


def test_files_are_kept_per_rollup_time_and_remade_after_it(city: City, month: list[Case], data_dir: Path) -> None:
    period = reports.parse_report_period("2026-W48")
    first = reports_files.report_file(city_scope(), period, "pdf")
    assert first.made
    assert first.path.is_relative_to(data_dir / "reports")
    again = reports_files.report_file(city_scope(), period, "pdf")
    assert not again.made
    assert again.path == first.path
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        rollup.ensure([NOV], force=True)
        fresh = reports_files.report_file(city_scope(), period, "pdf")
    assert fresh.made
    assert fresh.path != first.path
    assert not first.path.exists()
    assert [p.name for p in fresh.path.parent.iterdir()] == [fresh.path.name]
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        hot = reports_files.report_file(city_scope(), period, "pdf", city.users["leader"])
    assert hot.made
    assert "-h-" in hot.path.name
    assert "-n-" in fresh.path.name
    assert fresh.path.exists()  # a reader with hot issues has her own file; the other stays


# ---- pages ---------------------------------------------------------------------------------------------------

def login(client: Client, username: str) -> Client:
    client.force_login(User.objects.get(username=username))
    return client


def test_the_list_offers_weeks_and_months_of_the_readers_scopes(city: City, month: list[Case], client: Client) -> None:
    body = login(client, "leader").get(reverse("cockpit_reports")).content.decode()
    assert "2026年第48周（11月23日—11月29日）" in body
    assert "2026年11月" in body
    assert "2026年10月" in body
    assert "2026年第44周" in body  # October's rollups exist, so its weeks are listed
    assert f"?scope={CITY_SCOPE}&amp;period=2026-W48&amp;format=pdf" in body
    district = login(Client(), "risk_officer").get(reverse("cockpit_reports")).content.decode()
    assert f"scope={city.district.pk}&amp;period=2026-11&amp;format=xlsx" in district
    assert "scope=0&amp;" not in district  # a district reader has no city report


def test_download_is_private_and_audited(city: City, month: list[Case], client: Client,
                                         caplog: pytest.LogCaptureFixture) -> None:
    login(client, "leader")
    url = reverse("cockpit_report_file")
    with caplog.at_level("INFO", logger="fengqiao.audit.reports"):
        response = client.get(url, {"scope": str(CITY_SCOPE), "period": "2026-11", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert book["概况"].cell(6, 2).value == 7
    line = next(r.getMessage() for r in caplog.records if r.name == "fengqiao.audit.reports")
    assert f"user={city.users['leader'].pk} scope=0 period=2026-11 format=xlsx" in line
    pdf = client.get(url, {"scope": str(CITY_SCOPE), "period": "2026-W48", "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "本期共受理群众诉求7件" in pdf_text(b"".join(pdf.streaming_content)).replace(" ", "")  # type: ignore[attr-defined]


def test_each_download_is_an_audit_record_and_a_refusal_none(city: City, month: list[Case], client: Client) -> None:
    url = reverse("cockpit_report_file")
    login(client, "leader")
    assert client.get(url, {"scope": str(CITY_SCOPE), "period": "2026-11", "format": "xlsx"}).status_code == 200
    assert client.get(url, {"scope": str(CITY_SCOPE), "period": "2026-W48", "format": "pdf"},
                      REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get(url, {"scope": str(CITY_SCOPE), "period": "2026-W60", "format": "pdf"}).status_code == 400
    first, second = PersonalDataView.objects.order_by("pk")
    leader = city.users["leader"]
    assert (first.user, first.role, first.subject, first.fields) == (leader, "leader", "report:0:2026-11.xlsx",
                                                                     "report,hot_issues")
    assert first.purpose == "下载泰州市2026年11月统计报告"
    assert (second.subject, second.ip_address) == ("report:0:2026-W48.pdf", "10.1.2.3")
    district = login(Client(), "risk_officer")
    assert district.get(url, {"scope": str(CITY_SCOPE), "period": "2026-11", "format": "pdf"}).status_code == 404
    assert PersonalDataView.objects.count() == 2  # a refused download is no download
    assert district.get(url, {"scope": str(city.district.pk), "period": "2026-11",
                              "format": "pdf"}).status_code == 200
    last = PersonalDataView.objects.order_by("pk").last()
    assert last is not None
    assert (last.user, last.subject) == (city.users["risk_officer"], f"report:{city.district.pk}:2026-11.pdf")


@pytest.mark.parametrize(("user", "params", "status", "message"), [
    ("leader", {"scope": "0", "period": "2026-W60", "format": "pdf"}, 400, "没有第60周"),
    ("leader", {"scope": "0", "period": "next week", "format": "pdf"}, 400, "无法识别"),
    ("leader", {"scope": "0", "period": "2026-11", "format": "docx"}, 400, "请选 pdf 或 xlsx"),
    ("leader", {"scope": "city", "period": "2026-11", "format": "pdf"}, 400, "统计范围“city”无效"),
    ("leader", {"scope": "0", "period": "2025-01", "format": "pdf"}, 404, "尚未生成"),
    ("risk_officer", {"scope": "0", "period": "2026-11", "format": "pdf"}, 404, "无权查看"),
    ("handler", {"scope": "0", "period": "2026-11", "format": "pdf"}, 403, "领导驾驶舱只对"),
    ("grid_worker", {}, 403, "领导驾驶舱只对"),
])
def test_download_refusals(city: City, month: list[Case], client: Client, user: str, params: dict[str, str],
                           status: int, message: str) -> None:
    response = login(client, user).get(reverse("cockpit_report_file"), params)
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_list_refuses_readers_without_the_cockpit(city: City, client: Client) -> None:
    assert login(client, "handler").get(reverse("cockpit_reports")).status_code == 403
    assert Client().get(reverse("cockpit_reports")).status_code == 302  # to the login page


# ---- command -------------------------------------------------------------------------------------------------

def test_the_command_writes_the_report(city: City, month: list[Case], tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    call_command("cockpit_report", period="2026-11", format="xlsx", out=str(out), stderr=io.StringIO())
    assert load_workbook(out)["概况"].cell(6, 2).value == 7
    street = tmp_path / "street.pdf"
    call_command("cockpit_report", period="2026-W48", scope=city.street.code, format="pdf", out=str(street),
                 stderr=io.StringIO())
    assert "城东街道矛盾纠纷和群众诉求办理周报" in pdf_text(street.read_bytes()).replace(" ", "")


@pytest.mark.parametrize(("options", "message"), [
    ({"period": "2026-W99"}, "--period"),
    ({"period": "2026-11", "scope": "nope"}, "no area with code nope"),
    ({"period": "2026-11", "scope": "321202001001"}, "reports are for the city, a district or a street"),
    ({"period": "2025-01", "no_refresh": True}, "no rollups for 2025-01"),
])
def test_the_command_refuses_bad_input(city: City, month: list[Case], tmp_path: Path, options: dict[str, Any],
                                       message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("cockpit_report", format="pdf", out=str(tmp_path / "x.pdf"), **options)
