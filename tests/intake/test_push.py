"""The push endpoint as a channel's system uses it: X-API-Key, status codes, error bodies, idempotency."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fengqiao.cases.models import Case, Party
from fengqiao.intake import keys
from fengqiao.intake.models import ChannelKey
from fengqiao.intake.push import MAX_BODY_BYTES
from fengqiao.kit import clock
from tests.factories import City

URL = "/api/intake/hotline_12345/reports"


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    cache.clear()


@pytest.fixture
def key(city: City) -> str:
    return keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=600).secret


def push(body: Any, key: str | None, url: str = URL) -> Any:
    headers = {"HTTP_X_API_KEY": key} if key is not None else {}
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(url, raw, content_type="application/json", **headers)


def report(city: City, **extra: Any) -> dict[str, Any]:
    lng, lat = city.point_in(0)
    return {
        "external_id": "HL-2026-000123", "title": "小区噪声扰民", "description": "夜间工地施工噪声很大，影响休息。",
        "category_code": "010101", "urgency": "urgent", "address": "城东街道东风社区 3 栋",
        "lng": lng, "lat": lat, "reported_at": "2026-03-02T09:15:00+08:00",
        "reporter": {"name": "张三", "phone": "13912345678", "id_number": ""},
    } | extra


def test_good_push_is_201_and_registers_one_case(city: City, key: str) -> None:
    response = push(report(city), key)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(code=body["code"])
    assert (body["created"], body["external_id"], body["status"], body["status_label"]) == (
        True, "HL-2026-000123", "registered", "待分拨")
    assert (case.channel, case.external_ref, case.category, case.urgency) == (
        "hotline_12345", "HL-2026-000123", city.categories["leaf"], "urgent")
    assert (case.grid, case.registered_by) == (city.grids[0], city.users["operator"])
    assert case.registered_at == dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
    party = Party.objects.get(case=case)
    assert (party.name, party.phone, party.role) == ("张三", "13912345678", "reporter")


def test_replay_is_200_with_the_same_code(city: City, key: str) -> None:
    first = push(report(city), key).json()
    again = push(report(city, title="改了标题也不会再登记"), key)
    assert again.status_code == 200
    assert (again.json()["code"], again.json()["created"]) == (first["code"], False)
    assert Case.objects.filter(external_ref="HL-2026-000123").count() == 1


def test_missing_wrong_and_revoked_keys_are_401(city: City, key: str) -> None:
    missing = push(report(city), None)
    assert missing.status_code == 401
    assert missing.json() == {"error": "invalid_api_key", "detail": "缺少 X-API-Key 请求头。",
                              "fields": {"X-API-Key": "缺少"}}
    assert push(report(city), key + "x").json()["detail"] == "API 密钥无效或已吊销。"
    keys.revoke(key.split("_")[0] + "_" + key.split("_")[1])
    revoked = push(report(city), key)
    assert revoked.status_code == 401
    assert Case.objects.count() == 0


def test_another_channels_key_is_403_naming_the_channel(city: City, key: str) -> None:
    response = push(report(city), key, url="/api/intake/police_110/reports")
    assert response.status_code == 403
    assert response.json()["detail"] == "该密钥属于渠道 hotline_12345，不能向渠道 police_110 推送。"
    unknown = push(report(city), key, url="/api/intake/fax/reports")
    assert unknown.status_code == 404
    assert unknown.json()["fields"] == {"channel": "未知的受理渠道"}
    assert Case.objects.count() == 0


def test_oversized_body_is_413_before_parsing(city: City, key: str) -> None:
    body = report(city, description="很" * MAX_BODY_BYTES)
    response = push(body, key)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert f"上限 {MAX_BODY_BYTES} 字节" in response.json()["detail"]


def test_rate_limit_is_429_with_retry_after(city: City) -> None:
    secret = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=3).secret
    codes = [push(report(city, external_id=f"R{i}"), secret).status_code for i in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    limited = push(report(city, external_id="R9"), secret)
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["error"] == "rate_limited"
    assert "每分钟最多 3 次" in limited.json()["detail"]
    # another key has its own counter
    other = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=3).secret
    assert push(report(city, external_id="R10"), other).status_code == 201


@pytest.mark.parametrize(("change", "field"), [
    ({"external_id": ""}, "external_id"),
    ({"title": ""}, "title"),
    ({"description": None}, "description"),
    ({"urgency": "asap"}, "urgency"),
    ({"lng": 500.0}, "lng"),
    ({"lat": "north"}, "lat"),
    ({"reported_at": "yesterday"}, "reported_at"),
    ({"reporter": {"phone": "13912345678"}}, "reporter.name"),
    ({"title": "标" * 201}, "title"),
])
def test_bad_fields_are_422_naming_the_field(city: City, key: str, change: dict[str, Any], field: str) -> None:
    response = push(report(city, **change), key)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"category_code": "999999"}, "category_code"),
    ({"reporter": {"name": "张三", "phone": "12"}}, "reporter.phone"),
    ({"reporter": {"name": "张三", "id_number": "123"}}, "reporter.id_number"),
    ({"lng": None}, "lng"),
    ({"lng": 100.0, "lat": 30.0}, "lng"),
    ({"reported_at": "2999-01-01T00:00:00+08:00"}, "reported_at"),
    ({"reported_at": "0108-02-05T17:43:24.655900+14:34"}, "reported_at"),  # found by schemathesis
])
def test_rejected_values_are_400_naming_the_field(city: City, key: str, change: dict[str, Any],
                                                  field: str) -> None:
    response = push(report(city, **change), key)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert Case.objects.count() == 0


def test_not_json_is_422(city: City, key: str) -> None:
    response = push("{not json", key)
    assert response.status_code == 422
    assert response.json()["fields"] == {"body": "不是有效的 JSON"}


def test_status_of_a_pushed_report(city: City, key: str) -> None:
    code = push(report(city), key).json()["code"]
    response = Client().get(f"{URL}/HL-2026-000123", HTTP_X_API_KEY=key)
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["status"], body["lead_unit"], body["reply"]) == (code, "registered", None, "")
    missing = Client().get(f"{URL}/NOPE", HTTP_X_API_KEY=key)
    assert missing.status_code == 404
    assert missing.json()["fields"] == {"external_id": "未找到"}
    assert Client().get(f"{URL}/HL-2026-000123").status_code == 401


def test_last_used_is_touched_at_most_once_a_minute(city: City, key: str, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    push(report(city, external_id="A"), key)
    first = ChannelKey.objects.get().last_used_at
    assert first == clock.now()
    time_machine.shift(30)
    push(report(city, external_id="B"), key)
    assert ChannelKey.objects.get().last_used_at == first
    time_machine.shift(31)
    push(report(city, external_id="C"), key)
    assert ChannelKey.objects.get().last_used_at == clock.now()
