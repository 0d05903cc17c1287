"""The risk register's JSON API (/api/risks): the list and an entry with its events, scoped to the caller as
the /risk/ pages are (``selectors.visible``); screening and opening from a case; the register's actions, each
one call of the same service the pages call (same roles, state table and optimistic version check: a stale
``expected_version`` is a 409); and the five-100% indicators for a period (``indicators.compute``).  Parse
input, call one service or selector, render (CONVENTIONS 2).  The register holds no parties' personal data:
what the pages show is what the API returns."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level, Unit
from fengqiao.kit import api_records as records
from fengqiao.kit import clock
from fengqiao.kit.api_records import ActIn, Endpoint, Id, Text
from fengqiao.kit.errors import PermissionDenied, ValidationFailed
from fengqiao.kit.pagination import paginate
from fengqiao.risk import actions, indicators, selectors, services
from fengqiao.risk import presenters as p
from fengqiao.risk.models import RiskEntry
from fengqiao.risk.states import GRADE_LABELS, STATE_LABELS, Grade, RState

router = Router(tags=["risks"])

# who may read the indicators: as on /risk/indicators/ (risk officers, leaders, admins)
INDICATOR_READERS = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.ADMIN})
_AREA_FIELD = {Level.DISTRICT: "street__parent_id", Level.STREET: "street_id", Level.COMMUNITY: "community_id",
               Level.GRID: "grid_id"}
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
MAX_SPAN_DAYS = 5 * 366
CODE = records.code_path("the entry's code, e.g. FX261130-AB12CD")


# --- output ------------------------------------------------------------------------------------------------

class EntryOut(Schema):
    code: str
    title: str
    state: RState
    state_label: str
    grade: RiskGrade
    grade_label: str
    source: str
    case: str | None = Field(description="the case's code, for an entry opened from a case")
    street: str | None
    community: str | None
    grid: str | None
    responsible_unit_id: int | None
    responsible_unit: str | None
    responsible_leader: str | None
    opened_at: dt.datetime
    next_review_at: dt.datetime | None
    overdue: bool = Field(description="under review and its review date has passed")
    written_off_at: dt.datetime | None
    consolidated_at: dt.datetime | None
    relapsed: bool
    version: int = Field(description="send it back as expected_version with an action (409 if it changed)")

    @staticmethod
    def of(e: RiskEntry) -> EntryOut:
        return EntryOut(
            code=e.code, title=e.title, state=e.state, state_label=str(STATE_LABELS[e.state]), grade=RiskGrade(e.grade),
            grade_label=str(GRADE_LABELS[Grade(e.grade)]), source=e.source, case=e.case.code if e.case else None,
            street=e.street.name if e.street else None, community=e.community.name if e.community else None,
            grid=e.grid.name if e.grid else None, responsible_unit_id=e.responsible_unit_id,
            responsible_unit=e.responsible_unit.name if e.responsible_unit else None,
            responsible_leader=str(e.responsible_leader) if e.responsible_leader else None,
            opened_at=e.opened_at, next_review_at=e.next_review_at, overdue=p.overdue(e),
            written_off_at=e.written_off_at, consolidated_at=e.consolidated_at, relapsed=e.relapsed,
            version=e.version)


class RiskGrade(StrEnum):
    """The register's grades (``risk.states.Grade``) under a name of their own in the OpenAPI document, where
    the stability assessments' ``Grade`` (high / medium / low) would otherwise stand for both."""

    WATCH = Grade.WATCH.value
    GENERAL = Grade.GENERAL.value
    KEY = Grade.KEY.value


class EntryDetailOut(EntryOut):
    description: str
    grade_reason: str
    measures: list[str] = Field(description="the stability-control measures (稳控措施), dated, oldest first")
    write_off_evidence: str
    campaign: str | None = Field(description="the screening campaign's code, for an entry found by screening")
    checklist_item: str
    actions: list[str] = Field(description="the actions the caller may take now (POST /api/risks/{code}/{action})")
    events: list[records.RecordEventOut] = Field(description="newest first")


class EntryPageOut(records.PageOut[EntryOut]):
    pass


RELATED = ("street", "community", "grid", "responsible_unit", "responsible_leader", "case", "campaign")


