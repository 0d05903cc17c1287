"""The pool, figures and subsidy pages over HTTP: who gets in, what each sees, bad input → 4xx with a
message naming the field (never 500), the availability form, the export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.test import Client
from openpyxl import load_workbook

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.kit import clock
from fengqiao.mediation.models import Mediator, MediatorKind
from fengqiao.mediation.states import MState
from tests.factories import build_city
from tests.mediation.factories import World, build_world
from tests.mediation.pool_kit import SH, account, at, mediation, mediator

NEXT_MONTH = f"{(clock.today().replace(day=1) + dt.timedelta(days=32)):%Y-%m}"  # always in the future

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH)


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        built = build_world(build_city())
        a, b = built.mediators
        mediation(built, state=MState.AGREED, who=a, applied_at=at(2026, 5, 1), concluded_at=at(2026, 5, 11),
                  subsidy="200.00", rating=5)
        mediation(built, state=MState.FAILED, who=a, applied_at=at(2026, 5, 2), concluded_at=at(2026, 5, 12),
                  difficulty="complex", subsidy="120.00", rating=3)
        mediation(built, state=MState.PERFORMED, who=b, applied_at=at(2026, 5, 3), concluded_at=at(2026, 5, 13),
                  subsidy="200.00")
        mediation(built, state=MState.SCHEDULED, who=a, applied_at=at(2026, 6, 1))
        mediator(built, "钱律师", kind=MediatorKind.LAWYER, area=built.city.district, specialties=("debt",),
                 languages="普通话、英语")
        yield built


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(user: User, url: str) -> tuple[int, str]:
    with time_machine.travel(NOW, tick=False):
        response = client_for(user).get(url)
    return response.status_code, response.content.decode()


def assert_refused(user: User, url: str, status: int, reason: str) -> None:
    """The page answers ``status`` with a message that gives the reason."""
    got, html = get(user, url)
    assert (got, reason in html) == (status, True)


def test_the_pool_page_lists_and_filters(world: World) -> None:
    admin = world.city.users["admin"]
    status, html = get(admin, "/mediation/mediators/")
    assert status == 200
    assert "调解专家库" in html
    assert "王秀英" in html
    assert "钱律师" in html
    assert 'data-testid="pool-count"' in html
    assert "共 3 名调解员" in html
    status, html = get(admin, "/mediation/mediators/?kind=lawyer")
    assert (status, "钱律师" in html, "王秀英" in html) == (200, True, False)
    status, html = get(admin, "/mediation/mediators/?language=英语&specialty=debt")
    assert (status, "钱律师" in html, "李建国" in html) == (200, True, False)
    status, html = get(world.city.users["dispatcher"], "/mediation/mediators/")
    assert status == 200  # dispatchers pick mediators too


@pytest.mark.parametrize(("query", "field"), [
    ("kind=wizard", "没有这个调解员类别"), ("specialty=nope", "没有这个纠纷类型"), ("area=999", "没有这个区县或镇街"),
    ("availability=maybe", "接案状态只能是"), ("sort=random", "排序只能按"),
])
def test_bad_pool_filters_are_400_with_the_reason(world: World, query: str, field: str) -> None:
    assert_refused(world.city.users["admin"], f"/mediation/mediators/?{query}", 400, field)


def test_citizens_and_strangers_do_not_get_the_pool(world: World) -> None:
    status, html = get(world.city.users["citizen"], "/mediation/mediators/")
    assert status == 403
    assert "解纷码" in html
    with time_machine.travel(NOW, tick=False):
        response = Client().get("/mediation/mediators/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_profile_shows_her_year_and_only_the_mediations_the_reader_may_see(world: World) -> None:
    a = world.mediators[0]
    status, html = get(world.city.users["admin"], f"/mediation/mediators/{a.pk}/")
    assert status == 200
    assert 'data-testid="year-concluded">2<' in html
    assert 'data-testid="year-rate">50.0%<' in html
    assert 'data-testid="load">1<' in html
    codes = list(a.mediations.values_list("code", flat=True))
    assert all(code in html for code in codes)
    with time_machine.travel(NOW, tick=False):
        outsider = account("west_leader", Role.LEADER, area=world.city.other_street)
    status, html = get(outsider, f"/mediation/mediators/{a.pk}/")
    assert status == 200
    assert not any(code in html for code in codes)
    assert "没有您可查看的调解" in html
    assert get(world.city.users["admin"], "/mediation/mediators/99999/")[0] == 404


def test_she_sets_her_own_availability_and_it_is_logged(world: World) -> None:
    a = world.mediators[0]
    me = world.users["mediator_a"]
    _status, html = get(me, f"/mediation/mediators/{a.pk}/")
    assert 'name="mode"' in html
    with time_machine.travel(NOW, tick=False):
        response = client_for(me).post(f"/mediation/mediators/{a.pk}/availability/",
                                       {"mode": "away", "until": "2026-06-30"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.available, a.unavailable_until) == (True, dt.date(2026, 6, 30))
    entry = LogEntry.objects.get(object_id=str(a.pk))
    assert (entry.user, entry.change_message) == (me, "本人修改接案状态：接受新案件 → 外出至 2026-06-30")
    with time_machine.travel(NOW, tick=False):
        client_for(me).post(f"/mediation/mediators/{a.pk}/availability/", {"mode": "paused"})
    a.refresh_from_db()
    assert (a.available, a.unavailable_until) == (False, None)


@pytest.mark.parametrize(("form", "message"), [
    ({"mode": "away", "until": "2026-06-01"}, "不能早于今天"),
    ({"mode": "away", "until": "next week"}, "日期格式应为 YYYY-MM-DD"),
    ({"mode": "away", "until": "2027-12-31"}, "最多一年"),
    ({"mode": "holiday"}, "请选择"),
])
def test_bad_availability_is_refused_at_the_field(world: World, form: dict[str, str], message: str) -> None:
    a = world.mediators[0]
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.users["mediator_a"]).post(f"/mediation/mediators/{a.pk}/availability/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    a.refresh_from_db()
    assert (a.available, a.unavailable_until) == (True, None)
    assert LogEntry.objects.count() == 0


def test_nobody_else_sets_her_availability(world: World) -> None:
    a = world.mediators[0]
    _status, html = get(world.users["mediator_b"], f"/mediation/mediators/{a.pk}/")
    assert 'name="mode"' not in html
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.users["mediator_b"]).post(f"/mediation/mediators/{a.pk}/availability/",
                                                               {"mode": "paused"})
    assert response.status_code == 403
    assert Mediator.objects.get(pk=a.pk).available is True
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.city.users["admin"]).post(f"/mediation/mediators/{a.pk}/availability/",
                                                              {"mode": "paused"})
    assert response.status_code == 302
    assert LogEntry.objects.get().change_message.startswith("管理员修改接案状态")


def test_the_figures_page(world: World) -> None:
    status, html = get(world.city.users["admin"], "/mediation/figures/")
    assert status == 200
    assert 'data-testid="total-concluded">3<' in html
    assert 'data-testid="total-rate">66.7%<' in html
    assert 'data-testid="open-total">1<' in html
    assert 'id="figures-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    status, html = get(world.users["mediator_a"], "/mediation/figures/?from=2026-05&to=2026-05")
    assert status == 200
    assert 'data-testid="total-concluded">3<' in html
    assert get(world.city.users["handler"], "/mediation/figures/")[0] == 403


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-13", "起始月份「2026-13」的月份格式应为 YYYY-MM"), (f"to={NEXT_MONTH}", "截止月份不能晚于本月"),
    ("to=June", "截止月份「June」的月份格式应为 YYYY-MM"),
    ("from=2026-06&to=2026-01", "起始月份不能晚于截止月份"), ("from=2020-01&to=2026-06", "一次最多统计 36 个月"),
    ("district=000", "区县：没有编码为「000」的区县"), ("kind=magic", "调解类型：没有「magic」这一类型"),
])
def test_bad_figure_filters_are_400_with_the_reason(world: World, query: str, message: str) -> None:
    assert_refused(world.city.users["admin"], f"/mediation/figures/?{query}", 400, message)


def test_the_subsidies_page_for_the_city_and_for_a_mediator(world: World) -> None:
    a, b = world.mediators
    status, html = get(world.city.users["admin"], "/mediation/subsidies/")  # last month by default
    assert status == 200
    assert 'data-testid="total">520.00<' in html
    assert "2026-05" in html
    assert "王秀英" in html
    assert "李建国" in html
    assert 'data-testid="schedule"' in html
    status, html = get(world.users["mediator_a"], "/mediation/subsidies/?month=2026-05")
    assert 'data-testid="total">320.00<' in html
    assert "李建国" not in html
    status, html = get(world.users["mediator_a"], f"/mediation/subsidies/?month=2026-05&mediator={a.pk}")
    assert status == 200
    assert 'data-testid="lines-total">320.00<' in html
    assert get(world.users["mediator_a"], f"/mediation/subsidies/?month=2026-05&mediator={b.pk}")[0] == 404
    status, html = get(world.city.users["admin"], "/mediation/subsidies/?month=2026-04")
    assert status == 200
    assert 'data-testid="total">0.00<' in html


@pytest.mark.parametrize(("query", "status", "message"), [
    ("month=2026-13", 400, "月份格式应为 YYYY-MM"), ("month=2026-07", 400, "还没有到"),
    ("mediator=abc", 400, "调解员编号应为数字"), ("mediator=99999", 404, "没有这位调解员的补贴记录"),
])
def test_bad_subsidy_input_is_a_4xx_with_the_reason(world: World, query: str, status: int, message: str) -> None:
    for url in ("/mediation/subsidies/", "/mediation/subsidies/export.xlsx"):
        assert_refused(world.city.users["admin"], f"{url}?{query}", status, message)


def test_the_export_is_the_readers_statement(world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.users["mediator_a"]).get("/mediation/subsidies/export.xlsx?month=2026-05")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="subsidies-2026-05.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in summary[1:]] == ["王秀英", "合计"]
    assert summary[-1][-1] == 320.0
    assert len(list(book.worksheets[1].iter_rows(min_row=2))) == 2
    assert get(world.city.users["citizen"], "/mediation/subsidies/export.xlsx")[0] == 403


def test_the_pages_speak_english_too(world: World) -> None:
    client = client_for(world.city.users["admin"])
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False):
        pool = client.get("/mediation/mediators/").content.decode()
        bad = client.get("/mediation/mediators/?specialty=nope")
        figures_page = client.get("/mediation/figures/").content.decode()
        subsidies_page = client.get("/mediation/subsidies/").content.decode()
    assert "Mediator pool" in pool
    assert "Taking cases" in pool
    assert bad.status_code == 400
    assert "Please check the filters: No such dispute type." in bad.content.decode()
    assert "Success rate by kind of mediation" in figures_page
    assert "Subsidies per mediator" in subsidies_page
