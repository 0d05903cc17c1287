"""立项, 方案制定 and 意见征询: creating an assessment with its scope, its plan, the consultation period and the
opinions received by channel; withdrawing an assessment.  One transaction and one event each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases.services._core import require_text
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level, Unit
from fengqiao.kit import clock
from fengqiao.kit.errors import ValidationFailed
from fengqiao.stability import services
from fengqiao.stability.models import Channel, Decision, DecisionKind, Opinion
from fengqiao.stability.states import DAction, DState

A = DAction
SCOPE_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
MAX_COUNT = 1_000_000


def _unit(unit_id: int | None, field: str, label: str) -> Unit:
    unit = Unit.objects.filter(pk=unit_id, active=True).first() if unit_id is not None else None
    if unit is None:
        raise ValidationFailed(_("请选择%(label)s。") % {"label": label}, fields={field: _("请选择%(label)s") % {
            "label": label}})
    return unit


def _areas(user: User, area_ids: Iterable[int], *, own_scope: bool) -> list[Area]:
    wanted = sorted(set(area_ids))
    qs = Area.objects.filter(pk__in=wanted, level__in=SCOPE_LEVELS)
    if own_scope:
        qs = qs.filter(scope.area_filter(user))
    found = list(qs)
    if not wanted or len(found) != len(wanted):
        raise ValidationFailed(_("请选择受影响的区县、镇街或社区（须在您的辖区内）。"),
                               fields={"area_ids": _("请选择受影响的区域")})
    return found


@transaction.atomic
def create(user: User, *, title: str, kind: str, summary: str, proposing_unit_id: int | None,
           assessing_unit_id: int | None, area_ids: Iterable[int], third_party: str = "",
           population: int | None = None, stakeholders: str = "") -> Decision:
    """立项: a major decision put to assessment, with its proposing and assessing units and its scope."""
    title = require_text(title, "title", _("决策事项名称"), max_length=200)
    summary = require_text(summary, "summary", _("决策内容"), max_length=4000)
    if kind not in DecisionKind.values:
        raise ValidationFailed(_("请选择决策类型。"), fields={"kind": _("请选择决策类型")})
    proposer = _unit(proposing_unit_id, "proposing_unit_id", _("决策机关"))
    assessor = _unit(assessing_unit_id, "assessing_unit_id", _("评估主体"))
    if population is not None and not 0 <= population <= 100_000_000:
        raise ValidationFailed(_("受影响人数须在 0 到 1 亿之间。"), fields={"population": _("人数不正确")})
    services.authorize(user, None, A.CREATE, units={proposer.pk, assessor.pk})
    # an area's officer names areas in her reach; a unit's handler (a city department) any area
    areas = _areas(user, area_ids, own_scope=bool(scope.reach_of(user).area_ids))
    now = clock.now()
    decision = Decision.objects.create(
        code=services.new_code(now), title=title, kind=kind, summary=summary, proposing_unit=proposer,
        assessing_unit=assessor, third_party=(third_party or "").strip()[:120], population=population,
        stakeholders=(stakeholders or "").strip(), status=DState.DRAFT.value, created_at=now)
    decision.areas.set(areas)
    services.event(decision, A.CREATE, "", user, now, data={"areas": [a.name for a in areas]})
    return decision


@transaction.atomic
def plan(user: User, code: str, *, plan: str, expected_version: int | None = None) -> Decision:
    """方案制定: the assessment plan (methods, who is consulted, timetable); may be revised before consulting."""
    text = require_text(plan, "plan", _("评估方案"), max_length=4000)
    decision, acting = services.load(user, code, A.PLAN, expected_version)
    decision.plan = text
    return services.step(decision, A.PLAN, acting, note=text, fields=("plan",))


@transaction.atomic
def open_consultation(user: User, code: str, *, closes_on: dt.date | None, public: bool = False,
                      expected_version: int | None = None) -> Decision:
    """意见征询: the period opens now and ends at the end of ``closes_on``; with ``public`` citizens may give
    their opinion on the public page during it."""
    decision, acting = services.load(user, code, A.OPEN_CONSULTATION, expected_version)  # who may, first
    today = clock.today()
    if closes_on is None or closes_on <= today:
        raise ValidationFailed(_("征询截止日期须晚于今天。"), fields={"closes_on": _("须晚于今天")})
    if closes_on > today + dt.timedelta(days=90):
        raise ValidationFailed(_("征询期不能超过 90 天。"), fields={"closes_on": _("征询期不能超过 90 天")})
    now = clock.now()
    local_end = dt.datetime.combine(closes_on, dt.time(23, 59, 59), tzinfo=clock.localtime(now).tzinfo)
    decision.consultation_opened_at, decision.consultation_closes_at = now, local_end
    decision.public_consultation = bool(public)
    return services.step(decision, A.OPEN_CONSULTATION, acting,
                         data={"closes_on": closes_on.isoformat(), "public": bool(public)},
                         fields=("consultation_opened_at", "consultation_closes_at", "public_consultation"))


def _count(value: int | None, field: str, label: str) -> int:
    if value is None:
        return 0
    if not 0 <= value <= MAX_COUNT:
        raise ValidationFailed(_("%(label)s须在 0 到 100 万之间。") % {"label": label}, fields={field: _("数字不正确")})
    return value


@transaction.atomic
def record_opinion(user: User, code: str, *, channel: str, held_on: dt.date | None, participants: int | None,
                   support: int | None, oppose: int | None, neutral: int | None, concerns: str,
                   expected_version: int | None = None) -> Opinion:
    """The opinions one channel (座谈会, 问卷, 公示, 听证, 走访) received: counts by stance and key concerns."""
    if channel not in Channel.values or channel == Channel.ONLINE:
        raise ValidationFailed(_("请选择征询方式。"), fields={"channel": _("请选择征询方式")})
    if held_on is None or held_on > clock.today():
        raise ValidationFailed(_("征询日期不能晚于今天。"), fields={"held_on": _("不能晚于今天")})
    people = _count(participants, "participants", _("参与人数"))
    counts = {name: _count(value, name, label) for name, value, label in (
        ("support", support, _("支持")), ("oppose", oppose, _("反对")), ("neutral", neutral, _("中立")))}
    if sum(counts.values()) == 0:
        raise ValidationFailed(_("请填写支持、反对或中立的意见数。"), fields={"support": _("至少一项大于 0")})
    if people and sum(counts.values()) > people:
        raise ValidationFailed(_("支持、反对、中立合计 %(n)s，超过参与人数 %(p)s。") % {"n": sum(counts.values()),
                                                                                 "p": people},
                               fields={"participants": _("参与人数少于意见合计")})
    text = require_text(concerns, "concerns", _("主要意见和诉求"), max_length=4000)
    decision, acting = services.load(user, code, A.RECORD_OPINION, expected_version)
    if decision.consultation_opened_at and held_on < clock.localtime(decision.consultation_opened_at).date():
        raise ValidationFailed(_("征询日期不能早于征询期开始（%(d)s）。") % {
            "d": clock.localtime(decision.consultation_opened_at).date().isoformat()},
            fields={"held_on": _("早于征询期开始")})
    opinion = Opinion.objects.create(decision=decision, channel=channel, held_on=held_on, participants=people,
                                     concerns=text, recorded_by=user, recorded_at=clock.now(), **counts)
    services.step(decision, A.RECORD_OPINION, acting, note=text,
                  data={"channel": channel, "participants": people, **counts})
    return opinion


@transaction.atomic
def close_consultation(user: User, code: str, *, summary: str, expected_version: int | None = None) -> Decision:
    """结束意见征询, with a summary of what was heard; risk identification starts."""
    text = require_text(summary, "summary", _("征询情况小结"), max_length=4000)
    decision, acting = services.load(user, code, A.CLOSE_CONSULTATION, expected_version)
    if not decision.opinions.exists():
        raise ValidationFailed(_("尚未登记任何征询意见，不能结束征询。"), fields={"summary": _("请先登记征询意见")})
    decision.consultation_summary, decision.consultation_closed_at = text, clock.now()
    return services.step(decision, A.CLOSE_CONSULTATION, acting, note=text,
                         fields=("consultation_summary", "consultation_closed_at"))


@transaction.atomic
def withdraw(user: User, code: str, *, reason: str, expected_version: int | None = None) -> Decision:
    """撤回: the decision is no longer proposed; the assessment stops."""
    text = require_text(reason, "reason", _("撤回理由"))
    decision, acting = services.load(user, code, A.WITHDRAW, expected_version)
    decision.closed_at = clock.now()
    return services.step(decision, A.WITHDRAW, acting, note=text, fields=("closed_at",))