def _detail(user: User, code: str) -> EntryDetailOut:
    entry = selectors.visible(user).select_related(*RELATED).filter(code=code).first()
    if entry is None:
        entry = selectors.access_entry(user, code)  # raises its NotFound
    return EntryDetailOut(
        **EntryOut.of(entry).dict(), description=entry.description, grade_reason=entry.grade_reason,
        measures=[m for m in entry.measures.splitlines() if m.strip()], write_off_evidence=entry.write_off_evidence,
        campaign=entry.campaign.code if entry.campaign else None, checklist_item=entry.checklist_item,
        actions=actions.offered(user, entry), events=records.events_out(p.timeline(entry)))


# --- reads -------------------------------------------------------------------------------------------------

class EntryFilters(records.ListQuery):
    state: RState | None = None
    grade: RiskGrade | None = None
    area: Id | None = Field(None, description="a district, street, community or grid id")
    unit: Id | None = Field(None, description="the responsible unit's id")
    overdue: bool | None = Field(None, description="only the entries whose review is (or is not) overdue")


@router.get("", response=EntryPageOut, summary="The register (风险清单), scoped to the caller")
def list_entries(request: HttpRequest, filters: Query[EntryFilters]) -> EntryPageOut:
    f = filters
    qs = records.matching(selectors.visible(records.user_of(request)), f.q, status=f.state, grade=f.grade,
                          responsible_unit_id=f.unit)
    if f.area is not None:
        found = Area.objects.filter(pk=f.area, level__in=list(_AREA_FIELD)).values_list("level", flat=True).first()
        if found is None:
            raise ValidationFailed(_("没有这个区县、镇街、社区或网格。"), fields={"area": _("没有这个区域")})
        qs = qs.filter(**{_AREA_FIELD[Level(found)]: f.area})
    if f.overdue is not None:
        late = Q(status__in=[RState.LISTED.value, RState.TACKLING.value], next_review_at__lt=clock.now())
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    return EntryPageOut.of(paginate(qs.select_related(*RELATED[:-1]), f.page, f.per_page), EntryOut.of)


class RateOut(Schema):
    key: str
    label: str
    numerator: int
    denominator: int
    rate: float | None = Field(description="0–1; null when the denominator is 0")
    percent: float | None


class IndicatorsOut(Schema):
    period_start: dt.date
    period_end: dt.date = Field(description="exclusive")
    area_id: int | None
    unit_id: int | None
    rates: list[RateOut] = Field(description="screening, assessment, listing, control, consolidation, resolution")
    overdue_reviews: int
    opened: int
    score: float | None = Field(description="the unit risk-work score (结果运用); null when no rate applies")


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = clock.today()
    if start is None:
        start = today.replace(day=1)
    if not EARLIEST <= start < LATEST:
        raise ValidationFailed(_("开始日期须在 2000 年到 2099 年之间。"), fields={"start": _("日期超出范围")})
    if end is None:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if not EARLIEST < end <= LATEST:
        raise ValidationFailed(_("结束日期须在 2000 年到 2099 年之间。"), fields={"end": _("日期超出范围")})
    if end <= start:
        raise ValidationFailed(_("结束日期须晚于开始日期（结束日期不计入）。"), fields={"end": _("须晚于开始日期")})
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValidationFailed(_("统计期间不能超过 5 年。"), fields={"end": _("期间过长")})
    return start, end


class IndicatorQuery(Schema):
    start: dt.date | None = Field(None, description="the first day; default the current month's")
    end: dt.date | None = Field(None, description="the day after the last (exclusive); default a month on")
    area: Id | None = Field(None, description="a district or street in the caller's area")
    unit: Id | None = Field(None, description="a unit's id: the entries it answers for")


@router.get("/indicators", response=IndicatorsOut, summary="The five-100% indicators and the resolution rate")
def get_indicators(request: HttpRequest, query: Query[IndicatorQuery]) -> IndicatorsOut:
    """Entries opened and campaigns started in [start, end), scoped to what the caller may read (docs/risk.md).
    Risk officers, leaders and admins, as on the indicators page; others 403."""
    user = records.user_of(request)
    if not user.role_set() & INDICATOR_READERS:
        raise PermissionDenied(_("风险指标仅供风险专员、领导和管理员查看。"))
    first, last = _period(query.start, query.end)
    where = None
    if query.area is not None:
        where = Area.objects.filter(scope.area_filter(user), pk=query.area,
                                    level__in=(Level.DISTRICT, Level.STREET)).first()
        if where is None:
            raise ValidationFailed(_("请选择您辖区内的区县或镇街。"), fields={"area": _("不在您的辖区内")})
    who = None
    if query.unit is not None:
        who = Unit.objects.filter(pk=query.unit, active=True).first()
        if who is None:
            raise ValidationFailed(_("没有这个单位。"), fields={"unit": _("没有这个单位")})
    ind = indicators.compute(user, first, last, area=where, unit=who)
    return IndicatorsOut(
        period_start=first, period_end=last, area_id=ind.area_id, unit_id=ind.unit_id,
        rates=[RateOut(key=r.key, label=r.label, numerator=r.numerator, denominator=r.denominator, rate=r.rate,
                       percent=r.percent) for r in ind.rates()],
        overdue_reviews=ind.overdue_reviews, opened=ind.opened, score=ind.score)


