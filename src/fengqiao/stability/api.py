"""The stability assessments' JSON API (/api/stability): the list and a decision with its consultation, risk
items, measures and events, scoped to the caller as the /stability/ pages are (``selectors.visible``); 立项;
and the assessment's actions, each one call of the same function the pages call (prepare / assess / after:
same roles, state table and optimistic version check — a stale ``expected_version`` is a 409).  A citizen's
name and phone on an online opinion are masked, as on the pages; her opinion's event shows its stance only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from fengqiao.accounts.models import User
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import api_records as records
from fengqiao.kit.api_records import ActIn, Endpoint, Id, Text
from fengqiao.kit.errors import ValidationFailed
from fengqiao.kit.pagination import paginate
from fengqiao.stability import assess, prepare, selectors, specs
from fengqiao.stability import presenters as p
from fengqiao.stability.models import Decision, DecisionKind
from fengqiao.stability.selectors import affecting
from fengqiao.stability.states import CONCLUSION_LABELS, GRADE_LABELS, STATE_LABELS, Conclusion, DState, Grade

router = Router(tags=["stability"])
CODE = records.code_path("the decision's code, e.g. WP261130-AB12CD")


def _grade_label(value: str) -> str | None:
    return str(GRADE_LABELS[Grade(value)]) if value else None


def _conclusion_label(value: str) -> str | None:
    return str(CONCLUSION_LABELS[Conclusion(value)]) if value else None


# --- output ------------------------------------------------------------------------------------------------

class UnitOut(Schema):
    id: int
    name: str


class AreaOut(Schema):
    id: int
    name: str
    level: str


class DecisionOut(Schema):
    code: str
    title: str
    kind: str
    kind_label: str
    state: DState
    state_label: str
    grade: str = Field(description="high, medium, low, or empty before grading")
    grade_label: str | None
    conclusion: str = Field(description="go, conditional, postpone, stop, or empty before the conclusion")
    conclusion_label: str | None
    proposing_unit: UnitOut
    assessing_unit: UnitOut
    areas: list[AreaOut]
    created_at: dt.datetime
    version: int = Field(description="send it back as expected_version with an action (409 if it changed)")

    @staticmethod
    def of(d: Decision) -> DecisionOut:
        return DecisionOut(
            code=d.code, title=d.title, kind=d.kind, kind_label=str(d.get_kind_display()), state=d.state,
            state_label=str(STATE_LABELS[d.state]), grade=d.grade, grade_label=_grade_label(d.grade),
            conclusion=d.conclusion, conclusion_label=_conclusion_label(d.conclusion),
            proposing_unit=UnitOut(id=d.proposing_unit.pk, name=d.proposing_unit.name),
            assessing_unit=UnitOut(id=d.assessing_unit.pk, name=d.assessing_unit.name),
            areas=[AreaOut(id=a.pk, name=a.name, level=a.level) for a in d.areas.all()],
            created_at=d.created_at, version=d.version)


class OpinionOut(Schema):
    id: int
    channel: str
    channel_label: str
    held_on: dt.date
    participants: int
    support: int
    oppose: int
    neutral: int
    concerns: str
    public: bool = Field(description="one citizen's opinion from the public page")
    who: str = Field(description="the recorder; for a citizen her name and phone masked, if she gave them")


class ItemOut(Schema):
    id: int
    category: str
    category_label: str
    description: str
    likelihood: int
    impact: int
    score: int
    level: str


class MeasureOut(Schema):
    id: int
    description: str
    item_id: int | None
    responsible_unit: UnitOut
    deadline: dt.date
    done_at: dt.datetime | None
    progress: str


class SuggestionOut(Schema):
    grade: str | None
    reasons: list[str]


class ConsultationOut(Schema):
    support: int
    oppose: int
    neutral: int
    total: int
    strong_opposition: bool = Field(description="30 % or more of the opinions oppose: the grade is raised a step")


class DecisionDetailOut(DecisionOut):
    summary: str
    third_party: str
    population: int | None
    stakeholders: str
    plan: str
    consultation_opened_at: dt.datetime | None
    consultation_closes_at: dt.datetime | None
    consultation_closed_at: dt.datetime | None
    public_consultation: bool
    consultation_summary: str
    consultation: ConsultationOut
    opinions: list[OpinionOut] = Field(description="the latest 30, newest first")
    items: list[ItemOut]
    suggestion: SuggestionOut = Field(description="the grade the items and the consultation suggest now")
    suggested_grade: str
    grade_reason: str
    measures: list[MeasureOut]
    conclusion_reason: str
    concluded_at: dt.datetime | None
    reported_at: dt.datetime | None
    report_url: str | None = Field(description="the report's PDF (a page, session login), once issued")
    report_sha256: str
    filing_note: str
    filed_at: dt.datetime | None
    closed_at: dt.datetime | None
    actions: list[str] = Field(description="the actions the caller may take now (POST /api/stability/{code}/{action})")
    events: list[records.RecordEventOut] = Field(description="newest first")


class DecisionPageOut(records.PageOut[DecisionOut]):
    pass


def _load(user: User, code: str) -> Decision:
    found = selectors.visible(user).select_related("proposing_unit", "assessing_unit").filter(code=code).first()
    return found if found is not None else selectors.access_decision(user, code)  # raises its NotFound


def _detail(user: User, code: str) -> DecisionDetailOut:
    d = _load(user, code)
    suggestion = assess.suggestion(d)
    c = p.consultation(d)
    opinions = [OpinionOut(id=r["o"].pk, channel=r["o"].channel, channel_label=str(r["o"].get_channel_display()),
                           held_on=r["o"].held_on, participants=r["o"].participants, support=r["o"].support,
                           oppose=r["o"].oppose, neutral=r["o"].neutral, concerns=r["o"].concerns,
                           public=r["o"].public, who=r["who"]) for r in p.opinion_rows(d)]
    items = [ItemOut(id=i.pk, category=i.category, category_label=str(i.get_category_display()),
                     description=i.description, likelihood=i.likelihood, impact=i.impact,
                     score=i.likelihood * i.impact, level=i.level) for i in d.items.order_by("pk")]
    measures = [MeasureOut(id=m.pk, description=m.description, item_id=m.item_id, deadline=m.deadline,
                           responsible_unit=UnitOut(id=m.responsible_unit.pk, name=m.responsible_unit.name),
                           done_at=m.done_at, progress=m.progress)
                for m in d.measures.select_related("responsible_unit")]
    return DecisionDetailOut(
        **DecisionOut.of(d).dict(), summary=d.summary, third_party=d.third_party, population=d.population,
        stakeholders=d.stakeholders, plan=d.plan, consultation_opened_at=d.consultation_opened_at,
        consultation_closes_at=d.consultation_closes_at, consultation_closed_at=d.consultation_closed_at,
        public_consultation=d.public_consultation, consultation_summary=d.consultation_summary,
        consultation=ConsultationOut(support=c["total"]["support"], oppose=c["total"]["oppose"],
                                     neutral=c["total"]["neutral"], total=c["total"]["n"],
                                     strong_opposition=c["strong"]),
        opinions=opinions, items=items,
        suggestion=SuggestionOut(grade=suggestion.grade.value if suggestion.grade else None,
                                 reasons=[str(r) for r in suggestion.reasons]),
        suggested_grade=d.suggested_grade, grade_reason=d.grade_reason, measures=measures,
        conclusion_reason=d.conclusion_reason, concluded_at=d.concluded_at, reported_at=d.reported_at,
        report_url=reverse("stability_report", args=[d.code]) if d.reported_at else None,
        report_sha256=d.report_sha256, filing_note=d.filing_note, filed_at=d.filed_at, closed_at=d.closed_at,
        actions=specs.offered(user, d), events=records.events_out(p.timeline(d)))


# --- reads -------------------------------------------------------------------------------------------------

class DecisionFilters(records.ListQuery):
    state: DState | None = None
    kind: DecisionKind | None = None
    grade: Grade | None = None
    area: Id | None = Field(None, description="an area: the decisions affecting it (inside it or around it)")


@router.get("", response=DecisionPageOut, summary="The assessments the caller may read")
def list_decisions(request: HttpRequest, filters: Query[DecisionFilters]) -> DecisionPageOut:
    f = filters
    qs = records.matching(selectors.visible(records.user_of(request)), f.q, status=f.state, kind=f.kind,
                          grade=f.grade)
    if f.area is not None:
        path = Area.objects.filter(pk=f.area).values_list("path", flat=True).first()
        if path is None:
            raise ValidationFailed(_("没有这个区域。"), fields={"area": _("没有这个区域")})
        qs = qs.filter(affecting([path]))
    rows = qs.select_related("proposing_unit", "assessing_unit").prefetch_related("areas")
    return DecisionPageOut.of(paginate(rows, f.page, f.per_page), DecisionOut.of)


@router.get("/{code}", response=DecisionDetailOut, summary="A decision, its assessment and the caller's actions")
def get_decision(request: HttpRequest, code: str = CODE) -> DecisionDetailOut:
    return _detail(records.user_of(request), code)


# --- 立项 ---------------------------------------------------------------------------------------------------

class CreateIn(Schema):
    title: Text = Field(..., max_length=200)
    kind: Text = Field(..., description="land, restructuring, facility, price, environment, policy or other")
    summary: Text = Field(..., max_length=4000)
    proposing_unit_id: Id | None = Field(description="决策机关")
    assessing_unit_id: Id | None = Field(description="评估主体")
    area_ids: list[Id] = Field(description="affected districts, streets or communities (in the caller's area)")
    third_party: Text = Field("", max_length=120)
    population: int | None = None
    stakeholders: Text = Field("", max_length=4000)


@router.post("", response={201: DecisionDetailOut}, summary="立项: a major decision put to assessment")
def create(request: HttpRequest, payload: CreateIn) -> Status[DecisionDetailOut]:
    user = records.user_of(request)
    decision = prepare.create(user, title=payload.title, kind=payload.kind, summary=payload.summary,
                              proposing_unit_id=payload.proposing_unit_id, assessing_unit_id=payload.assessing_unit_id,
                              area_ids=payload.area_ids, third_party=payload.third_party,
                              population=payload.population, stakeholders=payload.stakeholders)
    return Status(201, _detail(user, decision.code))


# --- the assessment's actions: the pages' specs (stability/specs.py), so the same functions, checks, versions --

class PlanIn(ActIn):
    plan: Text = Field(..., max_length=8000)


class OpenConsultationIn(ActIn):
    closes_on: dt.date = Field(description="the last day of the consultation (after today, at most 90 days on)")
    public: bool = Field(False, description="citizens may also give their opinion on the public page")


class OpinionIn(ActIn):
    channel: Text = Field(..., description="forum, survey, notice, hearing or visit")
    held_on: dt.date
    participants: int | None = None
    support: int | None = None
    oppose: int | None = None
    neutral: int | None = None
    concerns: Text = Field(..., max_length=8000)


class SummaryIn(ActIn):
    summary: Text = Field(..., max_length=8000)


class ItemIn(ActIn):
    category: Text = Field(..., description="legality, rationality, feasibility or controllability")
    description: Text = Field(..., max_length=4000)
    likelihood: int = Field(description="1–5")
    impact: int = Field(description="1–5")


class RemoveItemIn(ActIn):
    item_id: Id
    reason: Text = Field(..., max_length=4000)


class GradeIn(ActIn):
    grade: Text = Field(..., description="high, medium or low")
    reason: Text = Field("", max_length=8000, description="required when the grade differs from the suggestion")


class MeasureIn(ActIn):
    description: Text = Field(..., max_length=4000)
    responsible_unit_id: Id | None
    deadline: dt.date
    item_id: Id | None = None


class ConcludeIn(ActIn):
    conclusion: Text = Field(..., description="go, conditional, postpone or stop (bounded by the grade)")
    reason: Text = Field(..., max_length=8000)


class NoteIn(ActIn):
    note: Text = Field("", max_length=4000)


class TrackIn(ActIn):
    measure_id: Id
    progress: Text = Field(..., max_length=4000)
    done: bool = False


class ReasonIn(ActIn):
    reason: Text = Field(..., max_length=4000)


records.add_actions(router, specs.SPECS, [
    Endpoint("plan", PlanIn, "方案制定: the assessment plan"),
    Endpoint("open_consultation", OpenConsultationIn, "开始意见征询"),
    Endpoint("record_opinion", OpinionIn, "登记征询意见: one channel's opinions"),
    Endpoint("close_consultation", SummaryIn, "结束意见征询, with a summary"),
    Endpoint("add_item", ItemIn, "风险识别: a risk item"),
    Endpoint("remove_item", RemoveItemIn, "删除风险点 recorded by mistake"),
    Endpoint("grade", GradeIn, "风险评级 (another grade than suggested: a reason)"),
    Endpoint("add_measure", MeasureIn, "防范化解措施: unit and deadline"),
    Endpoint("conclude", ConcludeIn, "评估结论, bounded by the grade"),
    Endpoint("issue_report", NoteIn, "出具评估报告"),
    Endpoint("file", NoteIn, "备案: filed; tracking starts"),
    Endpoint("track", TrackIn, "跟踪: a measure's progress (done: carried out)"),
    Endpoint("close", NoteIn, "结束跟踪"),
    Endpoint("withdraw", ReasonIn, "撤回 (before the conclusion)"),
], code=CODE, response=DecisionDetailOut, detail=_detail, module=__name__)
