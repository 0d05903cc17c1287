"""The pages over HTTP: the list scoped to the reader with tabs and filters, 立项 with its refusals at their
fields, a decision's page (stage bar, chart data, heat table, the register's risks in the area), actions
posted and refused (400 at the field, 409 on a stale version, nothing changed), forms offered only to those
who may use them, the report's PDF (private, no-store, audited), the public page (rate-limited), the nav."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from fengqiao.audit.models import PersonalDataView
from fengqiao.kit import clock
from fengqiao.risk import services as risk_services
from fengqiao.stability.models import Decision, Opinion
from fengqiao.stability.states import DState
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.stability.builders import advance, created

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot(decision: Decision) -> tuple[Any, ...]:
    fresh = Decision.objects.get(pk=decision.pk)
    return fresh.status, fresh.version, fresh.events.count(), fresh.items.count(), fresh.opinions.count()


def test_the_list_is_scoped_with_tabs_and_filters(city: City) -> None:
    east = advance(city, created(city), DState.IDENTIFYING)
    west = created(city, street=city.other_street, title="城西农贸市场搬迁", proposer=1)
    html = client_for(city.users["risk_officer"]).get("/stability/?tab=assessing").content.decode()
    assert east.code in html
    assert west.code not in html  # a draft is on the first tab
    assert re.search(r'data-tab="preparing">\s*立项·方案 <span class="count">1</span>', html)
    first = client_for(city.users["risk_officer"]).get("/stability/?tab=preparing").content.decode()
    assert west.code in first
    mine = client_for(city.users["other_grid_worker"]).get("/stability/?tab=preparing").content.decode()
    assert west.code in mine
    theirs = client_for(city.users["other_grid_worker"]).get("/stability/?tab=assessing").content.decode()
    assert east.code not in theirs
    by_area = client_for(city.users["leader"]).get(f"/stability/?tab=preparing&area={city.street.pk}").content.decode()
    assert west.code not in by_area
    by_kind = client_for(city.users["leader"]).get("/stability/?tab=assessing&kind=price").content.decode()
    assert east.code not in by_kind
    assert client_for(city.users["other_grid_worker"]).get(f"/stability/{east.code}/").status_code == 404
    assert client_for(city.users["citizen"]).get(f"/stability/{east.code}/").status_code == 404


def test_create_through_the_form(city: City) -> None:
    client = client_for(city.users["risk_officer"])
    assert client.get("/stability/new/").status_code == 200
    form = {"title": "城东片区集体土地征收", "kind": "land", "summary": "征收集体土地 320 亩用于产业园",
            "proposing_unit_id": city.departments[0].pk, "assessing_unit_id": city.departments[2].pk,
            "area_ids": [city.street.pk], "population": "860", "stakeholders": "被征地农户"}
    refused = client.post("/stability/new/", {**form, "title": ""})
    assert refused.status_code == 400
    assert not Decision.objects.exists()
    done = client.post("/stability/new/", form)
    decision = Decision.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/stability/{decision.code}/"
    assert decision.population == 860
    assert client_for(city.users["grid_worker"]).get("/stability/new/").status_code == 403
    # a city department's handler names any street (her reach is her unit's, not an area)
    handler_form = client_for(city.users["handler"]).get("/stability/new/").content.decode()
    assert f'<option value="{city.other_street.pk}">' in handler_form


def test_the_page_shows_the_consultation_matrix_and_the_registers_risks(city: City) -> None:
    case = dispatch(city, register(city, grid=0, title="东风社区居民反映焚烧厂选址"))
    entry = risk_services.open_from_case(city.users["risk_officer"], case.code, "key", "群体性信访苗头",
                                         city.departments[2].pk)
    far = risk_services.open_from_case(city.users["risk_officer"], dispatch(city, register(city, grid=2)).code,
                                       "watch", "噪声", city.departments[2].pk)
    decision = advance(city, created(city), DState.MEASURES)
    html = client_for(city.users["risk_officer"]).get(f"/stability/{decision.code}/").content.decode()
    chart = json.loads(re.search(r'<script id="consultation-data" type="application/json">(.*?)</script>',
                                 html, re.S).group(1))  # type: ignore[union-attr]
    assert chart["channels"] == ["座谈会"]
    assert (chart["support"], chart["oppose"], chart["neutral"]) == ([22], [8], [10])
    assert "echarts.min.js" in html
    assert 'class="lv-medium has"' in html  # the item 3 × 4 in its cell
    assert entry.code in html
    assert far.code not in html  # 城西's risk is outside the decision's area
    assert 'data-action="add_measure"' in html
    assert 'data-action="conclude"' in html
    # the proposing unit's handler fills in but is not offered the decision
    handler_html = client_for(city.users["handler"]).get(f"/stability/{decision.code}/").content.decode()
    assert 'data-action="add_measure"' in handler_html
    assert 'data-action="conclude"' not in handler_html


def test_a_refused_action_lands_on_its_field_and_changes_nothing(city: City) -> None:
    decision = advance(city, created(city), DState.GRADED, grade="high")
    client = client_for(city.users["risk_officer"])
    before = snapshot(decision)
    response = client.post(f"/stability/{decision.code}/act/conclude/", {
        "conclude-expected_version": decision.version, "conclude-conclusion": "go", "conclude-reason": "经济效益好"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_conclude-conclusion_error">与风险等级不符' in html
    assert "评级为「高风险」，不能作出「准予实施」的结论" in html
    assert snapshot(decision) == before
    stale = client.post(f"/stability/{decision.code}/act/conclude/", {
        "conclude-expected_version": decision.version - 1, "conclude-conclusion": "stop", "conclude-reason": "x"})
    assert stale.status_code == 409
    assert snapshot(decision) == before
    done = client.post(f"/stability/{decision.code}/act/conclude/", {
        "conclude-expected_version": decision.version, "conclude-conclusion": "stop", "conclude-reason": "反对强烈"})
    assert done.status_code == 302
    assert Decision.objects.get(pk=decision.pk).conclusion == "stop"
    forbidden = client_for(city.users["handler"]).post(f"/stability/{decision.code}/act/issue_report/", {
        "issue_report-expected_version": decision.version + 1})
    assert forbidden.status_code == 403


def test_the_report_is_private_and_audited(city: City) -> None:
    decision = advance(city, created(city), DState.REPORTED)
    client = client_for(city.users["leader"])
    response = client.get(f"/stability/{decision.code}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF-")
    fresh = Decision.objects.get(pk=decision.pk)
    import hashlib
    assert fresh.report_sha256 == hashlib.sha256(body).hexdigest()
    view = PersonalDataView.objects.get(subject=f"stability:{decision.code}:report.pdf")
    assert view.user == city.users["leader"]
    again = b"".join(client.get(f"/stability/{decision.code}/report.pdf").streaming_content)  # type: ignore[attr-defined]
    assert again == body  # made once, kept
    assert client_for(city.users["other_grid_worker"]).get(f"/stability/{decision.code}/report.pdf").status_code == 404
    early = advance(city, created(city, title="未出报告的事项"), DState.CONCLUDED)
    assert client.get(f"/stability/{early.code}/report.pdf").status_code == 404


def test_the_public_page_takes_an_opinion_with_minimal_data(city: City) -> None:
    cache.clear()
    decision = advance(city, created(city), DState.CONSULTING)
    anonymous = Client()
    page = anonymous.get(f"/stability/public/{decision.code}/")
    assert page.status_code == 200
    assert "城东垃圾焚烧发电厂选址" in page.content.decode()
    bad = anonymous.post(f"/stability/public/{decision.code}/", {"stance": "oppose", "text": "", "phone": "123"})
    assert bad.status_code == 400
    assert not Opinion.objects.filter(public=True).exists()
    ok = anonymous.post(f"/stability/public/{decision.code}/", {"stance": "oppose", "text": "离小学太近，反对",
                                                                 "name": "王建国", "phone": "13812345678"})
    assert ok.status_code == 200
    assert 'data-testid="sent"' in ok.content.decode()
    opinion = Opinion.objects.get(public=True)
    assert (opinion.oppose, opinion.support, opinion.contact_name, opinion.contact_phone) == (1, 0, "王建国",
                                                                                            "13812345678")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT contact_phone, contact_name FROM {Opinion._meta.db_table} WHERE id = %s", [opinion.pk])
        raw_phone, raw_name = cursor.fetchone()
    assert raw_phone.startswith("gAAAA")  # a Fernet token: encrypted at rest
    assert "13812345678" not in raw_phone
    assert "王建国" not in raw_name
    event = decision.events.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor, event.data["stance"]) == ("public_opinion", None, "oppose")
    assert Decision.objects.get(pk=decision.pk).version == decision.version  # staff forms stay valid
    staff = client_for(city.users["risk_officer"]).get(f"/stability/{decision.code}/").content.decode()
    assert "王*" in staff
    assert "138****5678" in staff
    assert "王建国" not in staff
    for i in range(3):  # the refused try above counts too: five submissions a minute per address
        anonymous.post(f"/stability/public/{decision.code}/", {"stance": "support", "text": f"支持 {i}"})
    limited = anonymous.post(f"/stability/public/{decision.code}/", {"stance": "support", "text": "再来一条"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert Opinion.objects.filter(public=True).count() == 4
    cache.clear()


def test_the_public_page_exists_only_while_the_consultation_is_public_and_open(city: City,
                                                                               time_machine: Any) -> None:
    cache.clear()
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    decision = advance(city, created(city), DState.CONSULTING)
    assert Client().get(f"/stability/public/{created(city, title='未公开').code}/").status_code == 404
    time_machine.move_to(clock.now() + dt.timedelta(days=15))
    late = Client().post(f"/stability/public/{decision.code}/", {"stance": "support", "text": "支持"})
    assert late.status_code == 409
    assert "征询期已于 2026-03-16 23:59 结束" in late.content.decode()
    assert "征询期已结束" in Client().get(f"/stability/public/{decision.code}/").content.decode()
    assert not Opinion.objects.filter(public=True).exists()
    advance(city, Decision.objects.get(pk=decision.pk), DState.IDENTIFYING)
    assert Client().get(f"/stability/public/{decision.code}/").status_code == 404
    cache.clear()


def test_the_nav_link(city: City) -> None:
    assert 'href="/stability/"' in client_for(city.users["risk_officer"]).get("/stability/").content.decode()
    assert 'href="/stability/"' in client_for(city.users["handler"]).get("/stability/").content.decode()
    grid = client_for(city.users["grid_worker"]).get("/stability/").content.decode()
    assert 'href="/stability/"' not in grid


def test_the_pages_in_english(city: City) -> None:
    decision = advance(city, created(city), DState.MEASURES)
    client = client_for(city.users["risk_officer"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/stability/{decision.code}/").content.decode()
    for text in ("Setting measures", "Medium risk", "Risk matrix: likelihood × impact", "Add a measure", "Conclude",
                 "Siting of a public facility", "Forum"):
        assert text in html, text
    listing = client.get("/stability/?tab=assessing").content.decode()
    assert "Stability assessments of major decisions" in listing
    assert "Risks · grade · measures" in listing
