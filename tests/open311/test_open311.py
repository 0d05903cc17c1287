"""Open311 GeoReport v2 at /open311/v2/: JSON validated against ../shared/data/open311 schemas, XML roots,
the error list format, filters, and no personal data in public responses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.intake import keys
from tests.cases.builders import register
from tests.factories import City

BASE = "/open311/v2"
SCHEMAS = Path(settings.SHARED_DATA_DIR) / "open311"


def validator(name: str) -> Any:
    if not (SCHEMAS / name).exists():
        pytest.skip(f"the Open311 schemas are not at {SCHEMAS} (set FENGQIAO_SHARED_DATA_DIR)")
    import jsonschema_rs

    def retrieve(uri: str) -> Any:
        return json.loads((SCHEMAS / uri.rsplit("/", 1)[1]).read_text())

    schema = json.loads((SCHEMAS / name).read_text())
    return jsonschema_rs.validator_for(schema, base_uri=f"file:///open311/{name}", retriever=retrieve,
                                       validate_formats=True)


def check(name: str, body: Any) -> None:
    errors = [e.message for e in validator(name).iter_errors(body)]
    assert errors == []


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    cache.clear()


@pytest.fixture
def key(city: City) -> str:
    return keys.create_key("mini_program", city.users["operator"]).secret


def xml_root(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def test_discovery(city: City) -> None:
    body = Client().get(f"{BASE}/discovery.json").json()
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    assert body["endpoints"][0]["formats"] == ["application/json", "text/xml"]
    root = xml_root(Client().get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]


def test_services_are_the_leaf_categories(city: City) -> None:
    body = Client().get(f"{BASE}/services.json").json()
    check("services.json", body)
    assert [(s["service_code"], s["service_name"], s["group"], s["metadata"]) for s in body] == [
        ("010101", "物业服务质量", "城乡建设", False), ("0201", "噪声污染", "环境保护", False)]
    root = xml_root(Client().get(f"{BASE}/services.xml"))
    assert (root.tag, [s.findtext("service_code") for s in root.findall("service")]) == (
        "services", ["010101", "0201"])


def test_service_definition(city: City) -> None:
    body = Client().get(f"{BASE}/services/0201.json").json()
    check("service-definition.json", body)
    assert body == {"service_code": "0201", "attributes": []}
    assert xml_root(Client().get(f"{BASE}/services/0201.xml")).tag == "service_definition"
    missing = Client().get(f"{BASE}/services/01.json")  # not a leaf
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404


def post(data: dict[str, str], fmt: str = "json") -> Any:
    return Client().post(f"{BASE}/requests.{fmt}", data)


def good(city: City, key: str, **extra: str) -> dict[str, str]:
    lng, lat = city.point_in(0)
    return {"api_key": key, "service_code": "0201", "lat": str(lat), "long": str(lng),
            "description": "夜间工地施工噪声很大，联系电话 13912345678", "first_name": "三", "last_name": "张",
            "phone": "13912345678"} | extra


def test_post_request_registers_a_case(city: City, key: str) -> None:
    response = post(good(city, key))
    assert response.status_code == 201, response.content
    [created] = response.json()
    case = Case.objects.get(code=created["service_request_id"])
    assert (case.channel, case.category, case.grid, case.registered_by) == (
        "mini_program", city.categories["noise"], city.grids[0], city.users["operator"])
    assert case.parties.get().name == "张 三"
    token = Client().get(f"{BASE}/tokens/{created['token']}.json").json()
    assert token == [{"service_request_id": case.code, "token": created["token"]}]
    root = xml_root(post(good(city, key), "xml"))
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_a_wrong_key_is_403_in_the_error_format(city: City, key: str, fmt: str) -> None:
    response = post(good(city, key + "x"), fmt)
    assert response.status_code == 403
    if fmt == "json":
        assert response.json() == [{"code": 403,
                                    "description": "api_key missing, invalid or revoked / API 密钥缺失、无效或已吊销"}]
    else:
        root = xml_root(response)
        assert (root.tag, root.findtext("error/code")) == ("errors", "403")
    assert Case.objects.count() == 0


@pytest.mark.parametrize(("drop", "field"), [
    (("service_code",), "service_code"),
    (("lat", "long"), "lat/long or address_string"),
    (("description",), "description"),
])
def test_post_missing_fields_is_400_naming_them(city: City, key: str, drop: tuple[str, ...], field: str) -> None:
    data = {k: v for k, v in good(city, key).items() if k not in drop}
    response = post(data)
    assert response.status_code == 400
    assert [e["description"].split(":")[0] for e in response.json()] == [field]
    assert Case.objects.count() == 0


def test_post_bad_values_are_400(city: City, key: str) -> None:
    assert post(good(city, key, service_code="9999")).json()[0]["description"].startswith("service_code:")
    response = post(good(city, key, lat="north"))
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("long: ")


def _case(city: City, grid: int = 0, **extra: Any) -> Case:
    return register(city, grid=grid, **extra)


def test_get_requests_validates_and_hides_personal_data(city: City) -> None:
    case = _case(city)
    body = Client().get(f"{BASE}/requests.json").json()
    check("requests.json", body)
    [item] = body
    assert (item["service_request_id"], item["status"], item["address"]) == (
        case.code, "open", "海陵区 城东街道 东风社区")
    text = json.dumps(body, ensure_ascii=False)
    for party in case.parties.all():
        for secret in (party.name, party.phone, party.id_number):
            if secret:
                assert secret not in text
    assert case.address not in text or not case.address
    root = xml_root(Client().get(f"{BASE}/requests.xml"))
    assert (root.tag, root.findtext("request/service_request_id")) == ("service_requests", case.code)
    one = Client().get(f"{BASE}/requests/{case.code}.json").json()
    check("requests.json", one)
    assert one[0]["service_request_id"] == case.code
    assert Client().get(f"{BASE}/requests/NOPE.json").status_code == 404


def test_get_requests_filters(city: City) -> None:
    first, second = _case(city), _case(city)
    services.cancel(city.users["dispatcher"], second.code, reason="无效来电")
    get = lambda **q: [r["service_request_id"] for r in Client().get(f"{BASE}/requests.json", q).json()]  # noqa: E731
    assert get(status="closed") == [second.code]
    assert get(status="open") == [first.code]
    assert sorted(get(service_request_id=f"{first.code},{second.code}")) == sorted([first.code, second.code])
    assert get(service_code="0201") == []
    assert get(start_date="2000-01-01T00:00:00+08:00", end_date="2000-02-01T00:00:00+08:00") == []
    wide = Client().get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00Z",
                                                  "end_date": "2026-06-01T00:00:00Z"})
    assert wide.status_code == 400
    assert "90" in wide.json()[0]["description"]
    assert Client().get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    assert Client().get(f"{BASE}/requests.json", {"start_date": "soon"}).status_code == 400


def test_petitions_are_not_published(city: City) -> None:
    case = _case(city, channel="petition")
    assert Client().get(f"{BASE}/requests.json").json() == []
    assert Client().get(f"{BASE}/requests/{case.code}.json").status_code == 404


def test_unknown_format_is_404(city: City) -> None:
    assert Client().get(f"{BASE}/services.csv").status_code == 404
