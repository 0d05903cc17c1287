"""The citizen app's JSON API for a native app (``/api/portal/…``, OpenAPI at /api/docs): ask for a phone
code, trade it for a token, and track a mediation by its code — in full for a party's token.  No account,
no session, so no CSRF: the token (a signed phone hash, two hours) is the credential.  The same services,
the same limits and guessing locks as the pages (portal/doors.py: one budget per client address, whichever
door is knocked on), and the API's error shape (a 4xx naming the field; 429 with Retry-After)."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from fengqiao.kit import clock
from fengqiao.kit.api_errors import ErrorOut
from fengqiao.kit.errors import DomainError
from fengqiao.mediation.services._core import Citizen
from fengqiao.portal import doors, selectors, session

router = Router(tags=["citizen app"], auth=None)
SALT = "fengqiao.portal.api"
LIFETIME = session.LIFETIME


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


ERRORS = {status: ErrorOut for status in (400, 401, 404, 409, 410, 422, 429)}


class PhoneIn(Schema):
    phone: str = Field(description="11-digit mobile number", examples=["13800001111"])


class SentOut(Schema):
    expires_at: dt.datetime = Field(description="the code is valid until then (10 minutes)")
    resend_at: dt.datetime = Field(description="a new code may be asked for from then on")


class CodeIn(PhoneIn):
    code: str = Field(description="the 6-digit code in the SMS", examples=["042917"])


class TokenOut(Schema):
    token: str = Field(description="send as `Authorization: Bearer <token>`")
    expires_at: dt.datetime


class MediationStepOut(Schema):
    key: str
    label: str
    state: str = Field(description="done · current · todo · stopped")


class MediationEventOut(Schema):
    label: str
    at: dt.datetime
    unit: str
    note: str = Field(description="a party's view only")


class SessionOut(Schema):
    starts_at: dt.datetime
    place: str
    status: str
    attendees: str = Field(description="a party's view only")


class PartyOut(Schema):
    role: str
    name: str
    phone: str = Field(description="masked")


class MediationOut(Schema):
    code: str
    status: str
    status_label: str
    kind: str
    dispute_type: str
    request_type: str
    applied_at: dt.datetime
    deadline: dt.datetime | None
    organisation: str
    organisation_phone: str
    mediator: str = Field(description="the mediator's name (public), empty if none yet")
    steps: list[MediationStepOut]
    sessions: list[SessionOut]
    events: list[MediationEventOut]
    party: bool = Field(description="the token's phone is a party's: the fields below are filled")
    parties: list[PartyOut]
    demand: str
    agreement_terms: str


def token_for(citizen: Citizen) -> str:
    return signing.dumps({"h": citizen.phone_hash}, salt=SALT)


def citizen_of(request: HttpRequest) -> Citizen | None:
    """The citizen of the request's bearer token; None without one; 401 for a bad or old one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    token = header.removeprefix("Bearer ").strip()
    try:
        held = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except signing.BadSignature:
        raise Unauthenticated(_("令牌无效或已过期，请重新验证手机号。")) from None
    return Citizen(phone_hash=str(held["h"]))


@router.post("/codes", response={202: SentOut, **ERRORS}, summary="Send a sign-in code to a phone")
def send_code(request: HttpRequest, payload: PhoneIn) -> Status[SentOut]:
    sent = doors.send(request, payload.phone)
    return Status(202, SentOut(expires_at=sent.expires_at, resend_at=sent.resend_at))


@router.post("/tokens", response={201: TokenOut, **ERRORS}, summary="Trade the phone and its code for a token")
def create_token(request: HttpRequest, payload: CodeIn) -> Status[TokenOut]:
    citizen = doors.sign_in(request, payload.phone, payload.code)
    return Status(201, TokenOut(token=token_for(citizen), expires_at=clock.now() + LIFETIME))


@router.get("/mediations/{code}", response={200: MediationOut, **ERRORS}, summary="Track a mediation by its code")
def track(request: HttpRequest, code: str) -> MediationOut:
    citizen = citizen_of(request)
    found = doors.lookup(request, code)
    view = selectors.track(found, citizen)
    m = view.mediation
    agreement = view.extra.get("agreement")
    return MediationOut(
        code=m.code, status=m.status, status_label=str(m.get_status_display()), kind=m.kind.name,
        dispute_type=m.dispute_type.name if m.dispute_type else "", request_type=m.request_type,
        applied_at=m.applied_at, deadline=m.deadline, organisation=m.unit.name if m.unit else "",
        organisation_phone=m.unit.phone if m.unit else "", mediator=m.mediator.name if m.mediator else "",
        steps=[MediationStepOut(key=s.key, label=str(s.label), state=s.state) for s in view.steps],
        sessions=[SessionOut(starts_at=s.starts_at, place=s.place, status=s.status,
                             attendees=s.attendees if view.party else "") for s in view.sessions],
        events=[MediationEventOut(label=e.label, at=e.at, unit=e.unit, note=e.note) for e in view.events],
        party=view.party,
        parties=[PartyOut(role=str(p.role), name=p.name, phone=p.phone) for p in view.parties],
        demand=m.demand if view.party else "",
        agreement_terms=agreement.terms if (agreement is not None and view.party) else "",
    )
