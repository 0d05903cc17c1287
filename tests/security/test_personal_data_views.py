"""Every place that shows parties' (or staff's) personal data in full writes one audit.PersonalDataView per view
(ADR 0004, docs/security.md "Personal data").  One case a place: who opens what, and the audit row it leaves.

Places and where else they are tested:
- a case's parties in full (显示完整信息)                              case_reveal
- a grid team's phones in full (显示完整电话)                          grid_team_reveal
- an import's error list with the reporters' columns in full         import_errors
- a stability assessment's report PDF                                 stability_report
- a user's phone in the admin's change form                           admin_user
- the cockpit's report files                                          cockpit_report (tests/cockpit/test_reports.py)
- mediation agreement / ruling PDFs (staff)                           tests/mediation/test_documents_on_demand.py
- households' details on a grid page                                 tests/gridwork/test_households.py
Masked everywhere else: case pages, lists, the API (no party data in its answers), exports, Open311."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fengqiao.audit.models import PersonalDataView
from fengqiao.intake import mapping
from fengqiao.intake.models import ImportJob, ImportRowError, JobStatus
from fengqiao.kit import clock
from fengqiao.stability.states import DState
from tests.factories import City
from tests.gridwork.team_kit import full_team, officer_units
from tests.security import world as worlds
from tests.stability.builders import advance, created

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _as(city: City, username: str) -> Client:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.force_login(city.users[username], backend=MODEL_BACKEND)
    return client


def _case_reveal(city: City) -> tuple[str, str, Callable[[], Any]]:
    code = worlds.build(city).params["code:case"]
    return "operator", f"case:{code}", lambda: _as(city, "operator").post(f"/cases/{code}/parties/")


def _grid_team_reveal(city: City) -> tuple[str, str, Callable[[], Any]]:
    full_team(city, officer_units(city))
    code = city.grids[0].code
    return "leader", f"grid:{code}", lambda: _as(city, "leader").post(f"/grids/{code}/team/phones/")


def _import_errors(city: City) -> tuple[str, str, Callable[[], Any]]:
    raw, _ = mapping.load("hotline_12345")
    job = ImportJob.objects.create(channel="hotline_12345", file_name="a.csv", file_path="/x", file_sha256="0" * 64,
                                   mapping=raw, created_by=city.users["operator"], created_at=clock.now(),
                                   status=JobStatus.DONE)
    ImportRowError.objects.create(job=job, row=2, field="description", message="空",
                                  raw={"来电号码": "13800001111", "标题": "噪声"})
    return "operator", f"import:{job.pk}:errors.csv", lambda: _as(city, "operator").get(
        f"/imports/{job.pk}/errors.csv")


def _stability_report(city: City) -> tuple[str, str, Callable[[], Any]]:
    decision = advance(city, created(city), DState.REPORTED)
    return "risk_officer", f"stability:{decision.code}:report.pdf", lambda: _as(city, "risk_officer").get(
        f"/stability/{decision.code}/report.pdf")


def _admin_user(city: City) -> tuple[str, str, Callable[[], Any]]:
    handler = city.users["handler"]
    handler.phone = "13900001234"
    handler.save(update_fields=["phone"])
    return "admin", f"user:{handler.pk}", lambda: _as(city, "admin").get(
        f"/admin/accounts/user/{handler.pk}/change/")


PLACES: dict[str, Callable[[City], tuple[str, str, Callable[[], Any]]]] = {
    "case_reveal": _case_reveal,
    "grid_team_reveal": _grid_team_reveal,
    "import_errors": _import_errors,
    "stability_report": _stability_report,
    "admin_user": _admin_user,
}


@pytest.mark.django_db
@pytest.mark.parametrize("place", list(PLACES))
def test_each_full_view_of_personal_data_is_one_audit_row(city: City, place: str) -> None:
    username, subject, view = PLACES[place](city)
    PersonalDataView.objects.all().delete()
    for times in (1, 2):
        response = view()
        assert response.status_code == 200, response.content[:300]
        rows = list(PersonalDataView.objects.filter(subject=subject))
        assert len(rows) == times, [str(r) for r in rows]
    row = rows[-1]
    assert row.user_id == city.users[username].pk
    assert row.fields
    assert row.ip_address == "10.1.2.3"
    assert PersonalDataView.objects.exclude(subject=subject).count() == 0


@pytest.mark.django_db
def test_a_masked_import_error_list_is_no_view(city: City) -> None:
    """A dispatcher gets the reporters' columns masked: nothing shown in full, nothing to audit."""
    _import_errors(city)
    job = ImportJob.objects.get()
    body = _as(city, "dispatcher").get(f"/imports/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert "来电号码=***" in body
    assert not PersonalDataView.objects.exists()
