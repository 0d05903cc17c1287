"""Hot issues in the system: the job groups a city's recent cases by problem within each community, stores
them, and changes nothing when run again; cities are refreshed when due; reads are scoped to the reader
(area roles see their area, other roles are refused); /hot-issues/ ranks and drills down with masked names."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.intelligence import hot_issues
from fengqiao.intelligence.models import HotIssue, HotIssueCase, HotIssueRun
from fengqiao.kit import clock
from tests.factories import City

pytestmark = pytest.mark.django_db

NOISE = ("小区旁搅拌站夜间噪音扰民", "小区旁边新建的搅拌站每天夜里施工，噪音和粉尘让居民无法休息")
NOISE2 = ("搅拌站噪音粉尘严重扰民", "搅拌站离小区不到百米，夜间施工噪音大，粉尘满天飞")
NOISE3 = ("投诉搅拌站夜间施工噪音", "附近搅拌站夜间施工噪音扰民，粉尘污染严重，请尽快处理")
PARKING = ("小区停车位收费过高", "物业把地面停车位收费从每月一百元涨到三百元，业主无法接受")
PARKING2 = ("物业停车位收费上涨", "物业突然上调停车位收费，每月三百元，业主强烈反对")
LAMP = ("路灯不亮", "学校门口的路灯坏了一个月")


def reg(city: City, grid: int, text: tuple[str, str], name: str = "张三", phone: str = "13812345678") -> Case:
    lng, lat = city.point_in(grid)
    data = services.RegisterInput(
        channel="hotline_12345", title=text[0], description=text[1], category_id=city.categories["leaf"].pk,
        lng=lng, lat=lat, parties=[services.PartyInput(name=name, phone=phone)])
    return services.register(city.users["operator"], data).case


def planted(city: City) -> dict[str, Case]:
    """Grids 0, 1 are in 东风社区 (城东街道); grids 2, 3 in 西园社区 (城西街道)."""
    return {
        "n1": reg(city, 0, NOISE, "张三", "13800000001"), "n2": reg(city, 1, NOISE2, "李四", "13800000002"),
        "n3": reg(city, 0, NOISE3, "王五", "13800000003"),
        "far": reg(city, 2, NOISE, "赵六", "13800000004"),  # the same problem in another community
        "p1": reg(city, 2, PARKING, "钱七", "13800000005"), "p2": reg(city, 3, PARKING2, "孙八", "13800000006"),
        "lamp": reg(city, 3, LAMP, "周九", "13800000007"),
    }


def later() -> dt.datetime:
    return clock.now() + dt.timedelta(minutes=1)


def members() -> set[frozenset[str]]:
    out: dict[int, set[str]] = {}
    for issue_id, code in HotIssueCase.objects.values_list("issue_id", "case__code"):
        out.setdefault(issue_id, set()).add(code)
    return {frozenset(v) for v in out.values()}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_job_groups_within_each_community_and_is_idempotent(city: City) -> None:
    cases = planted(city)
    run = hot_issues.refresh_city(city.city.pk, later())
    assert (run.cases, run.issues) == (7, 2)
    assert members() == {frozenset({cases["n1"].code, cases["n2"].code, cases["n3"].code}),
                         frozenset({cases["p1"].code, cases["p2"].code})}
    noise = HotIssue.objects.get(anchor=cases["n1"])
    assert (noise.size, noise.people, noise.community, noise.street) == (3, 3, city.communities[0], city.street)
    assert noise.place == "海陵区 · 城东街道 · 东风社区"
    assert noise.first_seen == cases["n1"].registered_at
    assert noise.last_seen == cases["n3"].registered_at
    parking = HotIssue.objects.get(anchor=cases["p1"])
    assert noise.heat > parking.heat
    before = list(HotIssue.objects.order_by("pk").values_list("pk", "anchor_id", "size", "heat"))
    hot_issues.refresh_city(city.city.pk, later())
    assert list(HotIssue.objects.order_by("pk").values_list("pk", "anchor_id", "size", "heat")) == before
    assert HotIssueCase.objects.count() == 5
    assert HotIssueRun.objects.count() == 2  # each run is recorded


def test_an_issue_keeps_its_row_as_cases_join_and_goes_when_it_falls_apart(city: City) -> None:
    cases = planted(city)
    hot_issues.refresh_city(city.city.pk, later())
    noise = HotIssue.objects.get(anchor=cases["n1"])
    reg(city, 1, NOISE, "吴十", "13800000008")
    hot_issues.refresh_city(city.city.pk, later())
    assert HotIssue.objects.get(pk=noise.pk).size == 4
    # 31 days on, every case has left the 30-day window: no issue is left
    hot_issues.refresh_city(city.city.pk, later() + dt.timedelta(days=31))
    assert not HotIssue.objects.exists()
    assert not HotIssueCase.objects.exists()


def test_merged_duplicates_count_as_supports_not_as_cases(city: City) -> None:
    cases = planted(city)
    dup = reg(city, 0, NOISE, "张三", "13800000001")
    services.merge(city.users["dispatcher"], dup.code, into=cases["n1"].code)
    hot_issues.refresh_city(city.city.pk, later())
    noise = HotIssue.objects.get(anchor=cases["n1"])
    assert (noise.size, noise.supports) == (3, 1)
    assert dup.code not in {c for m in members() for c in m}


def test_due_cities_and_resuming(city: City) -> None:
    planted(city)
    now = later()
    assert hot_issues.due_cities(now) == [city.city.pk]
    assert [r.city_id for r in hot_issues.refresh_due(now)] == [city.city.pk]
    assert hot_issues.due_cities(now + dt.timedelta(minutes=30)) == []
    assert hot_issues.refresh_due(now + dt.timedelta(minutes=30)) == []
    assert hot_issues.due_cities(now + dt.timedelta(hours=2)) == [city.city.pk]
    assert len(hot_issues.refresh_due(now + dt.timedelta(minutes=30), force=True)) == 1


def test_reads_are_scoped_to_the_reader(city: City) -> None:
    cases = planted(city)
    hot_issues.refresh_city(city.city.pk, later())
    noise, parking = HotIssue.objects.get(anchor=cases["n1"]), HotIssue.objects.get(anchor=cases["p1"])
    for name in ("leader", "risk_officer", "dispatcher", "admin"):
        assert set(hot_issues.visible(city.users[name])) == {noise, parking}, name
    assert list(hot_issues.visible(city.users["street_dispatcher"])) == [noise]  # 城东街道 only
    for name in ("grid_worker", "handler", "operator", "citizen", "mediator"):
        assert not hot_issues.can_read(city.users[name]), name
        assert list(hot_issues.visible(city.users[name])) == []
        assert hot_issues.top(city.users[name]) == []
    top = hot_issues.top(city.users["leader"], n=5)
    assert [t.id for t in top] == [noise.pk, parking.pk]
    assert top[0].url == f"/hot-issues/{noise.pk}/"
    assert top[0].size == 3
    assert [t.id for t in hot_issues.top(city.users["leader"], n=1)] == [noise.pk]


def test_the_pages(city: City) -> None:
    cases = planted(city)
    hot_issues.refresh_city(city.city.pk, later())
    noise, parking = HotIssue.objects.get(anchor=cases["n1"]), HotIssue.objects.get(anchor=cases["p1"])
    page = client_for(city.users["leader"]).get("/hot-issues/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(noise.title) < html.index(parking.title)
    chart = json.loads(html.split('id="hot-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["urls"] == [f"/hot-issues/{parking.pk}/", f"/hot-issues/{noise.pk}/"]  # hottest bar on top
    assert chart["size"] == [2, 3]
    detail = client_for(city.users["leader"]).get(f"/hot-issues/{noise.pk}/").content.decode()
    for key in ("n1", "n2", "n3"):
        assert f'href="/cases/{cases[key].code}/"' in detail
    assert cases["far"].code not in detail
    assert "张*" in detail
    assert "张三" not in detail
    assert "13800000001" not in detail
    street = client_for(city.users["street_dispatcher"])
    assert street.get(f"/hot-issues/{noise.pk}/").status_code == 200
    assert street.get(f"/hot-issues/{parking.pk}/").status_code == 404
    assert parking.title not in street.get("/hot-issues/").content.decode()
    assert client_for(city.users["grid_worker"]).get("/hot-issues/").status_code == 403
    assert client_for(city.users["handler"]).get(f"/hot-issues/{noise.pk}/").status_code == 403
    assert client_for(city.users["leader"]).get("/hot-issues/999999/").status_code == 404
    assert Client().get("/hot-issues/").status_code == 302  # to the login page


def test_an_empty_list_says_why(city: City) -> None:
    html = client_for(city.users["leader"]).get("/hot-issues/").content.decode()
    assert "热点问题尚未计算" in html
    hot_issues.refresh_city(city.city.pk, later())
    assert "近期没有两件以上同一问题的事件" in client_for(city.users["leader"]).get("/hot-issues/").content.decode()


def test_the_navigation_tag_shows_the_link_to_readers_only(city: City) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    tpl = Template("{% load hot_nav %}{% hot_issues_nav_link %}")
    for name, shown in (("leader", True), ("risk_officer", True), ("dispatcher", True), ("admin", True),
                        ("grid_worker", False), ("handler", False), ("citizen", False)):
        request = RequestFactory().get("/hot-issues/")
        request.user = city.users[name]
        html = tpl.render(Context({"request": request}))
        assert ('href="/hot-issues/"' in html) is shown, name
        if shown:
            assert 'aria-current="page"' in html


def test_the_cases_own_area_names_are_taken_out_of_their_text(city: City) -> None:
    """Operators write the community into every title; the job hands the names of each case's own areas
    to the grouping, which takes them out of the text (hot_cluster test: the names alone make no likeness)."""
    reg(city, 0, ("关于城东街道东风社区路灯不亮的诉求", "城东街道东风社区的路灯不亮问题由来已久，夜里出行不安全"),
        "张三", "13800000001")
    reg(city, 1, ("关于城东街道东风社区停车收费的诉求", "城东街道东风社区的停车收费问题由来已久，物业乱收费"),
        "李四", "13800000002")
    now = later()
    messages, _rows = hot_issues.case_messages(city.city, now - dt.timedelta(days=30), now)
    assert {n for m in messages for n in m.place_names} == {
        "海陵区", "海陵", "城东街道", "城东", "东风社区", "东风", "东风社区第1网格", "东风社区第1", "东风社区第2网格",
        "东风社区第2"}
    assert all(m.place_names == tuple(sorted(m.place_names, key=len, reverse=True)) for m in messages)
    run = hot_issues.refresh_city(city.city.pk, now)
    assert (run.cases, run.issues) == (2, 0)
