"""The JSON API at /api/ as a client uses it: session login, CSRF on writes, status codes, error bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.states import State
from tests.cases.builders import REPLY_TEXT, case_in, register
from tests.factories import City, client_for
from tests.factories import post_json as post

LIST = "/api/cases"


def register_body(city: City, **extra: Any) -> dict[str, Any]:
    lng, lat = city.point_in(0)
    return {"channel": "hotline_12345", "title": "楼道堆物", "description": "消防通道被杂物堵塞",
            "lng": lng, "lat": lat, "parties": [{"name": "王五", "phone": "13900001111"}]} | extra


def test_unauthenticated_is_401(city: City) -> None:
    case = register(city)
    anonymous = Client()
    for response in (anonymous.get(LIST), anonymous.get(f"{LIST}/{case.code}"),
                     post(anonymous, LIST, register_body(city))):
        assert response.status_code == 401
        assert response.json() == {"error": "unauthenticated", "detail": "请先登录。"}


def test_list_is_scoped(city: City) -> None:
    mine, other = register(city, grid=0), register(city, grid=2)
    body = client_for(city, "grid_worker").get(LIST).json()
    assert [item["code"] for item in body["items"]] == [mine.code]
    assert (body["total"], body["page"], body["total_capped"]) == (1, 1, False)
    everything = client_for(city, "dispatcher").get(LIST, {"tab": "to_dispatch"}).json()
    assert sorted(i["code"] for i in everything["items"]) == sorted([mine.code, other.code])
    assert client_for(city, "other_citizen").get(LIST).json()["items"] == []


def test_detail_and_not_found(city: City) -> None:
    case = register(city, grid=0)
    body = client_for(city, "grid_worker").get(f"{LIST}/{case.code}").json()
    assert (body["code"], body["status"], body["status_label"], body["street"], body["version"]) == (
        case.code, "registered", "待分拨", "城东街道", 0)
    assert body["category"] == "物业服务质量"
    response = client_for(city, "other_grid_worker").get(f"{LIST}/{case.code}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": f"没有找到案件 {case.code}，或您无权查看。"}


def test_register_then_replay(city: City) -> None:
    client = client_for(city, "operator")
    first = post(client, LIST, register_body(city, external_ref="HL-0001"))
    assert first.status_code == 201
    assert first.json()["created"] is True
    code = first.json()["case"]["code"]
    again = post(client, LIST, register_body(city, external_ref="HL-0001"))
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["case"]["code"]) == (False, code)
    assert Case.objects.count() == 1


def test_the_loop_through_actions(city: City) -> None:
    case = register(city)
    dispatcher, handler = client_for(city, "dispatcher"), client_for(city, "handler")
    url = f"{LIST}/{case.code}/actions"
    steps = [
        (dispatcher, {"action": "dispatch", "lead_unit_id": city.departments[0].pk, "expected_version": 0},
         "dispatched"),
        (handler, {"action": "accept", "expected_version": 1}, "accepted"),
        (handler, {"action": "note", "text": "已到现场", "visible_to_parties": False}, "accepted"),
        (handler, {"action": "reply", "text": REPLY_TEXT}, "replied"),
        (client_for(city, "operator"), {"action": "evaluate", "rating": "satisfied"}, "closed"),
    ]
    for client, body, status in steps:
        response = post(client, url, body)
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "register", "dispatch", "accept", "note", "reply", "evaluate"]


def test_events_by_audience(city: City) -> None:
    case = case_in(city, State.ACCEPTED, by="citizen")
    post(client_for(city, "handler"), f"{LIST}/{case.code}/actions", {"action": "note", "text": "内部记录"})
    staff = client_for(city, "handler").get(f"{LIST}/{case.code}/events").json()
    citizen = client_for(city, "citizen").get(f"{LIST}/{case.code}/events").json()
    assert [(e["seq"], e["action"], e["audience"]) for e in staff] == [
        (1, "register", "parties"), (2, "dispatch", "parties"), (3, "accept", "parties"), (4, "note", "internal")]
    assert [e["seq"] for e in citizen] == [1, 2, 3]
    assert staff[3] | {"at": None} == {"seq": 4, "action": "note", "from_state": "accepted",
                                        "to_state": "accepted", "at": None, "actor": "handler",
                                        "unit": "市住房和城乡建设局", "audience": "internal", "note": "内部记录"}


@pytest.mark.parametrize(("role", "state", "body", "status", "error", "fields"), [
    ("handler", State.ACCEPTED, {"action": "reply", "text": ""}, 400, "validation_failed",
     {"text": "请填写答复内容"}),
    ("handler", State.ACCEPTED, {"action": "request_extension", "working_days": 99, "text": "等待配件到货"},
     400, "validation_failed", {"working_days": "天数超出范围"}),
    ("dispatcher", State.REGISTERED, {"action": "dispatch"}, 400, "validation_failed",
     {"lead_unit_id": "请填写主办单位"}),
    ("grid_worker", State.REGISTERED, {"action": "cancel", "text": "无效来电"}, 403, "forbidden", None),
    ("other_citizen", State.REGISTERED, {"action": "cancel", "text": "无效来电"}, 404, "not_found", None),
    ("handler", State.DISPATCHED, {"action": "accept", "expected_version": 0}, 409, "conflict", None),
    ("operator", State.ACCEPTED, {"action": "evaluate", "rating": "satisfied"}, 409, "illegal_transition", None),
])
def test_domain_errors(city: City, role: str, state: State, body: dict[str, Any], status: int, error: str,
                       fields: dict[str, str] | None) -> None:
    case = case_in(city, state)
    before = CaseEvent.objects.count()
    response = post(client_for(city, role), f"{LIST}/{case.code}/actions", body)
    assert response.status_code == status
    payload = response.json()
    assert payload["error"] == error
    assert isinstance(payload["detail"], str)
    assert payload["detail"]
    assert payload.get("fields") == fields
    assert CaseEvent.objects.count() == before


@pytest.mark.parametrize(("body", "fields"), [
    ({"channel": "hotline_12345"}, {"title", "description"}),
    ({"channel": "hotline_12345", "title": "t", "description": "d", "lng": "east"}, {"lng"}),
    ({"channel": "hotline_12345", "title": "t" * 201, "description": "d"}, {"title"}),
    ({"channel": "hotline_12345", "title": "t", "description": "d", "parties": [{"phone": "1"}]},
     {"parties.0.name"}),
])
def test_missing_or_malformed_fields_are_422_naming_them(city: City, body: dict[str, Any],
                                                         fields: set[str]) -> None:
    response = post(client_for(city, "operator"), LIST, body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "validation_failed"
    assert set(payload["fields"]) == fields
    assert all(name in payload["detail"] for name in fields)
    assert Case.objects.count() == 0


def test_bad_json_is_a_4xx_not_a_500(city: City) -> None:
    client = client_for(city, "operator")
    response = client.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"error": "validation_failed", "detail": "请求数据有误：body: 不是有效的 JSON",
                               "fields": {"body": "不是有效的 JSON"}}


@pytest.mark.parametrize("body", [
    {"channel": "hotline_12345", "title": "t", "description": "d", "category_id": 10**30},
    {"channel": "hotline_12345", "title": "t", "description": "d", "grid_id": 2**63},
    {"channel": "hotline_12345", "title": "t", "description": "d", "category_id": -1},
])
def test_absurd_ids_on_register_are_4xx(city: City, body: dict[str, Any]) -> None:
    response = post(client_for(city, "operator"), LIST, body)
    assert response.status_code in (400, 422), response.content
    assert Case.objects.count() == 0


@pytest.mark.parametrize("body", [
    {"action": "dispatch", "lead_unit_id": 10**30},
    {"action": "dispatch", "lead_unit_id": 1, "assisting_unit_ids": [2**63]},
    {"action": "dispatch", "lead_unit_id": 1, "expected_version": 10**30},
    {"action": "fly"},
    {"action": "dispatch", "lead_unit_id": "one"},
])
def test_absurd_action_bodies_are_4xx(city: City, body: dict[str, Any]) -> None:
    case = register(city)
    response = post(client_for(city, "dispatcher"), f"{LIST}/{case.code}/actions", body)
    assert 400 <= response.status_code < 500, response.content
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_csrf_is_required_for_posts(city: City) -> None:
    client = Client(enforce_csrf_checks=True)
    # a browser gets the token in the csrftoken cookie the login page sets, and sends it back in a header
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    client.force_login(city.users["operator"])
    refused = post(client, LIST, register_body(city))
    assert refused.status_code == 403
    assert refused.json() == {"error": "csrf_failed",
                              "detail": "CSRF 校验失败：请在 X-CSRFToken 请求头中带上 csrftoken Cookie 的值。"}
    assert Case.objects.count() == 0
    accepted = client.post(LIST, json.dumps(register_body(city)), content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert Case.objects.count() == 1
    assert client.get(LIST).status_code == 200  # reads need no token


def test_a_nul_in_the_text_is_a_400_naming_the_field(city: City) -> None:
    """PostgreSQL cannot store NUL: every service's require_text refuses it, so no engine answers 500."""
    body = register_body(city)
    body["description"] = "楼上漏水\x00严重"
    response = post(client_for(city, "operator"), LIST, body)
    assert response.status_code == 400
    assert "description" in response.json()["fields"]
    assert not Case.objects.exists()
