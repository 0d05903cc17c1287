"""巡查走访: a visit logged from the phone exactly once — a grid worker's round, or an officer's visit for a
campaign (her team role on the place's grid = the campaign's; officer_visits.py checks it).  A visit that
finds a problem raises a case through the ordinary registration service (channel ``grid_patrol``) in the
same transaction, when the account may register cases (officers' findings stay on the visit's note).

Exactly once: the phone makes ``client_id``; a replay (the answer was lost, the phone sends again) returns
the visit already made — checked first, and again through the unique constraint when two uploads race.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.accounts.models import User
from fengqiao.cases import services as case_services
from fengqiao.cases.models import Channel, PartyRole, Urgency
from fengqiao.gridwork import officer_visits
from fengqiao.gridwork.models import Campaign, Finding, LocatedBy, Place, TeamRole, Visit, VisitPhoto
from fengqiao.gridwork.patrol_officers import is_officer, may_report
from fengqiao.gridwork.patrol_reads import in_paths, worker_paths
from fengqiao.gridwork.photos import CheckedPhoto, check_photos
from fengqiao.jurisdictions import geo
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed

MAX_CLOCK_SKEW = dt.timedelta(minutes=10)  # a phone's clock may run ahead of the server's by this much
MAX_AGE = dt.timedelta(days=30)  # a visit older than this is not a patrol record any more but a memory
MAX_NOTE = 2000


@dataclass
class ReportInput:
    """The problem a visit found (发现问题): becomes a case on the grid-patrol channel."""

    title: str
    description: str
    category_id: int | None = None
    urgency: str = Urgency.NORMAL


@dataclass
class VisitInput:
    client_id: str
    observed_at: dt.datetime
    lng: float
    lat: float
    place_id: int | None = None
    accuracy_m: float | None = None
    located_by: str = LocatedBy.GPS
    finding: str = Finding.NORMAL
    note: str = ""
    campaign_id: int | None = None
    report: ReportInput | None = None
    photos: list[UploadedFile] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    visit: Visit
    created: bool
    photos_added: int


@transaction.atomic
def record_visit(user: User, data: VisitInput) -> Recorded:
    """Record one visit (and the case it raises); a replay of ``client_id`` returns the first visit."""
    paths = worker_paths(user)
    if not paths and not is_officer(user):
        raise PermissionDenied(_("只有网格员和网格团队成员可以记录巡查走访。"))
    client_id = _client_id(data.client_id)
    photos = check_photos(data.photos)
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replay(user, existing, photos)
    _check(data, reports=may_report(user))
    campaign = officer_visits.load_campaign(data.campaign_id)
    if campaign is not None and campaign.team_role != TeamRole.GRID_WORKER:  # an officer's campaign visit
        place = _place(data)
        officer_visits.check_team(user, place, campaign, paths)
        place, grid, lng, lat, distance = _locate(data, place, None)
        assert place is not None
        officer_visits.check_target(campaign, place, data.observed_at)
        team_role = campaign.team_role
    elif not paths:
        raise PermissionDenied(_("网格团队成员只能为专项行动走访：请从计划中选择专项行动的走访点。"),
                               fields={"campaign_id": _("请选择专项行动")})
    else:
        place, grid, lng, lat, distance = _locate(data, _place(data), paths)
        _campaign(campaign, grid, place, data.observed_at)
        team_role = TeamRole.GRID_WORKER
    visit = Visit(
        client_id=client_id, grid=grid, place=place, campaign=campaign, worker=user,
        team_role=team_role, observed_at=data.observed_at, received_at=clock.now(),
        lng=lng, lat=lat, accuracy_m=data.accuracy_m if data.located_by == LocatedBy.GPS else None,
        located_by=data.located_by, distance_m=distance, finding=data.finding, note=data.note.strip(),
    )
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError:
        raced = Visit.objects.filter(client_id=client_id).first()
        if raced is None:
            raise
        return _replay(user, raced, photos)  # the same upload arrived twice at once: the first one won
    if data.report is not None:
        visit.case_id = _raise_case(user, visit, data.report)
        visit.save(update_fields=["case"])
    stored = _store_photos(user, visit, photos)
    return Recorded(visit=visit, created=True, photos_added=len(stored))


def _client_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(text))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed(_("走访编号无效：应为手机生成的 UUID。"),
                               fields={"client_id": _("应为 UUID")}) from None


def _replay(user: User, visit: Visit, photos: list[CheckedPhoto]) -> Recorded:
    if visit.worker_id != user.pk:
        raise Conflict(_("走访编号 %(id)s 已被另一人的走访使用。") % {"id": visit.client_id},
                       fields={"client_id": _("编号已被使用")})
    stored = _store_photos(user, visit, photos)  # a photo the first upload did not carry; a known one is skipped
    return Recorded(visit=visit, created=False, photos_added=len(stored))


def _check(data: VisitInput, *, reports: bool) -> None:
    errors: dict[str, str] = {}
    if data.finding not in Finding.values:
        errors["finding"] = _("走访结果应为 正常 / 发现问题 / 未遇到人")
    if data.located_by not in LocatedBy.values:
        errors["located_by"] = _("定位方式应为 gps 或 place")
    if len(data.note or "") > MAX_NOTE:
        errors["note"] = _("不能超过 %(max)s 字") % {"max": MAX_NOTE}
    if not _finite(data.lng) or not -180 <= data.lng <= 180:
        errors["lng"] = _("经度应在 -180 到 180 之间")
    if not _finite(data.lat) or not -90 <= data.lat <= 90:
        errors["lat"] = _("纬度应在 -90 到 90 之间")
    if data.accuracy_m is not None and (not _finite(data.accuracy_m) or not 0 <= data.accuracy_m <= 100_000):
        errors["accuracy_m"] = _("定位精度应为 0 到 100000 米")
    errors.update(_check_time(data.observed_at))
    errors.update(_check_report(data) if reports else _check_finding_without_report(data))
    if errors:
        listed = pgettext("list separator", "；").join(errors.values())
        raise ValidationFailed(_("走访记录有误：%(errors)s。") % {"errors": listed}, fields=errors)


def _finite(value: float | None) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _check_time(observed_at: dt.datetime) -> dict[str, str]:
    if observed_at.tzinfo is None or observed_at.utcoffset() is None:
        return {"observed_at": _("走访时间须带时区")}
    now = clock.now()
    if observed_at > now + MAX_CLOCK_SKEW:
        return {"observed_at": _("走访时间晚于服务器时间 %(min)s 分钟以上，请校准手机时钟")
                % {"min": int(MAX_CLOCK_SKEW.total_seconds() // 60)}}
    if observed_at < now - MAX_AGE:
        return {"observed_at": _("超过 %(days)s 天的走访不能补报") % {"days": MAX_AGE.days}}
    return {}


def _check_report(data: VisitInput) -> dict[str, str]:
    report = data.report
    if data.finding == Finding.ISSUE and report is None:
        return {"report": _("发现问题时请填写上报的事件")}
    if report is None:
        return {}
    if data.finding != Finding.ISSUE:
        return {"report": _("只有“发现问题”的走访才能上报事件")}
    errors: dict[str, str] = {}
    title = report.title.strip()
    if not title:
        errors["report.title"] = _("请填写问题标题")
    elif len(title) > 200:
        errors["report.title"] = _("标题不能超过 200 字")
    if not report.description.strip():
        errors["report.description"] = _("请填写问题描述")
    elif len(report.description) > 10_000:
        errors["report.description"] = _("问题描述不能超过 10000 字")
    if report.urgency not in Urgency.values:
        errors["report.urgency"] = _("紧急程度应为 一般 / 紧急 / 特急")
    return errors


def _check_finding_without_report(data: VisitInput) -> dict[str, str]:
    """An account that may not register cases (an officer's): a problem found is written in the note."""
    if data.report is not None:
        return {"report": _("您的账号不能登记事件：请在情况记录中写明问题，由网格员上报")}
    if data.finding == Finding.ISSUE and not data.note.strip():
        return {"note": _("发现问题时请在情况记录中写明问题")}
    return {}


def _place(data: VisitInput) -> Place | None:
    if data.place_id is None:
        return None
    # an inactive place still takes visits: it may have left the plan after the phone logged the visit
    place = Place.objects.select_related("grid").filter(pk=data.place_id).first()
    if place is None:
        raise ValidationFailed(_("走访点不存在。"), fields={"place_id": _("走访点不存在")})
    return place


def _locate(data: VisitInput, place: Place | None,
            paths: list[str] | None) -> tuple[Place | None, Area, float, float, float | None]:
    """(place, the visit's grid, lng, lat, metres from the place).  The visit belongs to its place's grid even
    when the GPS point falls in a neighbouring one (GPS drifts tens of metres between tall buildings): the
    point is kept as measured and the distance flags it.  A point outside the city is refused.  ``paths``: a
    grid worker's areas, which the place (or, without one, the point) must lie in; None for an officer, whose
    place the caller checked against her teams."""
    if place is not None and paths is not None and not in_paths(place.grid, paths):
        message = _("走访点「%(place)s」属于%(grid)s，不在您负责的网格内。")
        raise PermissionDenied(message % {"place": place.shown_name(False), "grid": place.grid.name},
                               fields={"place_id": _("不在您负责的网格内")})
    lng, lat = data.lng, data.lat
    if data.located_by == LocatedBy.PLACE:
        if place is None:
            raise ValidationFailed(_("未获得定位时，请选择走访点（以走访点位置代替）。"),
                                   fields={"place_id": _("未获得定位时必须选择走访点")})
        lng, lat = place.lng, place.lat
    if not geo.within_city(lng, lat):
        message = _("定位点（%(lng).5f, %(lat).5f）不在本市范围内。") % {"lng": lng, "lat": lat}
        raise ValidationFailed(message, fields={"lng": _("不在本市范围内"), "lat": _("不在本市范围内")})
    if place is not None:
        return place, place.grid, lng, lat, round(distance_m(lng, lat, place.lng, place.lat), 1)
    grid_id = geo.grid_at(lng, lat)
    grid = Area.objects.filter(pk=grid_id).first() if grid_id is not None else None
    if grid is None:
        raise ValidationFailed(_("定位点不在任何网格内，请选择走访点。"),
                               fields={"lng": _("不在任何网格内"), "lat": _("不在任何网格内")})
    if paths is None or not in_paths(grid, paths):
        raise PermissionDenied(_("定位点位于%(grid)s，不在您负责的网格内。") % {"grid": grid.name},
                               fields={"lng": _("不在您负责的网格内"), "lat": _("不在您负责的网格内")})
    return None, grid, lng, lat, None


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def _campaign(campaign: Campaign | None, grid: Area, place: Place | None, at: dt.datetime) -> None:
    """A grid worker's campaign visit (排查 drives visited by grid workers) fits the campaign."""
    if campaign is None:
        return
    reason = None
    if not campaign.starts_on <= clock.localtime(at).date() <= campaign.ends_on:
        reason = _("走访日期不在专项行动期间")
    elif not in_paths(grid, [campaign.area.path]):
        reason = _("该网格不在专项行动范围内")
    elif place is None:
        reason = _("专项行动的走访须选择走访点")
    elif campaign.place_kinds and place.kind not in campaign.place_kinds:
        reason = _("该类走访点不在专项行动对象内")
    if reason is not None:
        raise officer_visits.refuse(reason)


def _raise_case(user: User, visit: Visit, report: ReportInput) -> int:
    """The case a visit raises.  At a household (重点户) the case's address is the masked one and the household
    is the case's party (其他当事人), its name and address encrypted and masked as parties' are."""
    place = visit.place
    parties = []
    if place is not None and place.is_household:
        address = place.shown_address(False) or place.shown_name(False)
        parties = [case_services.PartyInput(name=place.shown_name(True), address=place.shown_address(True),
                                            role=PartyRole.OTHER)]
    else:
        address = (place.address or place.name) if place else ""
    registered = case_services.register(user, case_services.RegisterInput(
        channel=Channel.GRID_PATROL, title=report.title.strip(), description=report.description.strip(),
        category_id=report.category_id, urgency=report.urgency, address=address, lng=visit.lng, lat=visit.lat,
        grid_id=visit.grid_id, external_ref=f"visit-{visit.client_id}", parties=parties,
    ))
    return registered.case.pk


def _store_photos(user: User, visit: Visit, photos: list[CheckedPhoto]) -> list[VisitPhoto]:
    """Store the photos the visit does not have yet (by SHA-256); a case the visit raised gets them too."""
    known = set(visit.photos.values_list("sha256", flat=True))
    stored: list[VisitPhoto] = []
    try:
        for photo in photos:
            if photo.sha256 in known:
                continue
            row = VisitPhoto(visit=visit, content_type=photo.content_type, size=photo.size, sha256=photo.sha256)
            row.file.save(f"{photo.sha256[:16]}.{photo.ext}", photo.upload, save=False)
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:  # a racing replay stored the same photo a moment ago
                row.file.delete(save=False)
                continue
            stored.append(row)
            if visit.case_id is not None:
                photo.upload.seek(0)
                photo.upload.name = f"patrol-{photo.sha256[:12]}.{photo.ext}"
                case_services.attach(user, visit.case_id, upload=photo.upload, internal=True)
    except Exception:
        for row in stored:  # the transaction rolls back: do not leave the files behind
            row.file.delete(save=False)
        raise
    return stored
