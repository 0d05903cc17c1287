"""/api/patrol/ as the phone uses it: the plan, multipart uploads exactly once, errors naming the field."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from fengqiao.cases.models import Case
from fengqiao.gridwork.models import Place, PlaceKind, Visit, VisitPhoto
from fengqiao.kit import clock
from tests.factories import City
from tests.gridwork.patrol_kit import photo, place

PLAN, VISITS = "/api/patrol/plan", "/api/patrol/visits"


def client_for(city: City, who: str = "grid_worker") -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


def body_for(at: Place | None, **extra: Any) -> dict[str, Any]:
    return {"client_id": str(uuid.uuid4()), "observed_at": (clock.now() - dt.timedelta(minutes=3)).isoformat(),
            "lng": at.lng if at else 0, "lat": at.lat if at else 0, "place_id": at.pk if at else None,
            "accuracy_m": 8.5} | extra


def upload(client: Client, body: dict[str, Any] | str, *photos: Any) -> Any:
    data: dict[str, Any] = {"visit": body if isinstance(body, str) else json.dumps(body)}
    if photos:
        data["photos"] = list(photos)
    return client.post(VISITS, data)


def test_the_plan_lists_the_workers_places_most_overdue_first(city: City) -> None:
    today = clock.today()
    fresh = place(city, name="甲户", kind=PlaceKind.HOUSEHOLD, every_days=30, created_days_ago=2)
    late = place(city, name="乙铺", kind=PlaceKind.SHOP, every_days=7)
    place(city, grid=2, name="别人网格的店")
    Place.objects.create(grid=city.grids[0], kind=PlaceKind.SCHOOL, name="已停用", lng=1, lat=1,
                         created_at=clock.now(), active=False)
    client = client_for(city)
    upload(client, body_for(late, observed_at=(clock.now() - dt.timedelta(days=10)).isoformat()))
    # seen today even in the first three minutes after local midnight (body_for's default is 3 minutes ago)
    seen = max(clock.now() - dt.timedelta(minutes=3), clock.at_local(today, dt.time(0, 0)))
    upload(client, body_for(fresh, observed_at=seen.isoformat()))
    body = client.get(PLAN).json()
    assert body["worker"] == {"username": "grid_worker", "name": "grid_worker"}
    assert body["grids"] == [{"id": city.grids[0].pk, "code": city.grids[0].code, "name": "东风社区第1网格"}]
    assert [(p["name"], p["kind_label"], p["overdue_days"]) for p in body["places"]] == [
        ("乙铺", "沿街商铺", 3), ("甲户", "重点户", -30)]
    first = body["places"][0]
    assert (first["due_on"], first["every_days"], first["address"], first["grid"]) == (
        (today - dt.timedelta(days=3)).isoformat(), 7, "海陵区乙铺", "东风社区第1网格")
    assert first["last_visited_at"] is not None
    assert {"id": city.categories["mid"].pk, "name": "物业管理", "group": "城乡建设"} in body["categories"]
    assert all(c["id"] != city.categories["leaf"].pk for c in body["categories"])  # two levels only


def test_a_place_never_visited_is_due_since_it_was_planned(city: City) -> None:
    place(city, name="新出租房", created_days_ago=5)
    [item] = client_for(city).get(PLAN).json()["places"]
    assert (item["last_visited_at"], item["overdue_days"]) == (None, 5)


@pytest.mark.parametrize("who", ["operator", "handler", "citizen", "leader"])
def test_only_grid_workers_use_the_patrol_api(city: City, who: str) -> None:
    client = client_for(city, who)
    for response in (client.get(PLAN), client.get(VISITS), upload(client, body_for(place(city)))):
        assert response.status_code == 403
        assert response.json() == {"error": "forbidden", "detail": "只有网格员和网格团队成员可以使用巡查。"}
    assert Visit.objects.count() == 0


def test_anonymous_is_401(city: City) -> None:
    for response in (Client().get(PLAN), upload(Client(), body_for(place(city)))):
        assert response.status_code == 401


def test_an_upload_is_created_once_and_a_replay_answers_200_with_the_same_body(city: City) -> None:
    client = client_for(city)
    body = body_for(place(city), finding="issue", note="楼道堆物",
                    report={"title": "楼道堆放杂物", "description": "3 号楼楼道堆放纸箱"})
    first = upload(client, body, photo("a.png"))
    assert first.status_code == 201
    again = upload(client, body, photo("a.png"))
    assert again.status_code == 200
    assert again.json() == first.json()
    created = first.json()
    assert (created["client_id"], created["finding_label"], created["photos"], created["located_by"]) == (
        body["client_id"], "发现问题", 1, "gps")
    assert created["case"]["code"] == Case.objects.get().code
    assert created["case"]["status_label"] == "待分拨"
    assert (Visit.objects.count(), VisitPhoto.objects.count(), Case.objects.count()) == (1, 1, 1)


def test_the_upload_needs_the_csrf_token(city: City) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    client.force_login(city.users["grid_worker"])
    body = body_for(place(city))
    refused = upload(client, body)
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    assert Visit.objects.count() == 0
    accepted = client.post(VISITS, {"visit": json.dumps(body)}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_bad_input_is_a_4xx_naming_the_field_and_writes_nothing(city: City) -> None:
    client = client_for(city)
    mine, theirs = place(city), place(city, grid=2, name="西园出租房")
    cases: list[tuple[Any, int, dict[str, str]]] = [
        (upload(client, body_for(theirs)), 403, {"place_id": "不在您负责的网格内"}),
        (upload(client, body_for(mine, lng=121.47, lat=31.23)), 400,
         {"lng": "不在本市范围内", "lat": "不在本市范围内"}),
        (upload(client, body_for(mine), photo("x.jpg", b"MZ\x90\x00" + b"\x00" * 300)), 400, {"photos.0": "不是图片"}),
        (upload(client, body_for(mine, observed_at="2026-01-01T09:00:00")), 400, {"observed_at": "走访时间须带时区"}),
        (upload(client, body_for(mine, finding="issue")), 400, {"report": "发现问题时请填写上报的事件"}),
        (upload(client, "{not json"), 422, {"visit": "不是有效的 JSON"}),
    ]
    for response, status, fields in cases:
        assert (response.status_code, response.json()["fields"]) == (status, fields), response.json()
        assert response.json()["detail"]
    missing = upload(client, {k: v for k, v in body_for(mine).items() if k != "lat"})
    assert (missing.status_code, list(missing.json()["fields"])) == (422, ["lat"])
    no_visit = client.post(VISITS, {})
    assert no_visit.status_code == 422
    assert (Visit.objects.count(), VisitPhoto.objects.count(), Case.objects.count()) == (0, 0, 0)


def test_recent_visits_are_the_workers_own(city: City) -> None:
    client = client_for(city)
    mine = place(city)
    old = body_for(mine, observed_at=(clock.now() - dt.timedelta(days=9)).isoformat())
    new = body_for(mine)
    for body in (old, new):
        assert upload(client, body).status_code == 201
    other = client_for(city, "other_grid_worker")
    assert upload(other, body_for(place(city, grid=2))).status_code == 201
    listed = client.get(VISITS).json()
    assert [v["client_id"] for v in listed] == [new["client_id"]]  # a week by default
    since = (clock.now() - dt.timedelta(days=10)).isoformat()
    everything = client.get(VISITS, {"since": since}).json()
    assert [v["client_id"] for v in everything] == [new["client_id"], old["client_id"]]
    assert everything[0]["place"] == mine.name
    assert client.get(VISITS, {"since": "yesterday"}).status_code == 422
