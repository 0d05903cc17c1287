"""Case endpoints: parse input, call one service or selector, render (CONVENTIONS 2)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from fengqiao.accounts.models import User
from fengqiao.cases import selectors, services
from fengqiao.cases.deadlines import time_left
from fengqiao.cases.models import Case
from fengqiao.kit import api_records as records
from fengqiao.kit import clock
from fengqiao.kit.pagination import paginate

router = Router(tags=["cases"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class CaseOut(Schema):
    code: str
    channel: str
    title: str
    status: str
    status_label: str
    urgency: str
    category: str | None
    lead_unit: str | None
    district: str | None
    street: str | None
    registered_at: dt.datetime
    deadline: dt.datetime | None
    overdue: bool
    time_left: str | None
    version: int

    @staticmethod
    def from_case(case: Case) -> CaseOut:
        left = time_left(case.deadline, clock.now()) if case.status in {"registered", "dispatched", "returned",
                                                                          "accepted", "reopened"} else None
        return CaseOut(
            code=case.code, channel=case.channel, title=case.title, status=case.status,
            status_label=str(case.get_status_display()), urgency=case.urgency,
            category=case.category.name if case.category else None,
            lead_unit=case.lead_unit.name if case.lead_unit else None,
            district=case.district.name if case.district else None,
            street=case.street.name if case.street else None,
            registered_at=case.registered_at, deadline=case.deadline, overdue=case.overdue,
            time_left=left.label() if left else None, version=case.version,
        )


class CaseDetailOut(CaseOut):
    description: str
    address: str
    lng: float | None
    lat: float | None
    reply: str
    satisfaction: str
    duplicate_of: str | None


class CasePageOut(records.PageOut[CaseOut]):
    pass


class CaseEventOut(Schema):
    seq: int
    action: str
    from_state: str
    to_state: str
    at: dt.datetime
    actor: str | None
    unit: str | None
    audience: str
    note: str


class PartyIn(Schema):
    name: str = Field(..., max_length=60)
    phone: str = Field("", max_length=30)
    id_number: str = Field("", max_length=18)
    address: str = Field("", max_length=200)
    role: str = "reporter"


class RegisterIn(Schema):
    channel: str
    title: str = Field(..., max_length=200)
    description: str = Field(..., max_length=10_000)
    category_id: int | None = None
    urgency: str = "normal"
    address: str = Field("", max_length=200)
    lng: float | None = None
    lat: float | None = None
    grid_id: int | None = None
    external_ref: str | None = Field(None, max_length=64)
    parties: list[PartyIn] = []


class RegisterOut(Schema):
    created: bool
    case: CaseOut


class ActionIn(Schema):
    action: Literal[
        "dispatch", "accept", "return", "note", "request_extension", "approve_extension", "refuse_extension",
        "reply", "evaluate", "merge", "cancel", "escalate", "list_supervision", "link", "dispute", "dismiss_dispute",
        "resend_evaluation",
    ]
    expected_version: int | None = None
    lead_unit_id: int | None = None
    assisting_unit_ids: list[int] = []
    text: str = ""
    visible_to_parties: bool = False
    working_days: int = 0
    rating: str = ""
    other: str = ""
    propose_rule: bool = False


class ResendIn(Schema):
    expected_version: int | None = Field(None, description="the case's version as the caller saw it (409 if changed)")


class ResendOut(Schema):
    case: CaseOut
    round: int = Field(description="the evaluation round the new invitation is for")
    resend: int = Field(description="this round's n-th resend")
    resends_left: int


@router.get("", response=CasePageOut)
def list_cases(request: HttpRequest, tab: str = "all", q: str = "", status: str = "", channel: str = "",
               page: int = 1, per_page: int = 25) -> CasePageOut:
    qs = selectors.inbox(_user(request), tab, selectors.InboxFilters(q=q, status=status, channel=channel))
    return CasePageOut.of(paginate(qs, page, per_page), CaseOut.from_case)


@router.post("", response={200: RegisterOut, 201: RegisterOut})
def register_case(request: HttpRequest, payload: RegisterIn) -> Status[RegisterOut]:
    data = services.RegisterInput(
        channel=payload.channel, title=payload.title, description=payload.description,
        category_id=payload.category_id, urgency=payload.urgency, address=payload.address,
        lng=payload.lng, lat=payload.lat, grid_id=payload.grid_id, external_ref=payload.external_ref,
        parties=[services.PartyInput(**p.dict()) for p in payload.parties],
    )
    result = services.register(_user(request), data)
    if result.created:  # the caller's own new case: read back what the answer shows, by key, without the
        # scope filter and the twelve joins of case_for (half the time of a registration's queries, bench/load.py)
        case = Case.objects.select_related("category", "lead_unit", "district", "street").get(pk=result.case.pk)
    else:  # a twin registered before, maybe by someone else: only if the caller may see it
        case = selectors.case_for(_user(request), result.case.code)
    return Status(201 if result.created else 200, RegisterOut(created=result.created, case=CaseOut.from_case(case)))


@router.get("/{code}", response=CaseDetailOut)
def get_case(request: HttpRequest, code: str) -> CaseDetailOut:
    case = selectors.case_for(_user(request), code)
    base = CaseOut.from_case(case).dict()
    return CaseDetailOut(
        **base, description=case.description, address=case.address, lng=case.lng, lat=case.lat,
        reply=case.reply, satisfaction=case.satisfaction,
        duplicate_of=case.duplicate_of.code if case.duplicate_of else None,
    )


@router.get("/{code}/events", response=list[CaseEventOut])
def get_events(request: HttpRequest, code: str) -> list[CaseEventOut]:
    user = _user(request)
    case = selectors.case_for(user, code)
    return [
        CaseEventOut(seq=e.seq, action=e.action, from_state=e.from_state, to_state=e.to_state, at=e.at,
                     actor=str(e.actor) if e.actor else None, unit=e.unit.name if e.unit else None,
                     audience=e.audience, note=e.note)
        for e in selectors.timeline(user, case)
    ]


@router.post("/{code}/actions", response=CaseOut)
def act(request: HttpRequest, code: str, payload: ActionIn) -> CaseOut:
    from fengqiao.cases.actions import run_action

    user = _user(request)
    run_action(user, code, payload.action, payload.dict())
    return CaseOut.from_case(selectors.case_for(user, code))


@router.post("/{code}/resend-evaluation", response=ResendOut, summary="Resend the evaluation SMS (重发评价短信)")
def resend_evaluation(request: HttpRequest, code: str, payload: ResendIn | None = None) -> ResendOut:
    """A fresh invitation for the current round replaces the citizen's codes (the old ones stop working)
    and a new SMS is queued; an operator or dispatcher, a replied case, at most 3 times a round."""
    user = _user(request)
    resent = services.resend_evaluation(user, code, expected_version=payload.expected_version if payload else None)
    return ResendOut(case=CaseOut.from_case(selectors.case_for(user, code)), round=resent.round,
                     resend=resent.resend, resends_left=resent.left)
