"""The patrol app's API (/api/patrol/): the plan, visits uploaded from the phone (multipart: a ``visit`` JSON
field and ``photos``), the worker's recent visits.  Session auth from the same site, CSRF on the upload."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.errors import ValidationError
from ninja.responses import Status

from fengqiao.accounts.models import User
from fengqiao.gridwork import patrol_reads, services
from fengqiao.gridwork.models import Visit
from fengqiao.kit import clock
from fengqiao.kit.errors import PermissionDenied

router = Router(tags=["patrol"])


def _worker(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not patrol_reads.is_grid_worker(user):
        raise PermissionDenied(_("只有网格员可以使用巡查。"))
    return user


class WorkerOut(Schema):
    username: str
    name: str


class GridOut(Schema):
    id: int
    code: str
    name: str


class PlaceOut(Schema):
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


class CategoryOut(Schema):
    id: int
    name: str
    group: str | None


class PlanOut(Schema):
    worker: WorkerOut
    today: dt.date
    generated_at: dt.datetime
    grids: list[GridOut]
    places: list[PlaceOut] = Field(description="most overdue first")
    categories: list[CategoryOut]


class ReportIn(Schema):
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
    report: ReportIn | None = Field(None, description="with finding=issue: the case to register")


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
            place=visit.place.name if visit.place else None, grid=visit.grid.name,
            observed_at=visit.observed_at, received_at=visit.received_at, lng=visit.lng, lat=visit.lat,
            accuracy_m=visit.accuracy_m, located_by=visit.located_by, distance_m=visit.distance_m,
            finding=visit.finding, finding_label=str(visit.get_finding_display()), note=visit.note,
            photos=photos if photos is not None else visit.photos.count(),
            case=CaseRef(code=case.code, status=case.status, status_label=str(case.get_status_display()))
            if case else None,
        )


@router.get("/plan", response=PlanOut, summary="The worker's patrol plan (网格巡查计划)")
def plan(request: HttpRequest) -> PlanOut:
    """The places of the worker's grids, most overdue first, with the categories a report may carry."""
    user = _worker(request)
    items = patrol_reads.plan(user)
    return PlanOut(
        worker=WorkerOut(username=user.username, name=str(user)),
        today=clock.today(), generated_at=clock.now(),
        grids=[GridOut(id=g.pk, code=g.code, name=g.name) for g in patrol_reads.patrol_grids(user)],
        places=[PlaceOut(
            id=i.place.pk, grid_id=i.place.grid_id, grid=i.place.grid.name, kind=i.place.kind,
            kind_label=str(i.place.get_kind_display()), name=i.place.name, address=i.place.address,
            lng=i.place.lng, lat=i.place.lat, every_days=i.place.every_days, last_visited_at=i.last_visited_at,
            due_on=i.due_on, overdue_days=i.overdue_days,
        ) for i in items],
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
    report = payload.report
    result = services.record_visit(user, services.VisitInput(
        client_id=payload.client_id, observed_at=payload.observed_at, lng=payload.lng, lat=payload.lat,
        place_id=payload.place_id, accuracy_m=payload.accuracy_m, located_by=payload.located_by,
        finding=payload.finding, note=payload.note, campaign_id=payload.campaign_id,
        report=services.ReportInput(**report.dict()) if report else None,
        photos=list(photos or []),
    ))
    stored = Visit.objects.select_related("place", "grid", "case").get(pk=result.visit.pk)
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


@router.get("/visits", response=list[VisitOut], summary="The worker's recent visits")
def recent_visits(request: HttpRequest, since: dt.datetime | None = None) -> list[VisitOut]:
    """The worker's own visits observed since ``since`` (ISO 8601; a week by default), newest first."""
    user = _worker(request)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=clock.local_tz())
    return [VisitOut.of(v, photos=getattr(v, "photo_count", None))
            for v in patrol_reads.recent_visits(user, since=since)]
