"""Datetimes with UTC offsets PostgreSQL cannot store (it allows ±15:59; ISO 8601 and Python allow up to
±23:59) — found by schemathesis on PostgreSQL: they are the same instants, kept as UTC, never a 500."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client

from fengqiao.intake import keys
from fengqiao.kit import clock
from tests.factories import City


def test_patrol_visits_since_with_a_far_offset(city: City) -> None:
    client = Client()
    client.force_login(city.users["grid_worker"])
    assert client.get("/api/patrol/visits", {"since": "2020-01-01T00:00:00+23:13"}).status_code == 200
    too_far = client.get("/api/patrol/visits", {"since": "9999-12-31T23:00:00-23:00"})
    assert too_far.status_code == 400
    assert "since" in too_far.json()["fields"]


def test_patrol_visit_observed_with_a_far_offset(city: City) -> None:
    client = Client()
    client.force_login(city.users["grid_worker"])
    lng, lat = city.point_in(0)
    observed = clock.now().astimezone(dt.timezone(dt.timedelta(hours=-23, minutes=-13)))
    visit = {"client_id": "0b6f2c1e-3c1a-4f7e-9a77-1d2f3e4a5b6c", "observed_at": observed.isoformat(),
             "lng": lng, "lat": lat}
    response = client.post("/api/patrol/visits", {"visit": json.dumps(visit)})
    assert response.status_code == 201, response.content


def test_pushed_report_with_a_far_offset(city: City) -> None:
    key = keys.create_key("hotline_12345", city.users["operator"]).secret
    lng, lat = city.point_in(0)
    body = {"external_id": "OFF-1", "title": "噪声扰民", "description": "夜间施工", "lng": lng, "lat": lat,
            "reported_at": "2024-03-01T10:00:00+23:13"}
    response = Client().post("/api/intake/hotline_12345/reports", json.dumps(body),
                             content_type="application/json", headers={"X-API-Key": key})
    assert response.status_code == 201, response.content
    assert response.json()["registered_at"].startswith("2024-02-29T10:47:00")
