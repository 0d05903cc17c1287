"""The ranking page and its export: who sees which rows; the Excel file's contents; appeals on the page."""

from __future__ import annotations

import io

import time_machine
from django.test import Client
from openpyxl import load_workbook

from fengqiao.analytics import rollup
from fengqiao.analytics.models import Appeal, AppealStatus, UnitMonth
from tests.analytics.month import COMPUTED_AT, NOV, Month
from tests.web.conftest import login


def _page(client: Client, month: Month, username: str, path: str = "/ranking/?month=2026-11") -> tuple[int, str]:
    login(client, month.city, username)
    response = client.get(path)
    return response.status_code, response.content.decode()


def _computed(month: Month) -> Month:
    with time_machine.travel(COMPUTED_AT, tick=False):
        rollup.compute_month(NOV)
    return month


def test_leader_sees_every_unit_with_charts(client: Client, month: Month) -> None:
    status, html = _page(client, _computed(month), "leader")
    assert status == 200
    assert "市住房和城乡建设局" in html
    assert "市生态环境局" in html
    assert "55.5" in html
    assert "77.5" in html
    assert "60.0%" in html
    assert 'id="chart-score"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert '"score": [77.5, 55.5]' in html  # the chart's data, ranked order
    assert 'href="/ranking/"' in html  # the navigation link


def test_handler_sees_only_her_units_row_and_its_rank(client: Client, month: Month) -> None:
    status, html = _page(client, _computed(month), "handler")
    assert status == 200
    assert "市住房和城乡建设局" in html
    assert "市生态环境局" not in html
    assert '<span class="rank-no top">2</span>' in html
    assert "全市共 2 个单位参与排名" in html
    assert 'id="chart-score"' not in html


def test_street_dispatcher_sees_units_of_her_street_only(client: Client, month: Month) -> None:
    status, html = _page(client, _computed(month), "street_dispatcher")
    assert status == 200
    assert "市住房和城乡建设局" not in html
    assert "市生态环境局" not in html
    assert "本月没有可显示的单位" in html


def test_others_are_refused(client: Client, month: Month) -> None:
    for username in ("grid_worker", "operator", "citizen"):
        status, html = _page(client, _computed(month), username)
        assert status == 403, username
        assert 'href="/ranking/"' not in html


def test_bad_month_and_month_not_computed(client: Client, month: Month) -> None:
    status, html = _page(client, month, "leader", "/ranking/?month=2026-13")
    assert status == 400
    assert "YYYY-MM" in html
    status, html = _page(client, month, "leader", "/ranking/?month=2026-11")
    assert status == 200
    assert "尚未生成" in html
    assert not UnitMonth.objects.exists()  # the page never computes: it reads rollups


def test_excel_export(client: Client, month: Month) -> None:
    login(client, _computed(month).city, "leader")
    response = client.get("/ranking/export.xlsx?month=2026-11")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ranking-2026-11.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:9] == ("排名", "单位", "单位编码", "响应率", "解决率", "满意率", "综合得分", "交办件数", "核减件数")
    assert rows[1][:9] == (1, "市生态环境局", "D2", 1, 0.5, 1, 77.5, 2, 0)
    assert rows[2][:16] == (2, "市住房和城乡建设局", "D1", 0.6, 0.5, 0.6, 55.5, 5, 0, 3, 5, 2, 4, 1, 1, 1)
    assert len(rows) == 3
    login(client, month.city, "handler")
    handler_rows = list(load_workbook(io.BytesIO(client.get("/ranking/export.xlsx?month=2026-11").content))
                        .active.iter_rows(values_only=True))
    assert [r[1] for r in handler_rows[1:]] == ["市住房和城乡建设局"]


def test_refresh_is_for_the_office(client: Client, month: Month) -> None:
    login(client, month.city, "handler")
    assert client.post("/ranking/refresh/", {"month": "2026-11"}).status_code == 404
    assert not UnitMonth.objects.exists()
    with time_machine.travel(COMPUTED_AT, tick=False):
        login(client, month.city, "leader")
        response = client.post("/ranking/refresh/", {"month": "2026-11"})
    assert response.status_code == 302
    assert response["Location"] == "/ranking/?month=2026-11"
    assert UnitMonth.objects.filter(month=NOV).count() == 2


def test_appeal_filed_and_decided_on_the_page(client: Client, month: Month) -> None:
    code = month.cases["B"].code
    login(client, month.city, "handler")
    response = client.post("/ranking/appeals/", {"case": code, "kind": "outside_duty", "reason": ""})
    assert response.status_code == 400
    assert "请写明申诉理由" in response.content.decode()
    assert not Appeal.objects.exists()
    response = client.post("/ranking/appeals/", {"case": month.cases["B"].code, "kind": "outside_duty",
                                                 "reason": "电梯属开发商质保责任"})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    response = client.post("/ranking/appeals/", {"appeal": appeal.pk, "decide": "approve", "note": ""})
    assert response.status_code == 403
    login(client, month.city, "leader")
    assert code in client.get("/ranking/appeals/").content.decode()
    response = client.post("/ranking/appeals/", {"appeal": appeal.pk, "decide": "refuse", "note": ""})
    assert response.status_code == 400
    assert "不予核减时请写明理由" in response.content.decode()
    response = client.post("/ranking/appeals/", {"appeal": appeal.pk, "decide": "approve", "note": "属实"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.event_seq) == (
        AppealStatus.APPROVED, month.city.users["leader"], 2)


def test_unranked_units_come_after_the_ranked_and_stay_off_the_chart(client: Client, month: Month) -> None:
    _computed(month)
    UnitMonth.objects.filter(month=NOV, unit__name="市生态环境局").update(rank=None)  # as if under min_cases
    status, html = _page(client, month, "leader")
    assert status == 200
    assert html.index("市住房和城乡建设局") < html.index("市生态环境局")  # ranked first, on every database
    assert '"score": [55.5]' in html


def test_a_unit_leader_sees_her_units_row_and_its_trend(client: Client, month: Month) -> None:
    from fengqiao.accounts.models import Membership, User
    from fengqiao.accounts.roles import Role

    _computed(month)
    chief = User.objects.create_user(username="chief", password="x", display_name="局长", is_staff=True)
    Membership.objects.create(user=chief, role=Role.LEADER, unit=month.city.departments[0])
    month.city.users["chief"] = chief
    status, html = _page(client, month, "chief")
    assert status == 200
    assert "市住房和城乡建设局" in html
    assert "市生态环境局" not in html
    assert "本单位三率走势" not in html  # one month only: no trend line yet
    for row in UnitMonth.objects.filter(month=NOV):  # the same figures a month earlier
        row.pk, row.month = None, NOV.replace(month=10)
        row.save()
    status, html = _page(client, month, "chief")
    assert "本单位三率走势" in html
    assert '"months": ["2026-10", "2026-11"]' in html
