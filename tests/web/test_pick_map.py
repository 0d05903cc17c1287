"""The registration map of a city-wide operator: streets first, a street's grids on request (scoped)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fengqiao.jurisdictions.models import Area, Level
from fengqiao.web import lookups
from tests.factories import City
from tests.web.conftest import login

pytestmark = pytest.mark.django_db


def _map_data(html: str) -> dict[str, object]:
    tag = '<script id="pick-map" type="application/json">'
    start = html.index(tag) + len(tag)
    return json.loads(html[start:html.index("</script>", start)])


def test_a_city_wide_operator_sees_the_streets_and_opens_one(client: Client, city: City,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookups, "MAP_GRID_LIMIT", 2)  # the test city has 4 grids: "too many" for her
    for street in Area.objects.filter(level=Level.STREET):  # the test city draws only its grids
        grid = Area.objects.filter(level=Level.GRID, path__startswith=f"{street.path}/").first()
        street.geometry = grid.geometry if grid else None
        street.save(update_fields=["geometry"])
    login(client, city, "operator")
    html = client.get("/cases/new/").content.decode()
    data = _map_data(html)
    streets = Area.objects.filter(level=Level.STREET, geometry__isnull=False).order_by("path")
    assert data["drill"] is True
    features = data["geojson"]["features"]  # type: ignore[index]
    assert [(f["properties"]["name"], f["properties"]["id"]) for f in features] == [
        (s.name, s.pk) for s in streets]
    assert 'data-drill="/locate/street/0/grids/"' in html
    assert "先点击镇街，再点击网格" in html

    street = streets[0]
    response = client.get(f"/locate/street/{street.pk}/grids/")
    assert response.status_code == 200
    body = response.json()
    grids = Area.objects.filter(level=Level.GRID, path__startswith=f"{street.path}/").order_by("path")
    assert (body["id"], body["name"]) == (street.pk, street.name)
    assert [f["properties"]["name"] for f in body["geojson"]["features"]] == [g.name for g in grids]
    assert grids.count() >= 1


def test_few_grids_are_drawn_at_once(client: Client, city: City) -> None:
    login(client, city, "operator")
    data = _map_data(client.get("/cases/new/").content.decode())
    assert "drill" not in data
    assert len(data["geojson"]["features"]) == Area.objects.filter(level=Level.GRID).count()  # type: ignore[index]


def test_street_grids_are_scoped(client: Client, city: City) -> None:
    street = Area.objects.filter(level=Level.STREET).order_by("path").last()
    assert street is not None
    assert login(Client(), city, "citizen").get(f"/locate/street/{street.pk}/grids/").status_code == 404
    assert login(client, city, "operator").get("/locate/street/999999/grids/").status_code == 404
    grid_worker = login(Client(), city, "grid_worker")  # reaches one grid, of another street
    outside = Area.objects.filter(level=Level.STREET).exclude(
        pk=city.grids[0].parent.parent_id).first()  # type: ignore[union-attr]
    assert outside is not None
    assert grid_worker.get(f"/locate/street/{outside.pk}/grids/").status_code == 404
    assert login(Client(), city, "operator").get(f"/locate/street/{outside.pk}/grids/").status_code == 200
