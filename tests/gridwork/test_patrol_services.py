"""record_visit: a grid worker's visit, exactly once; bad input refused with the field named, nothing written."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from fengqiao.accounts.models import Membership
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Attachment, Case, CaseEvent, Channel
from fengqiao.gridwork import services
from fengqiao.gridwork.models import Campaign, Finding, LocatedBy, PlaceKind, Visit, VisitPhoto
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from tests.factories import City, build_city
from tests.gridwork.patrol_kit import photo, place, png, report, visit_input


def record(city: City, data: services.VisitInput, who: str = "grid_worker") -> services.Recorded:
    return services.record_visit(city.users[who], data)


def nothing_written() -> None:
    assert (Visit.objects.count(), VisitPhoto.objects.count(), Case.objects.count()) == (0, 0, 0)


def test_a_visit_keeps_both_clocks_the_point_and_its_place(city: City) -> None:
    at = place(city)
    observed = clock.now() - dt.timedelta(hours=3)  # logged offline this morning, uploaded now
    result = record(city, visit_input(at, observed_at=observed, lng=at.lng + 0.0001, note="  一切正常 "))
    visit = result.visit
    assert (result.created, result.photos_added) == (True, 0)
    assert (visit.grid, visit.place, visit.worker, visit.finding, visit.note) == (
        city.grids[0], at, city.users["grid_worker"], Finding.NORMAL, "一切正常")
    assert visit.observed_at == observed
    assert abs((visit.received_at - clock.now()).total_seconds()) < 5
    assert (visit.located_by, visit.accuracy_m, visit.case) == (LocatedBy.GPS, 12.0, None)
    assert visit.distance_m == pytest.approx(9.4, abs=0.2)  # 0.0001° of longitude at 32.4°N


def test_a_replay_returns_the_first_visit_and_doubles_nothing(city: City) -> None:
    at = place(city)
    data = visit_input(at, photos=[photo("a.png"), photo("b.png", b"")])
    with pytest.raises(ValidationFailed):  # an empty file: nothing written
        record(city, data)
    nothing_written()
    data.photos = [photo("a.png")]
    first = record(city, data)
    data.photos = [photo("a.png")]  # the phone sends the same upload again (its answer was lost)
    again = record(city, data)
    assert (again.created, again.visit.pk, again.photos_added) == (False, first.visit.pk, 0)
    assert (Visit.objects.count(), VisitPhoto.objects.count()) == (1, 1)


def test_the_same_photo_twice_in_one_upload_is_stored_once_and_a_new_one_on_replay_is_added(city: City) -> None:
    at = place(city)
    data = visit_input(at, photos=[photo("a.png"), photo("copy-of-a.png")])
    assert record(city, data).photos_added == 1
    other = png(4, 4)
    data.photos = [photo("a.png"), photo("c.png", other)]
    again = record(city, data)
    assert (again.created, again.photos_added) == (False, 1)
    assert sorted(p.size for p in VisitPhoto.objects.all()) == sorted([len(other), len(png())])
    stored = VisitPhoto.objects.first()
    assert stored is not None
    assert stored.content_type == "image/png"
    assert stored.file.name.startswith(f"visits/{clock.localtime(data.observed_at):%Y/%m}/{data.client_id}/")


def test_a_problem_found_becomes_one_case_on_the_grid_patrol_channel(city: City) -> None:
    at = place(city)
    data = visit_input(at, finding=Finding.ISSUE, report=report(category_id=city.categories["mid"].pk),
                       photos=[photo("issue.png")])
    first = record(city, data)
    case = first.visit.case
    assert case is not None
    assert (case.channel, case.title, case.grid, case.category, case.registered_by) == (
        Channel.GRID_PATROL, "楼道堆放杂物", city.grids[0], city.categories["mid"], city.users["grid_worker"])
    assert (case.lng, case.lat, case.address, case.external_ref) == (
        at.lng, at.lat, at.address, f"visit-{data.client_id}")
    assert [a.content_type for a in Attachment.objects.filter(case=case)] == ["image/png"]
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["register", "attach"]
    data.photos = [photo("issue.png")]
    again = record(city, data)
    assert (again.created, again.visit.case_id) == (False, case.pk)
    assert (Case.objects.count(), Visit.objects.count(), Attachment.objects.count()) == (1, 1, 1)


def test_a_visit_in_another_workers_grid_is_refused(city: City) -> None:
    theirs = place(city, grid=2)
    with pytest.raises(PermissionDenied) as refused:
        record(city, visit_input(theirs))
    assert refused.value.fields == {"place_id": "不在您负责的网格内"}
    assert "西园社区第3网格" in refused.value.message
    # without a place: the point's grid decides
    lng, lat = city.point_in(2)
    with pytest.raises(PermissionDenied) as refused:
        record(city, visit_input(None, lng=lng, lat=lat))
    assert set(refused.value.fields) == {"lng", "lat"}
    nothing_written()


def test_a_point_outside_the_city_is_refused_naming_lng_and_lat(city: City) -> None:
    at = place(city)
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, lng=116.40, lat=39.90))  # Beijing
    assert refused.value.fields == {"lng": "不在本市范围内", "lat": "不在本市范围内"}
    assert "116.40000" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, lng=200.0, lat=float("nan")))
    assert set(refused.value.fields) == {"lng", "lat"}
    nothing_written()


def test_a_point_in_the_neighbouring_grid_is_kept_on_the_places_grid_with_its_distance(city: City) -> None:
    at = place(city, offset=(0.0045, 0.0))  # near the east edge of grid 0
    lng, lat = city.point_in(1)  # GPS drifted into grid 1 (the same worker's community, not hers)
    visit = record(city, visit_input(at, lng=lng, lat=lat)).visit
    assert (visit.grid, visit.lng, visit.lat) == (city.grids[0], lng, lat)
    assert visit.distance_m == pytest.approx(516, abs=2)  # 0.0055° of longitude


def test_without_gps_the_places_point_stands_in(city: City) -> None:
    at = place(city)
    visit = record(city, visit_input(at, located_by=LocatedBy.PLACE, lng=0.0, lat=0.0, accuracy_m=None)).visit
    assert (visit.lng, visit.lat, visit.located_by, visit.accuracy_m, visit.distance_m) == (
        at.lng, at.lat, LocatedBy.PLACE, None, 0.0)
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(None, located_by=LocatedBy.PLACE))
    assert refused.value.fields == {"place_id": "未获得定位时必须选择走访点"}


def test_an_ad_hoc_visit_takes_the_grid_of_its_point(city: City) -> None:
    lng, lat = city.point_in(0)
    visit = record(city, visit_input(None, lng=lng, lat=lat, finding=Finding.ISSUE, report=report())).visit
    assert (visit.grid, visit.place, visit.distance_m) == (city.grids[0], None, None)
    assert visit.case is not None
    assert visit.case.grid == city.grids[0]


def test_a_photo_that_is_not_an_image_is_refused(city: City) -> None:
    at = place(city)
    for upload in (photo("scan.jpg", b"%PDF-1.7\n1 0 obj <<>> endobj\n" * 20), photo("x.png", b"hello " * 50)):
        with pytest.raises(ValidationFailed) as refused:
            record(city, visit_input(at, photos=[photo("ok.png"), upload]))
        assert refused.value.fields == {"photos.1": "不是图片"}
        assert upload.name in refused.value.message
    nothing_written()


@pytest.mark.parametrize("who", ["operator", "dispatcher", "handler", "citizen", "leader", "admin"])
def test_only_grid_workers_record_visits(city: City, who: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        record(city, visit_input(place(city)), who=who)
    assert refused.value.message == "只有网格员和网格团队成员可以记录巡查走访。"
    nothing_written()


def test_a_community_grid_worker_visits_every_grid_of_her_community(city: City) -> None:
    user = city.users["grid_worker"]
    Membership.objects.filter(user=user).update(area=city.communities[0])
    assert record(city, visit_input(place(city, grid=1))).visit.grid == city.grids[1]
    with pytest.raises(PermissionDenied):
        record(city, visit_input(place(city, grid=2, name="别处")))


@pytest.mark.parametrize(("offset", "field_error"), [
    (dt.timedelta(minutes=11), "走访时间晚于服务器时间 10 分钟以上，请校准手机时钟"),
    (-dt.timedelta(days=31), "超过 30 天的走访不能补报"),
])
def test_the_phones_clock_is_checked(city: City, offset: dt.timedelta, field_error: str) -> None:
    at = place(city)
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, observed_at=clock.now() + offset))
    assert refused.value.fields == {"observed_at": field_error}
    assert record(city, visit_input(at, observed_at=clock.now() + dt.timedelta(minutes=9))).created


def test_a_naive_time_and_a_bad_client_id_are_refused(city: City) -> None:
    at = place(city)
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, observed_at=dt.datetime(2026, 1, 1, 9, 0)))
    assert refused.value.fields == {"observed_at": "走访时间须带时区"}
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, client_id="visit-1"))
    assert refused.value.fields == {"client_id": "应为 UUID"}


@pytest.mark.parametrize(("extra", "fields"), [
    ({"finding": Finding.ISSUE}, {"report": "发现问题时请填写上报的事件"}),
    ({"report": report()}, {"report": "只有“发现问题”的走访才能上报事件"}),
    ({"finding": Finding.ISSUE, "report": report(title=" ", description="")},
     {"report.title": "请填写问题标题", "report.description": "请填写问题描述"}),
    ({"finding": "fine"}, {"finding": "走访结果应为 正常 / 发现问题 / 未遇到人"}),
    ({"note": "长" * 2001}, {"note": "不能超过 2000 字"}),
    ({"accuracy_m": -1.0}, {"accuracy_m": "定位精度应为 0 到 100000 米"}),
])
def test_bad_fields_are_named(city: City, extra: dict[str, Any], fields: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(place(city), **extra))
    assert refused.value.fields == fields
    nothing_written()


def test_a_client_id_of_another_workers_visit_is_a_conflict(city: City) -> None:
    data = visit_input(place(city))
    record(city, data)
    Membership.objects.create(user=city.users["other_grid_worker"], role=Role.GRID_WORKER, area=city.grids[0])
    with pytest.raises(Conflict) as refused:
        record(city, data, who="other_grid_worker")
    assert refused.value.fields == {"client_id": "编号已被使用"}


def test_a_racing_replay_meets_the_unique_constraint_and_returns_the_first(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    data = visit_input(place(city), finding=Finding.ISSUE, report=report())
    first = record(city, data)
    # the second upload checked for the client id before the first committed: it finds nothing
    real_filter = Visit.objects.filter
    calls = {"n": 0}

    def filter_missing_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return Visit.objects.none() if calls["n"] == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(Visit.objects, "filter", filter_missing_once)
    again = record(city, data)
    assert (again.created, again.visit.pk, calls["n"]) == (False, first.visit.pk, 2)
    assert (Visit.objects.count(), Case.objects.count()) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_make_one_visit_and_one_case() -> None:
    city = build_city()
    data = visit_input(place(city), finding=Finding.ISSUE, report=report())
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def upload() -> None:
        try:
            barrier.wait()
            results.append(record(city, data).created)
        except Exception as error:  # pragma: no cover - shown in the assertion
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [False, True]
    assert (Visit.objects.count(), Case.objects.count()) == (1, 1)


def test_a_campaign_visit_is_checked_against_the_campaign(city: City) -> None:
    at = place(city, kind=PlaceKind.SHOP)
    today = clock.today()
    campaign = Campaign.objects.create(
        name="沿街商铺安全排查", area=city.street, place_kinds=[PlaceKind.SHOP], starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=3), created_by=city.users["admin"], created_at=clock.now())
    assert record(city, visit_input(at, campaign_id=campaign.pk)).visit.campaign == campaign
    school = place(city, kind=PlaceKind.SCHOOL, name="东风小学")
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(school, campaign_id=campaign.pk))
    assert refused.value.fields == {"campaign_id": "该类走访点不在专项行动对象内"}
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, campaign_id=campaign.pk, observed_at=clock.now() - dt.timedelta(days=5)))
    assert refused.value.fields == {"campaign_id": "走访日期不在专项行动期间"}
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, campaign_id=999_999))
    assert refused.value.fields == {"campaign_id": "专项行动不存在"}
    assert Visit.objects.count() == 1


def test_a_place_taken_off_the_plan_still_takes_the_visit_a_missing_one_does_not(city: City) -> None:
    at = place(city)
    at.active = False  # taken off the plan after the phone logged the visit offline
    at.save()
    assert record(city, visit_input(at)).visit.place == at
    with pytest.raises(ValidationFailed) as refused:
        record(city, visit_input(at, place_id=999_999))
    assert refused.value.fields == {"place_id": "走访点不存在"}