# --- creation ----------------------------------------------------------------------------------------------

class ScreenIn(Schema):
    title: Text = Field(..., max_length=200)
    description: Text = Field("", max_length=10_000)
    area_id: Id | None = Field(None, description="a street, community or grid in the caller's area")
    grade: Text = Field("watch", description="first grade: watch (关注), general (一般) or key (重点)")
    grade_reason: Text = Field("", max_length=4000)


class OpenIn(Schema):
    case_code: Text = Field(..., max_length=40)
    grade: Text
    grade_reason: Text = Field(..., max_length=4000)
    responsible_unit_id: Id | None
    responsible_leader_id: Id | None = None


@router.post("", response={201: EntryDetailOut}, summary="排查: a possible risk found by screening")
def screen(request: HttpRequest, payload: ScreenIn) -> Status[EntryDetailOut]:
    user = records.user_of(request)
    entry = services.screen(user, title=payload.title, description=payload.description, area_id=payload.area_id,
                            grade=payload.grade, grade_reason=payload.grade_reason)
    return Status(201, _detail(user, entry.code))


@router.post("/from-case", response={201: EntryDetailOut}, summary="列入风险清单: a case's matter put on the register")
def open_from_case(request: HttpRequest, payload: OpenIn) -> Status[EntryDetailOut]:
    user = records.user_of(request)
    entry = services.open_from_case(user, payload.case_code, payload.grade, payload.grade_reason,
                                    payload.responsible_unit_id, payload.responsible_leader_id)
    return Status(201, _detail(user, entry.code))


# (after /indicators and /from-case: a path registered first wins)
@router.get("/{code}", response=EntryDetailOut, summary="An entry, its measures, events and the caller's actions")
def get_entry(request: HttpRequest, code: str = CODE) -> EntryDetailOut:
    return _detail(records.user_of(request), code)


# --- the register's actions: the pages' specs (risk/actions.py), so the same services, checks and versions ----

class IdentifyIn(ActIn):
    grade: Text
    grade_reason: Text = Field(..., max_length=4000)


class ListIn(ActIn):
    responsible_unit_id: Id | None
    responsible_leader_id: Id | None = None


class TackleIn(ActIn):
    measure: Text = Field(..., max_length=4000)


class RiskNoteIn(ActIn):
    note: Text = Field(..., max_length=4000)


class RegradeIn(ActIn):
    grade: Text
    reason: Text = Field(..., max_length=4000)


class WriteOffIn(ActIn):
    evidence: Text = Field(..., max_length=8000)


class ConsolidateIn(ActIn):
    note: Text = Field(..., max_length=4000)
    relapsed: bool = False


class DismissIn(ActIn):
    reason: Text = Field(..., max_length=4000)


records.add_actions(router, actions.SPECS, [
    Endpoint("identify", IdentifyIn, "识别: judged a risk and graded"),
    Endpoint("list", ListIn, "建单: on the register, with its responsible unit", view="list_entry"),
    Endpoint("tackle", TackleIn, "攻坚: a stability-control measure added"),
    Endpoint("review", RiskNoteIn, "复核: the finding; the next review moves on"),
    Endpoint("regrade", RegradeIn, "调整等级, with the reason"),
    Endpoint("write_off", WriteOffIn, "销号: resolved, with the evidence"),
    Endpoint("apply_result", RiskNoteIn, "结果运用: how the result was used"),
    Endpoint("consolidate", ConsolidateIn, "回访巩固: a follow-up after write-off"),
    Endpoint("dismiss", DismissIn, "排除: an identified entry found not a risk"),
], code=CODE, response=EntryDetailOut, detail=_detail, module=__name__)
