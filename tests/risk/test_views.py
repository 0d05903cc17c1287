"""The register's pages over HTTP: the list scoped to the reader (another grid's worker sees nothing and
gets 404), 列入风险清单 from a case in one click, a refused write-off shown at its field with 400 and
nothing changed, actions refused to those who may not take them, the navigation link."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.risk import services
from fengqiao.risk.models import RiskEntry, RiskEvent
from fengqiao.risk.states import RState
from tests.cases.builders import dispatch, register
from tests.factories import City

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened(city: City, *, grade: str = "key", grid: int = 0, title: str = "小区电梯故障") -> RiskEntry:
    case = dispatch(city, register(city, grid=grid, title=title))
    return services.open_from_case(city.users["risk_officer"], case.code, grade, "涉及群体性诉求，情绪激烈",
                                   city.departments[2].pk, city.users["leader"].pk)


def snapshot(entry: RiskEntry) -> tuple[Any, ...]:
    fresh = RiskEntry.objects.get(pk=entry.pk)
    return (fresh.status, fresh.version, fresh.write_off_evidence, fresh.written_off_at,
            RiskEvent.objects.filter(entry=fresh).count())


def test_the_list_is_scoped_to_the_reader(city: City) -> None:
    near = opened(city, grid=0, title="东风社区拆迁补偿")
    far = opened(city, grid=2, grade="watch", title="西园社区噪声")
    officer = client_for(city.users["risk_officer"]).get("/risk/")
    assert officer.status_code == 200
    html = officer.content.decode()
    assert near.code in html
    assert far.code in html
    assert 'class="badge red grade-key"' in html
    assert 'class="badge grey grade-watch"' in html
    mine = client_for(city.users["grid_worker"]).get("/risk/").content.decode()
    assert near.code in mine
    assert far.code not in mine
    other = client_for(city.users["other_grid_worker"])
    assert near.code not in other.get("/risk/").content.decode()
    assert other.get(f"/risk/{near.code}/").status_code == 404
    assert client_for(city.users["citizen"]).get(f"/risk/{near.code}/").status_code == 404
    keyed = client_for(city.users["risk_officer"]).get("/risk/?tab=listed&grade=key").content.decode()
    assert near.code in keyed
    assert far.code not in keyed
    street = client_for(city.users["risk_officer"]).get(f"/risk/?street={city.other_street.pk}").content.decode()
    assert far.code in street
    assert near.code not in street


def test_tabs_group_the_states(city: City) -> None:
    listed = opened(city)
    screened = services.screen(city.users["risk_officer"], title="邻里纠纷", area_id=city.grids[0].pk)
    client = client_for(city.users["risk_officer"])
    default = client.get("/risk/").content.decode()
    assert listed.code in default
    assert screened.code not in default
    pending = client.get("/risk/?tab=pending").content.decode()
    assert screened.code in pending
    assert listed.code not in pending


def test_open_from_a_case_in_one_click(city: City) -> None:
    case = dispatch(city, register(city, grid=0))
    client = client_for(city.users["risk_officer"])
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert f'href="/risk/open/{case.code}/"' in page
    assert 'data-testid="risk-link"' not in page
    assert client.get(f"/risk/open/{case.code}/").status_code == 200
    response = client.post(f"/risk/open/{case.code}/", {
        "grade": "key", "grade_reason": "扬言集体上访", "responsible_unit_id": city.departments[2].pk,
        "responsible_leader_id": ""})
    assert response.status_code == 302
    entry = RiskEntry.objects.get(case=case)
    assert response["Location"] == f"/risk/{entry.code}/"
    assert entry.state == RState.LISTED
    assert entry.responsible_leader is None
    detail = client.get(response["Location"]).content.decode()
    assert f'href="/cases/{case.code}/"' in detail
    assert 'data-action="tackle"' in detail
    assert 'data-action="write_off"' not in detail  # not before tackling
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="risk-link"' in page
    assert f'href="/risk/{entry.code}/"' in page
    assert "/risk/open/" not in page
    again = client.get(f"/risk/open/{case.code}/")  # a second opening goes to the live entry
    assert again.status_code == 302
    assert again["Location"] == f"/risk/{entry.code}/"


def test_open_without_a_reason_is_refused_at_the_field(city: City) -> None:
    case = dispatch(city, register(city, grid=0))
    response = client_for(city.users["risk_officer"]).post(f"/risk/open/{case.code}/", {
        "grade": "key", "grade_reason": "  ", "responsible_unit_id": city.departments[2].pk})
    assert response.status_code == 400
    assert 'id="id_grade_reason_error"' in response.content.decode()
    assert not RiskEntry.objects.exists()


def test_who_may_not_open_sees_no_link_and_is_refused(city: City) -> None:
    case = dispatch(city, register(city, grid=0))
    handler = client_for(city.users["handler"])  # her unit leads the case; the register is not hers
    assert "/risk/open/" not in handler.get(f"/cases/{case.code}/").content.decode()
    assert handler.get(f"/risk/open/{case.code}/").status_code == 403
    posted = handler.post(f"/risk/open/{case.code}/", {
        "grade": "key", "grade_reason": "理由", "responsible_unit_id": city.departments[2].pk})
    assert posted.status_code == 403
    assert client_for(city.users["other_grid_worker"]).get(f"/risk/open/{case.code}/").status_code == 404
    assert not RiskEntry.objects.exists()


def test_a_write_off_without_evidence_is_refused_and_changes_nothing(city: City) -> None:
    entry = opened(city)
    services.tackle(city.users["risk_officer"], entry.code, measure="专人包案稳控")
    before = snapshot(entry)
    client = client_for(city.users["risk_officer"])
    response = client.post(f"/risk/{entry.code}/act/write_off/", {"write_off-expected_version": "1",
                                                                    "write_off-evidence": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_write_off-evidence_error"' in html
    assert snapshot(entry) == before
    done = client.post(f"/risk/{entry.code}/act/write_off/", {"write_off-expected_version": "1",
                                                                "write_off-evidence": "双方签订和解协议并已履行"})
    assert done.status_code == 302
    page = client.get(f"/risk/{entry.code}/").content.decode()
    assert "双方签订和解协议并已履行" in page
    assert 'data-action="apply_result"' in page


def test_a_stale_version_is_refused_with_409(city: City) -> None:
    entry = opened(city)
    services.review(city.users["risk_officer"], entry.code, note="情绪平稳")
    before = snapshot(entry)
    response = client_for(city.users["risk_officer"]).post(
        f"/risk/{entry.code}/act/tackle/", {"tackle-expected_version": "0", "tackle-measure": "包案"})
    assert response.status_code == 409
    assert 'data-status="409"' in response.content.decode()
    assert snapshot(entry) == before


def test_actions_refused_to_those_not_allowed(city: City) -> None:
    entry = opened(city)
    services.tackle(city.users["risk_officer"], entry.code, measure="包案")
    before = snapshot(entry)
    grid_worker = client_for(city.users["grid_worker"])  # sees the entry, may tackle, may not write off
    page = grid_worker.get(f"/risk/{entry.code}/").content.decode()
    assert 'data-action="tackle"' in page
    assert 'data-action="write_off"' not in page
    refused = grid_worker.post(f"/risk/{entry.code}/act/write_off/", {"write_off-expected_version": "1",
                                                                        "write_off-evidence": "已化解"})
    assert refused.status_code == 403
    hidden = client_for(city.users["other_grid_worker"]).post(
        f"/risk/{entry.code}/act/tackle/", {"tackle-expected_version": "1", "tackle-measure": "看一看"})
    assert hidden.status_code == 404
    assert client_for(city.users["risk_officer"]).post(f"/risk/{entry.code}/act/nonsense/", {}).status_code == 404
    assert snapshot(entry) == before


def test_the_navigation_link_is_for_the_registers_roles(city: City) -> None:
    for name, shown in [("risk_officer", True), ("leader", True), ("dispatcher", True), ("admin", True),
                        ("handler", False), ("grid_worker", False)]:
        html = client_for(city.users[name]).get("/").content.decode()
        assert ('href="/risk/"' in html) is shown, name
