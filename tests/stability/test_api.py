"""The assessments' JSON API (/api/stability) as a client uses it: scoped reads (a decision affecting another
street is a 404), 立项, every action through the same functions as the pages with one event each, refusals
(403), bad input naming the field (422/400, never 5xx), stale versions (409), citizens' contacts masked."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from fengqiao.kit import clock
from fengqiao.stability import public
from fengqiao.stability.models import Decision, DecisionEvent
from fengqiao.stability.states import DState
from tests.factories import City, client_for
from tests.factories import post_json as post
from tests.stability.builders import advance, created

URL = "/api/stability"


def events(code: str) -> list[str]:
    return list(DecisionEvent.objects.filter(decision__code=code).order_by("seq").values_list("action", flat=True))


def create_body(city: City, **extra: Any) -> dict[str, Any]:
    return {"title": "调整自来水价格", "kind": "price", "summary": "居民阶梯水价第一档上调 0.3 元",
            "proposing_unit_id": city.departments[0].pk, "assessing_unit_id": city.departments[2].pk,
            "area_ids": [city.street.pk], "population": 5000} | extra


def test_unauthenticated_is_401(city: City) -> None:
    decision = created(city)
    anonymous = Client()
    for response in (anonymous.get(URL), anonymous.get(f"{URL}/{decision.code}"), post(anonymous, URL, {})):
        assert response.status_code == 401


def test_list_and_detail_are_scoped_like_the_pages(city: City) -> None:
    east = created(city)
    west = created(city, street=city.other_street, title="城西棚户区改造征收", proposer=1)
    seen = {name: sorted(i["code"] for i in client_for(city, name).get(URL).json()["items"])
            for name in ("street_dispatcher", "grid_worker", "other_grid_worker", "handler", "handler2", "mediator",
                         "citizen")}
    assert seen == {"street_dispatcher": [east.code], "grid_worker": [east.code], "other_grid_worker": [west.code],
                    "handler": [east.code], "handler2": [west.code], "mediator": sorted([east.code, west.code]),
                    "citizen": []}
    response = client_for(city, "street_dispatcher").get(f"{URL}/{west.code}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found",
                               "detail": f"没有找到编号为 {west.code} 的评估事项，或您无权查看。"}
    refused = post(client_for(city, "street_dispatcher"), f"{URL}/{west.code}/withdraw",
                   {"reason": "不做了", "expected_version": 0})
    assert refused.status_code == 404
    assert events(west.code) == ["create"]


def test_list_filters(city: City) -> None:
    east = advance(city, created(city), DState.GRADED, grade="high")
    west = created(city, street=city.other_street, title="城西棚户区改造征收")
    client = client_for(city, "leader")

    def codes(**params: Any) -> list[str]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(i["code"] for i in response.json()["items"])

    assert codes(state="graded") == [east.code]
    assert codes(grade="high") == [east.code]
    assert codes(kind="facility") == sorted([east.code, west.code])
    assert codes(area=city.other_street.pk) == [west.code]
    assert codes(area=city.grids[0].pk) == [east.code]  # a street-wide decision affects its grids
    assert codes(area=city.district.pk) == sorted([east.code, west.code])
    assert codes(q="棚户区") == [west.code]
    assert codes(q=east.code) == [east.code]
    page = client.get(URL, {"per_page": 1}).json()
    assert (page["total"], page["per_page"], len(page["items"])) == (2, 1, 1)
    bad = client.get(URL, {"grade": "extreme"})
    assert (bad.status_code, list(bad.json()["fields"])) == (422, ["grade"])
    bad = client.get(URL, {"area": 99999})
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["area"])


def test_create(city: City) -> None:
    response = post(client_for(city, "risk_officer"), URL, create_body(city))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["state_label"], body["kind_label"], body["version"], body["population"]) == (
        "draft", "已立项", "价格调整", 0, 5000)
    assert [a["name"] for a in body["areas"]] == ["城东街道"]
    assert body["actions"] == ["plan", "withdraw"]
    assert events(body["code"]) == ["create"]


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"title": " "}, 400, "title"),
    ({"kind": "war"}, 400, "kind"),
    ({"proposing_unit_id": None}, 400, "proposing_unit_id"),
    ({"proposing_unit_id": 0}, 422, "proposing_unit_id"),
    ({"area_ids": []}, 400, "area_ids"),
    ({"area_ids": ["east"]}, 422, "area_ids.0"),
    ({"population": -1}, 400, "population"),
    ({"summary": "a\x00b"}, 422, "summary"),
])
def test_create_refuses_bad_input_by_field(city: City, change: dict[str, Any], status: int, field: str) -> None:
    response = post(client_for(city, "risk_officer"), URL, create_body(city, **change))
    assert response.status_code == status, response.json()
    assert field in response.json()["fields"]
    assert not Decision.objects.exists()


def test_create_refused_to_a_grid_worker(city: City) -> None:
    response = post(client_for(city, "grid_worker"), URL, create_body(city))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_the_whole_path_through_the_api_one_event_each(city: City) -> None:
    officer = client_for(city, "risk_officer")
    code = post(officer, URL, create_body(city)).json()["code"]
    today = clock.today()
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("plan", {"plan": "座谈会、问卷、入户走访"}, "planned"),
        ("open_consultation", {"closes_on": (today + dt.timedelta(days=14)).isoformat(), "public": True},
         "consulting"),
        ("record_opinion", {"channel": "forum", "held_on": today.isoformat(), "participants": 40, "support": 22,
                            "oppose": 8, "neutral": 10, "concerns": "担心水价继续上涨"}, "consulting"),
        ("close_consultation", {"summary": "多数理解支持"}, "identifying"),
        ("add_item", {"category": "rationality", "description": "低收入家庭负担加重", "likelihood": 3,
                      "impact": 3}, "identifying"),
        ("add_item", {"category": "legality", "description": "误登记", "likelihood": 1, "impact": 1}, "identifying"),
        ("remove_item", {"item_id": -1, "reason": "重复登记"}, "identifying"),
        ("grade", {"grade": "medium"}, "graded"),
        ("add_measure", {"description": "对低保户给予水费补贴", "responsible_unit_id": city.departments[1].pk,
                         "deadline": (today + dt.timedelta(days=30)).isoformat()}, "measures"),
        ("conclude", {"conclusion": "conditional", "reason": "落实补贴后可实施"}, "concluded"),
        ("issue_report", {}, "reported"),
        ("file", {"note": "报市委政法委备案"}, "tracking"),
        ("track", {"measure_id": -1, "progress": "补贴已发放", "done": True}, "tracking"),
        ("close", {"note": "措施均已落实"}, "closed"),
    ]
    for version, (action, body, state) in enumerate(steps):
        decision = Decision.objects.get(code=code)
        if action == "remove_item":
            body["item_id"] = decision.items.order_by("-pk").values_list("pk", flat=True).first()
        if action == "track":
            body["measure_id"] = decision.measures.get().pk
        response = post(officer, f"{URL}/{code}/{action}", body | {"expected_version": version})
        assert response.status_code == 200, (action, response.json())
        assert (response.json()["state"], response.json()["version"]) == (state, version + 1)
    assert events(code) == ["create", *[action for action, _b, _s in steps]]
    body = officer.get(f"{URL}/{code}").json()
    assert (body["grade"], body["grade_label"], body["suggested_grade"]) == ("medium", "中风险", "medium")
    assert (body["conclusion"], body["conclusion_label"]) == ("conditional", "附条件实施")
    assert [(i["category"], i["score"], i["level"]) for i in body["items"]] == [("rationality", 9, "medium")]
    assert body["measures"][0]["done_at"] is not None
    assert body["report_url"] == f"/stability/{code}/report.pdf"
    assert body["consultation"] == {"support": 22, "oppose": 8, "neutral": 10, "total": 40,
                                    "strong_opposition": False}
    assert body["actions"] == []


def test_withdraw(city: City) -> None:
    decision = created(city)
    response = post(client_for(city, "leader"), f"{URL}/{decision.code}/withdraw",
                    {"reason": "决策机关撤回议题", "expected_version": 0})
    assert (response.status_code, response.json()["state"]) == (200, "withdrawn")
    assert events(decision.code) == ["create", "withdraw"]


def test_refusals_conflicts_and_bad_bodies_write_nothing(city: City) -> None:
    decision = advance(city, created(city), DState.GRADED)
    url = f"{URL}/{decision.code}"
    handler, officer = client_for(city, "handler"), client_for(city, "risk_officer")
    version = decision.version
    forbidden = post(handler, f"{url}/conclude", {"conclusion": "stop", "reason": "x", "expected_version": version})
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": "forbidden", "detail": "您的角色无权「作出评估结论」。"}
    stale = post(officer, f"{url}/conclude", {"conclusion": "stop", "reason": "x", "expected_version": version - 1})
    assert (stale.status_code, stale.json()["error"]) == (409, "conflict")
    illegal = post(officer, f"{url}/file", {"note": "备案", "expected_version": version})
    assert (illegal.status_code, illegal.json()["error"]) == (409, "illegal_transition")
    bounded = post(officer, f"{url}/conclude", {"conclusion": "go", "reason": "x", "expected_version": version})
    assert (bounded.status_code, list(bounded.json()["fields"])) == (400, ["conclusion"])
    no_reason = post(officer, f"{url}/grade", {"grade": "low", "expected_version": version})
    assert (no_reason.status_code, list(no_reason.json()["fields"])) == (400, ["reason"])
    past = post(officer, f"{url}/add_measure", {"description": "x", "responsible_unit_id": city.departments[0].pk,
                                                "deadline": "2000-01-01", "expected_version": version})
    assert (past.status_code, list(past.json()["fields"])) == (400, ["deadline"])
    bad_date = post(officer, f"{url}/add_measure", {"description": "x", "responsible_unit_id": city.departments[0].pk,
                                                    "deadline": "soon", "expected_version": version})
    assert (bad_date.status_code, list(bad_date.json()["fields"])) == (422, ["deadline"])
    no_version = post(officer, f"{url}/withdraw", {"reason": "x"})
    assert (no_version.status_code, list(no_version.json()["fields"])) == (422, ["expected_version"])
    assert len(events(decision.code)) == decision.version + 1
    assert Decision.objects.get(pk=decision.pk).version == version


def test_a_citizens_contact_is_masked_and_her_event_shows_the_stance_only(city: City) -> None:
    decision = advance(city, created(city), DState.CONSULTING)
    public.submit(decision.code, stance="oppose", text="噪声太大，不同意", name="王小明", phone="13912345678")
    body = client_for(city, "risk_officer").get(f"{URL}/{decision.code}").json()
    online = [o for o in body["opinions"] if o["public"]]
    assert [(o["channel"], o["who"], o["oppose"], o["concerns"]) for o in online] == [
        ("online", "王**、139****5678", 1, "噪声太大，不同意")]
    event = body["events"][0]
    assert (event["action"], event["actor"], event["note"], event["facts"]) == ("public_opinion", None, "", ["反对"])
    assert "13912345678" not in json.dumps(body, ensure_ascii=False)
    assert "王小明" not in json.dumps(body, ensure_ascii=False)
