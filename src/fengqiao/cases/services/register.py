"""统一受理登记: register a matter once, placed in its grid, with its parties encrypted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases import deadlines
from fengqiao.cases.models import Case, Category, Channel, Party, PartyRole, Urgency
from fengqiao.cases.services._core import Acting, authorize, record, require_text
from fengqiao.cases.states import Action, State, next_state
from fengqiao.intake import gazetteer
from fengqiao.jurisdictions import geo, scope
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock, ids, pii
from fengqiao.kit.errors import PermissionDenied, ValidationFailed
from fengqiao.kit.validators import id_number_error, phone_error


@dataclass
class PartyInput:
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    role: str = PartyRole.REPORTER


@dataclass
class RegisterInput:
    channel: str
    title: str
    description: str
    category_id: int | None = None
    urgency: str = Urgency.NORMAL
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    grid_id: int | None = None
    external_ref: str | None = None
    parties: list[PartyInput] = field(default_factory=list)
    registered_at: dt.datetime | None = None


@dataclass(frozen=True)
class Registered:
    case: Case
    created: bool


def _check(data: RegisterInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.channel not in Channel.values:
        errors["channel"] = _("未知的受理渠道")
    if data.urgency not in Urgency.values:
        errors["urgency"] = _("紧急程度应为 一般 / 紧急 / 特急")
    if not data.title.strip():
        errors["title"] = _("请填写标题")
    elif len(data.title.strip()) > 200:
        errors["title"] = _("标题不能超过 200 字")
    if not data.description.strip():
        errors["description"] = _("请填写诉求内容")
    elif len(data.description) > 10_000:
        errors["description"] = _("诉求内容不能超过 10000 字")
    if (data.lng is None) != (data.lat is None):
        errors["lng"] = _("经度和纬度需同时填写")
    if data.lng is not None and not (-180 <= data.lng <= 180):
        errors["lng"] = _("经度应在 -180 到 180 之间")
    if data.lat is not None and not (-90 <= data.lat <= 90):
        errors["lat"] = _("纬度应在 -90 到 90 之间")
    for i, party in enumerate(data.parties):
        if not party.name.strip():
            errors[f"parties.{i}.name"] = _("请填写当事人姓名")
        if message := phone_error(party.phone):
            errors[f"parties.{i}.phone"] = message
        if message := id_number_error(party.id_number.strip()):
            errors[f"parties.{i}.id_number"] = message
        if party.role not in PartyRole.values:
            errors[f"parties.{i}.role"] = _("未知的当事人身份")
    if data.external_ref is not None and len(data.external_ref) > 64:
        errors["external_ref"] = _("外部编号不能超过 64 字")
    return errors


def _locate(data: RegisterInput) -> Area | None:
    grid_id = data.grid_id
    if grid_id is None and data.lng is not None and data.lat is not None:
        grid_id = geo.grid_at(data.lng, data.lat)
    elif grid_id is None and data.lng is None and data.address.strip():
        found = gazetteer.locate(data.address)  # no point, no grid: the address, when the gazetteer is sure
        grid_id = found.grid_id if found is not None and found.score >= gazetteer.THRESHOLD else None
    if grid_id is None:
        return None
    grid = Area.objects.select_related("parent__parent__parent__parent").filter(pk=grid_id).first()  # to the city
    if grid is None or grid.level != Level.GRID:
        raise ValidationFailed(_("所选网格不存在。"), fields={"grid": _("所选网格不存在")})
    return grid


@transaction.atomic
def register(user: User, data: RegisterInput) -> Registered:
    """Register a matter.  Replaying the same (channel, external reference) returns the first case."""
    return do_register(authorize(user, None, Action.REGISTER), data)


def do_register(acting: Acting, data: RegisterInput) -> Registered:
    """The registration itself, for an actor already authorised — a staff user, or a citizen app's
    applicant verified by a phone code (``acting.user`` None, role citizen)."""
    user = acting.user
    errors = _check(data)
    if errors:
        listed = pgettext("list separator", "；").join(errors.values())
        raise ValidationFailed(_("登记信息有误：%(errors)s。") % {"errors": listed}, fields=errors)
    if data.external_ref:
        existing = Case.objects.filter(channel=data.channel, external_ref=data.external_ref).first()
        if existing is not None:
            return Registered(case=existing, created=False)
    category = None
    if data.category_id is not None:
        category = Category.objects.filter(pk=data.category_id, active=True).select_related("parent").first()
        if category is None:
            raise ValidationFailed(_("所选分类不存在或已停用。"), fields={"category": _("分类不存在或已停用")})
    grid = _locate(data)
    if acting.role == Role.GRID_WORKER and user is not None:
        reach = scope.reach_of(user)
        if not reach.everything and (grid is None or not _grid_in_reach(grid, reach.area_ids)):
            raise PermissionDenied(_("该位置不在您负责的网格内，请核对位置。"))
    now = clock.now()
    at = data.registered_at or now
    terms = deadlines.policy_for(category, data.urgency)
    levels = geo.ancestors(grid) if grid else {}
    case = Case(
        code=ids.tracking_code(clock.localtime(at).date()),
        channel=data.channel,
        external_ref=data.external_ref or None,
        title=data.title.strip(),
        description=require_text(data.description, "description", _("诉求内容"), max_length=10_000),
        category=category,
        urgency=data.urgency,
        status=next_state(State.NEW, Action.REGISTER).value,
        address=data.address.strip()[:200],
        lng=data.lng,
        lat=data.lat,
        grid=levels.get(Level.GRID),
        community=levels.get(Level.COMMUNITY),
        street=levels.get(Level.STREET),
        district=levels.get(Level.DISTRICT),
        registered_by=user,
        registered_unit=acting.unit,
        citizen=user if acting.role == Role.CITIZEN else None,
        registered_at=at,
        deadline=deadlines.resolve_deadline(at, terms),
    )
    existing = _insert(case, at)
    if existing is not None:  # the same report arrived twice at once
        return Registered(case=existing, created=False)
    Party.objects.bulk_create([_party(case, p) for p in data.parties])
    from fengqiao.cases import flow  # the flow list and auto-dispatch rules (docs/routing.md)

    planned = flow.plan(case)
    event = record(
        case, Action.REGISTER, State.NEW, State.REGISTERED, acting, at=at,
        data={"channel": data.channel, "terms": terms.describe(),
              **({"flow": planned.as_data()} if planned else {})},
    )
    # the case row is new: no one else can have changed it, so no version check is needed here
    Case.objects.filter(pk=case.pk).update(event_seq=case.event_seq, event_head=case.event_head)
    event.save(force_insert=True)
    flow.apply(case, planned)
    from fengqiao.intelligence.dedup import index_after_commit  # duplicate-search fingerprints, after commit
    row = (case.pk, case.title, case.description, case.registered_at, case.street_id)
    transaction.on_commit(lambda: index_after_commit(row), robust=True)
    return Registered(case=case, created=True)


CODE_ATTEMPTS = 5


def _insert(case: Case, at: dt.datetime) -> Case | None:
    """Insert the new case; the case already registered under its (channel, external reference) when a
    twin won the race.  A tracking code is random (25⁶ a day): on the rare clash with a code already given
    the case takes a new one, never someone else's case."""
    for attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            return None
        except IntegrityError:
            if case.external_ref is not None:
                existing = Case.objects.filter(channel=case.channel, external_ref=case.external_ref).first()
                if existing is not None:
                    return existing
            if attempt == CODE_ATTEMPTS - 1 or not Case.objects.filter(code=case.code).exists():
                raise
            case.pk = None
            case.code = ids.tracking_code(clock.localtime(at).date())
    raise AssertionError("unreachable")


def _grid_in_reach(grid: Area, area_ids: dict[str, frozenset[int]]) -> bool:
    levels = geo.ancestors(grid)
    return any(levels[level].pk in ids for level, ids in area_ids.items() if level in levels)


def _party(case: Case, data: PartyInput) -> Party:
    phone = "".join(data.phone.split())
    id_number = data.id_number.strip().upper()
    return Party(
        case=case,
        role=data.role,
        name=data.name.strip(),
        phone=phone,
        id_number=id_number,
        address=data.address.strip(),
        phone_hash=pii.lookup_hash("phone", phone),
        id_hash=pii.lookup_hash("id", id_number),
    )
