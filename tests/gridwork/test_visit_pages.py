"""Visits on the staff site: photos on the grid page as thumbnails served by an authenticated, scoped view (never
a media URL), and a visit's page — note, finding, both clocks, how it was located, the distance, the case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fengqiao.gridwork import services
from fengqiao.gridwork.models import Finding, LocatedBy, Visit
from fengqiao.kit import clock
from tests.factories import City
from tests.gridwork.officer_kit import officers
from tests.gridwork.patrol_kit import photo, place, png, report, visit_input
from tests.web.conftest import MODEL_BACKEND, login


def recorded(city: City, grid: int = 0, **extra: object) -> Visit:
    at = place(city, grid=grid, name="幸福便利店" if grid == 0 else "西园便利店")
    fields: dict[str, object] = {"photos": [photo("a.png"), photo("b.png", png(4, 4))]} | extra
    who = "grid_worker" if grid == 0 else "other_grid_worker"
    return services.record_visit(city.users[who], visit_input(at, **fields)).visit


def urls(city: City, visit: Visit, grid: int = 0) -> tuple[str, list[str]]:
    base = f"/grids/{city.grids[grid].code}/visits/{visit.pk}/"
    return base, [f"{base}photos/{p.pk}/" for p in visit.photos.order_by("pk")]


def test_the_grid_page_shows_the_visits_photos_as_thumbnails_from_the_scoped_view(client: Client,
                                                                                  city: City) -> None:
    visit = recorded(city)
    page, photos = urls(city, visit)
    body = login(client, city, "street_dispatcher").get(f"/grids/{city.grids[0].code}/").content.decode()
    for url in photos:
        assert f'<img src="{url}"' in body
    assert f'href="{page}"' in body
    assert "/media/" not in body
    response = client.get(photos[0])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]
    assert (response["Content-Type"], response["Cache-Control"], response["X-Content-Type-Options"]) == (
        "image/png", "private, max-age=86400", "nosniff")
    assert response["Content-Disposition"].startswith("inline")
    assert client.get(photos[0], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(f"{photos[0]}?download=1")["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(("who", "status"), [
    ("grid_worker", 200), ("street_dispatcher", 200), ("leader", 200), ("admin", 200),
    ("other_grid_worker", 404), ("handler", 404), ("citizen", 404), ("mediator", 404),
])
def test_a_visit_and_its_photos_only_for_those_who_may_open_the_grid(client: Client, city: City, who: str,
                                                                      status: int) -> None:
    visit = recorded(city)
    page, photos = urls(city, visit)
    login(client, city, who)
    assert client.get(page).status_code == status
    response = client.get(photos[0])
    assert response.status_code == status
    if status == 404:
        assert b"\x89PNG" not in response.content


def test_a_visit_is_found_only_under_its_own_grid(client: Client, city: City) -> None:
    theirs = recorded(city, grid=2)
    mine = recorded(city)
    login(client, city, "grid_worker")
    _, photos = urls(city, theirs, grid=2)
    assert client.get(f"/grids/{city.grids[0].code}/visits/{theirs.pk}/").status_code == 404  # not grid 0's
    assert client.get(photos[0].replace(city.grids[2].code, city.grids[0].code)).status_code == 404
    assert client.get(f"/grids/{city.grids[0].code}/visits/{mine.pk}/photos/{theirs.photos.first().pk}/"  # type: ignore[union-attr]
                      ).status_code == 404
    assert Client().get(urls(city, mine)[1][0]).status_code == 302  # to the login page


def test_the_visit_page_tells_what_happened_where_and_when(client: Client, city: City) -> None:
    observed = clock.now() - dt.timedelta(hours=3, minutes=20)  # kept on the phone offline, sent later
    visit = recorded(city, observed_at=observed, finding=Finding.ISSUE, note="门口堆放燃气罐",
                     report=report(title="商铺门口堆放燃气罐"), lng=city.point_in(0)[0] + 0.004, accuracy_m=18.0)
    assert visit.case is not None
    page, photos = urls(city, visit)
    body = login(client, city, "grid_worker").get(page).content.decode()
    local = clock.localtime(observed)
    for text in ("幸福便利店", "发现问题", "门口堆放燃气罐", f"{local:%Y-%m-%d %H:%M:%S}", "3.3 小时",
                 "离线保存后上传", "GPS 定位", "精度约 18 米", "375 米", "超过 300 米", f"/cases/{visit.case.code}/",
                 "商铺门口堆放燃气罐", photos[0], photos[1], "visit-map-data"):
        assert text in body, text
    received = clock.localtime(visit.received_at)
    assert f"{received:%Y-%m-%d %H:%M}" in body


def test_the_visit_page_for_a_reader_who_does_not_see_the_case(client: Client, city: City) -> None:
    team = officers(city)  # the grid's prosecutor opens the grid's page, not its cases
    visit = recorded(city, finding=Finding.ISSUE, report=report(), located_by=LocatedBy.PLACE, accuracy_m=None)
    assert visit.case is not None
    client.force_login(team.prosecutor, backend=MODEL_BACKEND)
    body = client.get(urls(city, visit)[0]).content.decode()
    assert "该走访已上报案件（您无权查看该案件）" in body
    assert visit.case.code not in body
    assert "走访点位置（未获得定位）" in body
    assert "精度约" not in body


def test_an_officers_finding_without_a_case_says_who_registers_it(client: Client, city: City) -> None:
    team = officers(city)
    visit = services.record_visit(team.prosecutor, visit_input(
        team.school, campaign_id=team.schools.pk, finding=Finding.ISSUE, note="校门口有商贩兜售电子烟")).visit
    body = login(client, city, "grid_worker").get(urls(city, visit)[0]).content.decode()
    for text in ("东风小学", "检察官进校园", "prosecutor_qian", "检察官", "校门口有商贩兜售电子烟", "发现问题但未立案",
                 "没有照片。"):
        assert text in body, text
