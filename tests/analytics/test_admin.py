"""The assessment office's admin screens: formula versions, appeals decided by admin actions (audited)."""

from __future__ import annotations

from django.test import Client

from fengqiao.analytics import appeals
from fengqiao.analytics.models import Appeal, AppealEvent, AppealStatus, AssessmentFormula
from tests.analytics.month import Month
from tests.web.conftest import login


def test_admin_pages_open(client: Client, month: Month) -> None:
    login(client, month.city, "admin")
    for path in ("/admin/analytics/assessmentformula/", "/admin/analytics/assessmentformula/add/",
                 "/admin/analytics/appeal/", "/admin/analytics/unitmonth/", "/admin/analytics/rollupmonth/"):
        assert client.get(path).status_code == 200, path


def test_a_formula_must_start_on_the_first_and_weigh_something(client: Client, month: Month) -> None:
    login(client, month.city, "admin")
    form = {"name": "新办法", "effective_from": "2026-12-15", "response_weight": "0", "resolution_weight": "0",
            "satisfaction_weight": "0", "basically_weight": "0.8", "min_cases": "10", "note": ""}
    response = client.post("/admin/analytics/assessmentformula/add/", form)
    assert response.status_code == 200
    assert "请填写某月 1 日" in response.content.decode()
    form["effective_from"] = "2026-12-01"
    assert "三项权重之和必须大于 0" in client.post("/admin/analytics/assessmentformula/add/", form).content.decode()
    form["response_weight"] = "1"
    assert client.post("/admin/analytics/assessmentformula/add/", form).status_code == 302
    assert AssessmentFormula.objects.filter(name="新办法").count() == 1


def test_admin_action_decides_through_the_service(client: Client, month: Month) -> None:
    appeal = appeals.file_appeal(month.city.users["handler"], month.cases["E"].code, kind="other",
                                 reason="诉求人已搬离，无法联系")
    login(client, month.city, "admin")
    response = client.post("/admin/analytics/appeal/", {"action": "refuse", "_selected_action": [appeal.pk]})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REFUSED
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("action", flat=True)) == ["file", "refuse"]
    response = client.post("/admin/analytics/appeal/", {"action": "approve", "_selected_action": [appeal.pk]})
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REFUSED  # decided once
