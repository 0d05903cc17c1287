"""The patrol app's API (/api/patrol/): the plan, visits uploaded from the phone (multipart: a ``visit`` JSON
field and ``photos``), the worker's recent visits.  Session auth from the same site, CSRF on the upload.
Grid workers get their routine round; officers on grid teams the running campaigns' target places
(patrol_officers.py).  Households' names and addresses are in full here — the plan is the grids the user
works — and the day's first read of each grid's households is audited (households.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.errors import ValidationError
from ninja.responses import Status

from fengqiao.accounts.models import User
from fengqiao.gridwork import households, patrol_officers, patrol_reads, services
from fengqiao.gridwork.models import Campaign, Place, TeamRole, Visit
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock
from fengqiao.kit.errors import PermissionDenied, ValidationFailed

router = Router(tags=["patrol"])
AUDIT_PURPOSE = "巡查计划（手机）"


def _worker(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not patrol_officers.is_patroller(user):
        raise PermissionDenied(_("只有网格员和网格团队成员可以使用巡查。"))
    return user


def _audit(request: HttpRequest, user: User, places: Sequence[Place | None]) -> None:
    """The day's first full read of each grid's households by this user (the plan, the recent visits)."""
    grids: dict[int, Area] = {p.grid.pk: p.grid for p in places if p is not None and p.is_household}
    for grid in grids.values():
        role = households.full_view_role(user, grid)
        if role is not None:
            households.record_full_view(user, role, grid, purpose=AUDIT_PURPOSE,
                                        ip_address=request.META.get("REMOTE_ADDR"))


class WorkerOut(Schema):
    username: str
    name: str


class GridOut(Schema):
    id: int
    code: str
    name: str


class CampaignOut(Schema):
    id: int
    name: str
    team_role: str
    team_role_label: str
    starts_on: dt.date
    ends_on: dt.date

    @staticmethod
    def of(campaign: Campaign) -> CampaignOut:
        return CampaignOut(id=campaign.pk, name=campaign.name, team_role=campaign.team_role,
                           team_role_label=str(campaign.get_team_role_display()), starts_on=campaign.starts_on,
                           ends_on=campaign.ends_on)


class PlaceOut(Schema):
    key: str = Field(description="unique in the plan: the place id, or place-campaign for a campaign's target")
    id: int
    grid_id: int
    grid: str
    kind: str
    kind_label: str
    name: str
    address: str
    lng: float
    lat: float
    every_days: int
    last_visited_at: dt.datetime | None
    due_on: dt.date
    overdue_days: int = Field(description="days past the due date; negative while not yet due")
    campaign: CampaignOut | None = Field(None, description="an officer's campaign target: visit it for this "
                                         "campaign; last_visited_at is then the last visit for it, due_on its end")


class CategoryOut(Schema):
    id: int
    name: str
    group: str | None


class PlanOut(Schema):
    worker: WorkerOut
    today: dt.date
    generated_at: dt.datetime
    team_roles: list[str] = Field(description="the roles the user patrols in: grid_worker, police, lawyer …")
    ad_hoc: bool = Field(description="may report on the go (随手报, no place): grid workers")
    can_report: bool = Field(description="a problem found becomes a case at once (else: written in the note)")
    grids: list[GridOut]
    campaigns: list[CampaignOut] = Field(description="the running campaigns the user visits for")
    places: list[PlaceOut] = Field(description="most overdue first; campaign targets not yet visited first")
    categories: list[CategoryOut]


class PatrolReportIn(Schema):
    title: str
    description: str
    category_id: int | None = None
    urgency: str = "normal"


class VisitIn(Schema):
    client_id: str = Field(description="a UUID made on the phone; the same id again is a replay")
    observed_at: dt.datetime = Field(description="the phone's clock when the visit was saved, with its offset")
    lng: float
    lat: float
    place_id: int | None = None
    accuracy_m: float | None = None
    located_by: str = Field("gps", description="gps, or place when the phone had no position")
    finding: str = "normal"
    note: str = ""
    campaign_id: int | None = None
    report: PatrolReportIn | None = Field(None, description="with finding=issue: the case to register")


class CaseRef(Schema):
    code: str
    status: str
    status_label: str


class VisitOut(Schema):
    id: int
    client_id: str
    place_id: int | None
    place: str | None
    grid: str
    campaign_id: int | None
    campaign: str | None
    team_role: str
    observed_at: dt.datetime
    received_at: dt.datetime
    lng: float
    lat: float
    accuracy_m: float | None
    located_by: str
    distance_m: float | None
    finding: str
    finding_label: str
    note: str
    photos: int
    case: CaseRef | None

    @staticmethod
    def of(visit: Visit, photos: int | None = None) -> VisitOut:
        case = visit.case
        return VisitOut(
            id=visit.pk, client_id=str(visit.client_id), place_id=visit.place_id,
            place=visit.place.shown_name(True) if visit.place else None, grid=visit.grid.name,
            campaign_id=visit.campaign_id, campaign=visit.campaign.name if visit.campaign else None,
            team_role=visit.team_role,
            observed_at=visit.observed_at, received_at=visit.received_at, lng=visit.lng, lat=visit.lat,
            accuracy_m=visit.accuracy_m, located_by=visit.located_by, distance_m=visit.distance_m,
            finding=visit.finding, finding_label=str(visit.get_finding_display()), note=visit.note,
            photos=photos if photos is not None else visit.photos.count(),
            case=CaseRef(code=case.code, status=case.status, status_label=str(case.get_status_display()))
            if case else None,
        )


def _place_out(place: Place, last: dt.datetime | None, due_on: dt.date, overdue_days: int,
               campaign: Campaign | None = None) -> PlaceOut:
    return PlaceOut(
        key=f"{place.pk}-{campaign.pk}" if campaign else str(place.pk),
        id=place.pk, grid_id=place.grid_id, grid=place.grid.name, kind=place.kind,
        kind_label=str(place.get_kind_display()), name=place.shown_name(True), address=place.shown_address(True),
        lng=place.lng, lat=place.lat, every_days=place.every_days, last_visited_at=last, due_on=due_on,
        overdue_days=overdue_days, campaign=CampaignOut.of(campaign) if campaign else None,
    )


@router.get("/plan", response=PlanOut, summary="The worker's patrol plan (网格巡查计划)")
def plan(request: HttpRequest) -> PlanOut:
    """A grid worker's places, most overdue first; an officer's running campaigns' target places in her grids,
    those not yet visited for their campaign first; the categories a report may carry."""
    user = _worker(request)
    routine = patrol_reads.plan(user)
    targets = patrol_officers.campaign_plan(user)
    grids = {g.pk: g for g in patrol_reads.patrol_grids(user)}
    grids.update({g.pk: g for g in patrol_officers.officer_grids(user)})
    roles = ([TeamRole.GRID_WORKER.value] if patrol_reads.is_grid_worker(user) else []) + \
        sorted(patrol_officers.posts(user))
    campaigns = {i.campaign.pk: i.campaign for i in targets}
    _audit(request, user, [i.place for i in routine] + [i.place for i in targets])
    return PlanOut(
        worker=WorkerOut(username=user.username, name=str(user)),
        today=clock.today(), generated_at=clock.now(), team_roles=roles,
        ad_hoc=patrol_reads.is_grid_worker(user), can_report=patrol_officers.may_report(user),
        grids=[GridOut(id=g.pk, code=g.code, name=g.name) for g in sorted(grids.values(), key=lambda g: g.path)],
        campaigns=[CampaignOut.of(c) for c in campaigns.values()],
        places=[_place_out(i.place, i.last_visited_at, i.due_on, i.overdue_days) for i in routine]
        + [_place_out(i.place, i.last_visited_at, i.due_on, i.overdue_days, i.campaign) for i in targets],
        categories=[CategoryOut(id=c.pk, name=c.name, group=c.parent.name if c.parent else None)
                    for c in patrol_reads.report_categories()],
    )


@router.post("/visits", response={200: VisitOut, 201: VisitOut}, summary="Upload a visit (exactly once)")
def upload_visit(request: HttpRequest, visit: Form[str],
                 photos: File[list[UploadedFile]] = None) -> Status[VisitOut]:  # type: ignore[assignment]
    """multipart/form-data: ``visit`` (JSON, see VisitIn) and up to 6 ``photos``.  201 when recorded, 200 with
    the same body when ``client_id`` was recorded before (a replay: nothing is doubled)."""
    user = _worker(request)
    payload = _parse(visit)
    if payload.observed_at.tzinfo is not None:  # (without one, the service refuses it by name)
        payload.observed_at = _utc(payload.observed_at, "observed_at")
    report = payload.report
    result = services.record_visit(user, services.VisitInput(
        client_id=payload.client_id, observed_at=payload.observed_at, lng=payload.lng, lat=payload.lat,
        place_id=payload.place_id, accuracy_m=payload.accuracy_m, located_by=payload.located_by,
        finding=payload.finding, note=payload.note, campaign_id=payload.campaign_id,
        report=services.ReportInput(**report.dict()) if report else None,
        photos=list(photos or []),
    ))
    stored = Visit.objects.select_related("place", "grid", "case", "campaign").get(pk=result.visit.pk)
    return Status(201 if result.created else 200, VisitOut.of(stored))


def _parse(text: str) -> VisitIn:
    try:
        return VisitIn.model_validate_json(text)
    except pydantic.ValidationError as error:
        errors: list[dict[str, Any]] = []
        for e in error.errors():
            if e["type"] == "json_invalid":
                errors.append({"loc": ["visit"], "msg": _("不是有效的 JSON")})
            else:
                errors.append({"loc": list(e["loc"]) or ["visit"], "msg": e["msg"]})
        raise ValidationError(errors) from None


def _utc(value: Any, name: str) -> Any:
    """The same instant in UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL stores up to ±15:59."""
    if value is None:
        return None
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValidationFailed(_("时间超出可表示的范围"), fields={name: _("时间超出可表示的范围")}) from None


@router.get("/visits", response=list[VisitOut], summary="The worker's recent visits")
def recent_visits(request: HttpRequest, since: dt.datetime | None = None) -> list[VisitOut]:
    """The worker's own visits observed since ``since`` (ISO 8601; a week by default), newest first."""
    user = _worker(request)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=clock.local_tz())
    since = _utc(since, "since")
    visits = list(patrol_reads.recent_visits(user, since=since))
    _audit(request, user, [v.place for v in visits])
    return [VisitOut.of(v, photos=getattr(v, "photo_count", None)) for v in visits]
