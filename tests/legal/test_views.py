"""The legal pages over HTTP: who may open them, the list's filters and window urgency, the figures and
their drill-down links, a dispute's actions (bad input is a 400 naming the field), the case page's
button and badge, and the manual flag."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.legal import services
from fengqiao.legal.models import Dispute, Intervention
from tests.factories import City
from tests.legal.helpers import DEMOLITION, QUIET, case_about, legal_office

SH = ZoneInfo("Asia/Shanghai")


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def flagged(city: City, text: str = DEMOLITION, *, title: str = "门面被强拆", phone: str = "13812345678") -> Dispute:
    case = case_about(city, text, title=title, phone=phone)
    d = services.scan_case(city.users["dispatcher"], case.code).dispute
    assert d is not None
    return d


def test_who_may_open_the_monitoring_pages(city: City) -> None:
    legal_office(city)
    d = flagged(city)
    for name in ("legal", "leader", "risk_officer", "admin"):
        page = client_for(city.users[name]).get(reverse("legal_list"))
        assert page.status_code == 200, name
        assert d.case.code in page.content.decode()
        assert 'href="/legal/"' in page.content.decode()  # the nav link
    for name in ("dispatcher", "grid_worker", "handler"):
        page = client_for(city.users[name]).get(reverse("legal_list"))
        assert page.status_code == 403, name
        assert client_for(city.users[name]).get(reverse("legal_figures")).status_code == 403
    assert client_for(city.users["handler2"]).get(reverse("legal_detail", args=[d.case.code])).status_code == 403
    outside = User.objects.create_user(username="legal2", password="x", is_staff=True)
    from fengqiao.accounts.models import Membership
    from fengqiao.accounts.roles import Role

    Membership.objects.create(user=outside, role=Role.RISK_OFFICER, area=city.other_street)
    assert client_for(outside).get(reverse("legal_detail", args=[d.case.code])).status_code == 404
    assert Client().get(reverse("legal_list")).status_code == 302  # to the login


def test_the_list_filters_and_orders_by_risk_then_window(city: City) -> None:
    legal_office(city, auto_route_from="")
    key = flagged(city)
    watch = flagged(city, QUIET, title="低保被取消", phone="13900000002")
    c = client_for(city.users["legal"])
    body = c.get(reverse("legal_list")).content.decode()
    assert body.index(key.case.code) < body.index(watch.case.code)
    only = c.get(reverse("legal_list"), {"act": "benefit"}).content.decode()
    assert watch.case.code in only
    assert key.case.code not in only
    only = c.get(reverse("legal_list"), {"risk": "key"}).content.decode()
    assert key.case.code in only
    assert watch.case.code not in only
    bad = c.get(reverse("legal_list"), {"month": "2026-13-01"})
    assert bad.status_code == 400
    assert "请按 YYYY-MM 填写月份" in bad.content.decode()


def test_window_urgency(city: City) -> None:
    legal_office(city, auto_route_from="")
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        d = flagged(city)  # known on 2026-02-20 → reconsideration until 2026-04-21
        c = client_for(city.users["legal"])
        assert c.get(reverse("legal_list"), {"window": "soon"}).content.decode().count(d.case.code) == 0
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=SH), tick=False):
        c = client_for(city.users["legal"])  # a fresh session in the new time
        body = c.get(reverse("legal_list"), {"window": "soon"}).content.decode()
        assert d.case.code in body
        assert "剩 11 天" in body
    with time_machine.travel(dt.datetime(2026, 5, 10, 10, 0, tzinfo=SH), tick=False):
        c = client_for(city.users["legal"])
        assert d.case.code in c.get(reverse("legal_list"), {"window": "litigate"}).content.decode()
        page = c.get(reverse("legal_detail", args=[d.case.code])).content.decode()
        assert "已届满" in page
        assert "剩 102 天" in page


def test_figures_drill_down_to_the_list(city: City) -> None:
    legal_office(city)
    d = flagged(city)
    services.intervene(city.users["legal"], d.case.code, kind="opinion", note="出具法律意见")
    services.conclude(city.users["legal"], d.case.code, outcome="reconsideration", note="当事人申请了行政复议")
    flagged(city, QUIET, title="低保被取消", phone="13900000002")
    page = client_for(city.users["leader"]).get(reverse("legal_figures"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="fig-conversion">100.0%' in body  # 1 of 1 decided went to reconsideration
    assert "act=coercion" in body
    assert "act=benefit" in body
    assert "outcome=reconsideration" in body
    assert "agency=%E5%9F%8E%E7%AE%A1%E6%89%A7%E6%B3%95%E9%83%A8%E9%97%A8" in body  # 城管执法部门
    drilled = client_for(city.users["leader"]).get(reverse("legal_list"), {"tab": "all", "outcome": "reconsideration"})
    assert d.case.code in drilled.content.decode()


def test_actions_from_the_dispute_page(city: City) -> None:
    legal_office(city)
    d = flagged(city)
    c = client_for(city.users["legal"])
    url = reverse("legal_act", args=[d.case.code, "intervene"])
    bad = c.post(url, {"intervene-expected_version": d.version, "intervene-kind": "opinion", "intervene-note": ""})
    assert bad.status_code == 400
    assert not Intervention.objects.exists()
    ok = c.post(url, {"intervene-expected_version": d.version, "intervene-kind": "explain",
                      "intervene-note": "向当事人释明强制拆除的法定程序和救济途径。"})
    assert ok.status_code == 302
    assert Intervention.objects.get().kind == "explain"
    stale = c.post(url, {"intervene-expected_version": d.version, "intervene-kind": "opinion", "intervene-note": "x"})
    assert stale.status_code == 409
    assert "新的变化" in stale.content.decode()
    page = c.get(reverse("legal_detail", args=[d.case.code])).content.decode()
    assert "释法明理" in page
    assert 'data-action="conclude"' in page
    risk_page = client_for(city.users["risk_officer"]).get(reverse("legal_detail", args=[d.case.code])).content.decode()
    assert 'data-action="intervene"' not in risk_page  # the office intervenes, the risk officer watches
    forbidden = client_for(city.users["risk_officer"]).post(url, {"intervene-expected_version": d.version + 1,
                                                                 "intervene-kind": "opinion", "intervene-note": "x"})
    assert forbidden.status_code == 403


def test_the_case_page_button_badge_and_manual_flag(city: City) -> None:
    legal_office(city)
    case = case_about(city)
    c = client_for(city.users["dispatcher"])
    page = c.get(reverse("case_detail", args=[case.code])).content.decode()
    assert 'data-testid="legal-scan"' in page
    response = c.post(reverse("legal_scan", args=[case.code]))
    assert response.status_code == 302
    assert Dispute.objects.filter(case=case).exists()
    page = c.get(reverse("case_detail", args=[case.code])).content.decode()
    assert 'data-testid="legal-badge"' in page  # a city dispatcher sees the badge, not the monitoring page
    page = client_for(city.users["risk_officer"]).get(reverse("case_detail", args=[case.code])).content.decode()
    assert 'data-testid="legal-link"' in page
    assert client_for(city.users["citizen"]).post(reverse("legal_scan", args=[case.code])).status_code == 404

    other = case_about(city, "3 号楼电梯停运一周无人维修。", title="电梯故障", phone="13900000003")
    flag_url = reverse("legal_flag", args=[other.code])
    assert c.get(flag_url).status_code == 200
    bad = c.post(flag_url, {"act_type": "inaction", "agency": "", "reason": "x"})
    assert bad.status_code == 400
    good = c.post(flag_url, {"act_type": "inaction", "agency": "区市场监管局", "reason": "多次投诉特种设备监管无果"})
    assert good.status_code == 302
    assert Dispute.objects.get(case=other).manual
