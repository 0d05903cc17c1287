"""The register's JSON API (/api/risks) as a client uses it: scoped reads (another street's entry is a 404),
screening and opening from a case, every action through the services with one event each, refusals (403),
bad input naming the field (422/400, never 5xx), stale versions (409), and the five-100% indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from fengqiao.risk import services
from fengqiao.risk.models import RiskEntry, RiskEvent
from tests.cases.builders import dispatch, register
from tests.factories import City, client_for
from tests.factories import post_json as post

URL = "/api/risks"
SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def opened(city: City, *, grid: int = 0, grade: str = "key", title: str = "拆迁补偿分歧") -> RiskEntry:
    case = dispatch(city, register(city, grid=grid, title=title))
    return services.open_from_case(city.users["risk_officer"], case.code, grade, "涉及群体性诉求，情绪激烈",
                                   city.departments[0].pk, city.users["leader"].pk)


def events(code: str) -> list[str]:
    return list(RiskEvent.objects.filter(entry__code=code).order_by("seq").values_list("action", flat=True))


def test_unauthenticated_is_401(city: City) -> None:
    entry = opened(city)
    anonymous = Client()
    for response in (anonymous.get(URL), anonymous.get(f"{URL}/{entry.code}"),
                     post(anonymous, f"{URL}/{entry.code}/review", {"note": "x", "expected_version": 0})):
        assert response.status_code == 401
        assert response.json() == {"error": "unauthenticated", "detail": "请先登录。"}


def test_list_is_scoped_like_the_pages(city: City) -> None:
    east, west = opened(city, grid=0), opened(city, grid=2, title="欠薪")
    seen = {name: [i["code"] for i in client_for(city, name).get(URL).json()["items"]]
            for name in ("street_dispatcher", "grid_worker", "other_grid_worker", "handler", "handler2", "citizen")}
    assert seen == {"street_dispatcher": [east.code], "grid_worker": [east.code], "other_grid_worker": [west.code],
                    "handler": [west.code, east.code], "handler2": [], "citizen": []}
    body = client_for(city, "leader").get(URL).json()
    assert (body["total"], body["page"], body["per_page"], body["total_capped"]) == (2, 1, 25, False)
    item = body["items"][1]
    assert (item["code"], item["state"], item["state_label"], item["grade"], item["grade_label"]) == (
        east.code, "listed", "已建单", "key", "重点")
    assert (item["street"], item["grid"], item["responsible_unit"], item["responsible_leader"]) == (
        "城东街道", "东风社区第1网格", "市住房和城乡建设局", "leader")
    assert east.case is not None
    assert item["case"] == east.case.code
    assert item["version"] == 0
    assert item["overdue"] is False


def test_list_filters(city: City, frozen: Any) -> None:
    east, west = opened(city, grid=0), opened(city, grid=2, grade="watch", title="欠薪")
    screened = services.screen(city.users["grid_worker"], title="违建纠纷", area_id=city.grids[0].pk)
    client = client_for(city, "leader")

    def codes(**params: Any) -> list[str]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(i["code"] for i in response.json()["items"])

    assert codes(state="screened") == [screened.code]
    assert codes(grade="watch") == sorted([west.code, screened.code])
    assert codes(area=city.street.pk) == sorted([east.code, screened.code])
    assert codes(area=city.grids[2].pk) == [west.code]
    assert codes(area=city.district.pk) == sorted([east.code, west.code, screened.code])
    assert codes(unit=city.departments[0].pk) == sorted([east.code, west.code])
    assert codes(q="欠薪") == [west.code]
    assert codes(q=east.code.lower()) == [east.code]
    assert codes(overdue="true") == []
    frozen.move_to(MONDAY + dt.timedelta(days=8))
    client.force_login(city.users["leader"])  # the session ran out meanwhile
    assert codes(overdue="true") == [east.code]  # key: a 7-day cadence; watch (west): 30 days
    page = client.get(URL, {"per_page": 2, "page": 2}).json()
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 3, 1)


def test_bad_filters_name_their_field(city: City) -> None:
    client = client_for(city, "leader")
    response = client.get(URL, {"state": "burning"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["state"]
    response = client.get(URL, {"area": 999999})
    assert response.status_code == 400
    assert response.json()["fields"] == {"area": "没有这个区域"}
    assert client.get(URL, {"area": 10**30}).status_code == 422
    assert client.get(URL, {"page": "x"}).json()["fields"].keys() == {"page"}


def test_detail_with_events_and_actions_and_another_street_is_404(city: City) -> None:
    entry = opened(city, grid=0)
    body = client_for(city, "risk_officer").get(f"{URL}/{entry.code}").json()
    assert (body["code"], body["description"], body["grade_reason"], body["measures"]) == (
        entry.code, entry.description, "涉及群体性诉求，情绪激烈", [])
    assert body["actions"] == ["tackle", "review", "regrade"]
    assert [(e["seq"], e["action"], e["label"], e["to_state"], e["actor"]) for e in body["events"]] == [
        (1, "open", "由事件建单", "listed", "risk_officer")]
    assert client_for(city, "handler").get(f"{URL}/{entry.code}").json()["actions"] == ["tackle", "review"]
    west = opened(city, grid=2)
    response = client_for(city, "street_dispatcher").get(f"{URL}/{west.code}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": f"没有找到编号为 {west.code} 的风险，或您无权查看。"}
    assert client_for(city, "street_dispatcher").get(f"{URL}/{entry.code}").status_code == 200
    # an action on an entry out of reach is a 404 too, and writes nothing
    refused = post(client_for(city, "street_dispatcher"), f"{URL}/{west.code}/review",
                   {"note": "看一看", "expected_version": 0})
    assert refused.status_code == 404
    assert events(west.code) == ["open"]
    assert client_for(city, "leader").get(f"{URL}/bad%20code").status_code == 422


def test_screen_creates_a_screened_entry_with_its_event(city: City) -> None:
    client = client_for(city, "grid_worker")
    response = post(client, URL, {"title": "拆迁补偿分歧", "description": "数户对补偿标准有异议",
                                  "area_id": city.grids[0].pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["grade"], body["community"], body["version"]) == (
        "screened", "watch", "东风社区", 0)
    assert events(body["code"]) == ["screen"]
    assert RiskEntry.objects.get(code=body["code"]).events.get().actor == city.users["grid_worker"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"title": "x", "area_id": None}, 400, "area_id"),
    ({"title": "x", "area_id": "GRID"}, 422, "area_id"),
    ({"area_id": 0}, 422, "title"),
    ({"title": "   "}, 400, "title"),
    ({"title": "x" * 201}, 422, "title"),
    ({"title": "a\x00b"}, 422, "title"),
    ({"title": "x", "grade": "huge"}, 400, "grade"),
])
def test_screen_refuses_bad_input_by_field(city: City, body: dict[str, Any], status: int, field: str) -> None:
    payload = {"area_id": city.grids[0].pk} | body
    response = post(client_for(city, "grid_worker"), URL, payload)
    assert response.status_code == status, response.json()
    assert field in response.json()["fields"]
    assert not RiskEntry.objects.exists()


def test_screen_outside_the_area_and_by_a_handler(city: City) -> None:
    response = post(client_for(city, "grid_worker"), URL, {"title": "x", "area_id": city.grids[2].pk})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["area_id"])
    response = post(client_for(city, "handler"), URL, {"title": "x", "area_id": city.grids[0].pk})
    assert response.status_code == 400  # a handler reaches no area: nothing to locate the risk in
    assert not RiskEntry.objects.exists()


def test_open_from_case(city: City) -> None:
    case = dispatch(city, register(city, grid=0))
    body = {"case_code": case.code, "grade": "general", "grade_reason": "多户联名",
            "responsible_unit_id": city.departments[2].pk}
    response = post(client_for(city, "risk_officer"), f"{URL}/from-case", body)
    assert response.status_code == 201, response.json()
    assert (response.json()["state"], response.json()["case"], response.json()["responsible_unit"]) == (
        "listed", case.code, "城东街道办事处")
    again = post(client_for(city, "leader"), f"{URL}/from-case", body)
    assert again.status_code == 409
    assert "不能重复建单" in again.json()["detail"]
    refused = post(client_for(city, "handler"), f"{URL}/from-case", body | {"case_code": case.code})
    assert refused.status_code in (403, 409)
    missing = post(client_for(city, "risk_officer"), f"{URL}/from-case", body | {"responsible_unit_id": None})
    assert (missing.status_code, list(missing.json()["fields"])) == (400, ["responsible_unit_id"])
    assert RiskEntry.objects.count() == 1


def test_every_action_through_the_services_one_event_each(city: City) -> None:
    officer, handler = client_for(city, "risk_officer"), client_for(city, "handler")
    code = post(client_for(city, "grid_worker"), URL, {"title": "拆迁补偿分歧", "area_id": city.grids[0].pk}).json()[
        "code"]
    steps: list[tuple[Client, str, dict[str, Any], str]] = [
        (officer, "regrade", {"grade": "general", "reason": "涉及五户"}, "screened"),
        (officer, "identify", {"grade": "key", "grade_reason": "情绪激烈"}, "identified"),
        (officer, "list", {"responsible_unit_id": city.departments[0].pk,
                           "responsible_leader_id": city.users["leader"].pk}, "listed"),
        (handler, "tackle", {"measure": "逐户走访，解释政策"}, "tackling"),
        (handler, "review", {"note": "情绪平稳"}, "tackling"),
        (officer, "write_off", {"evidence": "双方签订和解协议并已履行"}, "written_off"),
        (handler, "consolidate", {"note": "回访稳定", "relapsed": False}, "written_off"),
        (officer, "apply_result", {"note": "纳入年度综治考核"}, "applied"),
    ]
    for version, (client, action, body, state) in enumerate(steps):
        response = post(client, f"{URL}/{code}/{action}", body | {"expected_version": version})
        assert response.status_code == 200, (action, response.json())
        assert (response.json()["state"], response.json()["version"]) == (state, version + 1)
    assert events(code) == ["screen", "regrade", "identify", "list", "tackle", "review", "write_off", "consolidate",
                            "apply_result"]
    body = officer.get(f"{URL}/{code}").json()
    assert body["measures"][0].endswith("逐户走访，解释政策")
    assert body["write_off_evidence"] == "双方签订和解协议并已履行"
    assert body["consolidated_at"] is not None
    assert body["relapsed"] is False
    assert body["actions"] == ["consolidate"]


def test_dismiss(city: City) -> None:
    entry = services.screen(city.users["grid_worker"], title="邻里口角", area_id=city.grids[0].pk)
    services.identify(city.users["risk_officer"], entry.code, grade="watch", grade_reason="已调解")
    response = post(client_for(city, "leader"), f"{URL}/{entry.code}/dismiss",
                    {"reason": "已和解，非风险", "expected_version": 1})
    assert (response.status_code, response.json()["state"]) == (200, "dismissed")
    assert events(entry.code) == ["screen", "identify", "dismiss"]


def test_refusals_conflicts_and_bad_bodies_write_nothing(city: City) -> None:
    entry = opened(city)
    services.tackle(city.users["risk_officer"], entry.code, measure="专人包案")
    url = f"{URL}/{entry.code}"
    handler, officer = client_for(city, "handler"), client_for(city, "risk_officer")
    forbidden = post(handler, f"{url}/write_off", {"evidence": "已签约", "expected_version": 1})
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": "forbidden", "detail": "您的角色无权「销号」。"}
    stale = post(officer, f"{url}/review", {"note": "复核", "expected_version": 0})
    assert stale.status_code == 409
    assert stale.json()["error"] == "conflict"
    illegal = post(officer, f"{url}/apply_result", {"note": "考核", "expected_version": 1})
    assert illegal.status_code == 409
    assert illegal.json()["error"] == "illegal_transition"
    no_version = post(officer, f"{url}/review", {"note": "复核"})
    assert (no_version.status_code, list(no_version.json()["fields"])) == (422, ["expected_version"])
    empty = post(officer, f"{url}/review", {"note": "  ", "expected_version": 1})
    assert (empty.status_code, list(empty.json()["fields"])) == (400, ["note"])
    same = post(officer, f"{url}/regrade", {"grade": "key", "reason": "不变", "expected_version": 1})
    assert (same.status_code, list(same.json()["fields"])) == (400, ["grade"])
    not_json = officer.post(f"{url}/review", "{", content_type="application/json")
    assert not_json.status_code == 422
    unknown = post(officer, f"{url}/explode", {"expected_version": 1})
    assert unknown.status_code in (404, 405)
    assert events(entry.code) == ["open", "tackle"]
    assert RiskEntry.objects.get(pk=entry.pk).version == 1


def test_indicators(city: City, frozen: Any) -> None:
    entry = opened(city)
    services.screen(city.users["grid_worker"], title="违建纠纷", area_id=city.grids[0].pk)
    client = client_for(city, "risk_officer")
    body = client.get(f"{URL}/indicators").json()
    assert (body["period_start"], body["period_end"], body["opened"]) == ("2026-03-01", "2026-04-01", 2)
    rates = {r["key"]: (r["numerator"], r["denominator"], r["percent"]) for r in body["rates"]}
    assert rates == {"screening": (0, 0, None), "assessment": (1, 2, 50.0), "listing": (1, 1, 100.0),
                     "control": (0, 1, 0.0), "consolidation": (0, 0, None), "resolution": (0, 1, 0.0)}
    assert body["score"] == 37.5  # the mean of the four rates that apply
    assert body["overdue_reviews"] == 0
    params: dict[str, str | int] = {"start": "2026-01-01", "end": "2026-04-01", "area": city.other_street.pk}
    scoped = client.get(f"{URL}/indicators", params).json()
    assert (scoped["opened"], scoped["area_id"]) == (0, city.other_street.pk)
    by_unit = client.get(f"{URL}/indicators", {"unit": city.departments[0].pk}).json()
    assert (by_unit["opened"], by_unit["unit_id"]) == (1, city.departments[0].pk)
    assert entry.responsible_unit_id == city.departments[0].pk
    earlier = client.get(f"{URL}/indicators", {"start": "2026-02-01", "end": "2026-03-01"}).json()
    assert earlier["opened"] == 0


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"start": "2026-03-31", "end": "2026-03-01"}, 400, "end"),
    ({"start": "1900-01-01"}, 400, "start"),
    ({"start": "2020-01-01", "end": "2099-01-01"}, 400, "end"),
    ({"start": "March"}, 422, "start"),
    ({"area": 987654}, 400, "area"),
    ({"unit": 987654}, 400, "unit"),
])
def test_indicators_refuse_bad_selectors_by_field(city: City, params: dict[str, Any], status: int,
                                                  field: str) -> None:
    response = client_for(city, "risk_officer").get(f"{URL}/indicators", params)
    assert response.status_code == status
    assert list(response.json()["fields"]) == [field]


def test_indicators_are_for_officers_leaders_and_admins(city: City) -> None:
    for name, status in [("risk_officer", 200), ("leader", 200), ("admin", 200), ("grid_worker", 403),
                         ("handler", 403), ("citizen", 403)]:
        assert client_for(city, name).get(f"{URL}/indicators").status_code == status, name
    # an area outside the officer's district is refused, not silently empty
    response = client_for(city, "street_dispatcher").get(f"{URL}/indicators")
    assert response.status_code == 403
    grid_area = client_for(city, "risk_officer").get(f"{URL}/indicators", {"area": city.grids[0].pk})
    assert (grid_area.status_code, list(grid_area.json()["fields"])) == (400, ["area"])


def test_the_openapi_documents_the_registers_own_grades(city: City) -> None:
    """stability's Grade (high / medium / low) must not stand for the register's in the document."""
    schemas = client_for(city, "leader").get("/api/openapi.json").json()["components"]["schemas"]
    assert schemas["RiskGrade"]["enum"] == ["watch", "general", "key"]
    assert schemas["EntryOut"]["properties"]["grade"] == {"$ref": "#/components/schemas/RiskGrade"}
