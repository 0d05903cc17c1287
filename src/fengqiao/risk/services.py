"""The register's actions: one function per action, each in one transaction writing one RiskEvent.

Every action on an existing entry loads it through the scoped loader with a row lock, checks the actor's
role, compares the version the user saw, asks the state machine, then ``_step`` saves the changed fields
(only if nobody changed the entry meanwhile) and writes the event.  Opening an entry from a case also
writes ``r_listed`` on the case's chain, so the case's history shows it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import AREA_ROLES, Role
from fengqiao.audit.models import Audience
from fengqiao.cases.services import access_case
from fengqiao.cases.services._core import Acting, require_text
from fengqiao.cases.services.hosted import event_for
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level, Unit
from fengqiao.kit import clock, ids
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.kit.records import check_version, save_versioned
from fengqiao.risk.defaults import CADENCE_DAYS
from fengqiao.risk.models import ReviewCadence, RiskEntry, RiskEvent, Source
from fengqiao.risk.selectors import access_entry, visible
from fengqiao.risk.states import (
    ACTION_LABELS,
    CREATED_IN,
    GRADE_LABELS,
    LIVE,
    REVIEWED,
    Grade,
    RAction,
    next_state,
)

__all__ = ["access_entry", "apply_result", "consolidate", "dismiss", "identify", "list_entry", "open_from_case",
           "regrade", "review", "screen", "tackle", "visible", "write_off"]

_OPENERS = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.DISPATCHER, Role.GRID_WORKER, Role.ADMIN})
_DECIDERS = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.DISPATCHER, Role.ADMIN})
# Who may take each action (area roles on entries in their area; handlers for their unit's entries).
ACTION_ROLES: dict[RAction, frozenset[Role]] = {
    RAction.SCREEN: _OPENERS,
    RAction.OPEN: _OPENERS,
    RAction.IDENTIFY: _DECIDERS,
    RAction.LIST: _DECIDERS,
    RAction.TACKLE: _OPENERS | {Role.HANDLER},
    RAction.REVIEW: _OPENERS | {Role.HANDLER},
    RAction.REGRADE: _DECIDERS,
    RAction.WRITE_OFF: _DECIDERS,
    RAction.APPLY_RESULT: _DECIDERS,
    RAction.DISMISS: _DECIDERS,
    RAction.CONSOLIDATE: _OPENERS | {Role.HANDLER},
}


def authorize(user: User, entry: RiskEntry | None, action: RAction) -> Acting:
    """The role in which ``user`` may take ``action`` (the entry or case was loaded scoped to her)."""
    allowed = ACTION_ROLES[action]
    if Role.ADMIN in allowed and Role.ADMIN in user.role_set():
        return Acting(user, Role.ADMIN, None)
    for membership in user.memberships.select_related("unit").filter(role__in=[r.value for r in allowed]):
        role = Role(membership.role)
        if role in AREA_ROLES:
            return Acting(user, role, membership.unit)
        if entry is not None and membership.unit_id is not None and membership.unit_id == entry.responsible_unit_id:
            return Acting(user, role, membership.unit)
    raise PermissionDenied(_("您的角色无权「%(action)s」。") % {"action": ACTION_LABELS[action]})


def _grade(value: str) -> Grade:
    try:
        return Grade(value)
    except ValueError:
        choices = "、".join(str(label) for label in GRADE_LABELS.values())
        raise ValidationFailed(_("风险等级须为：%(choices)s。") % {"choices": choices},
                               fields={"grade": _("请选择风险等级")}) from None


def _responsible(unit_id: int | None, leader_id: int | None) -> tuple[Unit, User | None]:
    errors: dict[str, str] = {}
    unit = Unit.objects.filter(pk=unit_id, active=True).first() if unit_id is not None else None
    if unit is None:
        errors["responsible_unit_id"] = _("请选择责任单位")
    leader = None
    if leader_id is not None:
        leader = User.objects.filter(pk=leader_id, is_active=True).first()
        if leader is None:
            errors["responsible_leader_id"] = _("没有这位责任领导")
    if errors:
        raise ValidationFailed(_("责任落实有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    assert unit is not None
    return unit, leader


def cadence_days(grade: str) -> int:
    """Days between reviews of an entry of ``grade`` (the administrators' row, else the default)."""
    days = ReviewCadence.objects.filter(grade=grade).values_list("days", flat=True).first()
    return days if days is not None else CADENCE_DAYS[grade]


def _next_review(grade: str, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=cadence_days(grade))


def _event(entry: RiskEntry, action: RAction, before: str, acting: Acting, now: dt.datetime, *,
           note: str = "", data: dict[str, Any] | None = None) -> RiskEvent:
    return RiskEvent.append(entry, action=action.value, from_state=before, to_state=entry.status,
                            actor=acting.user, at=now, note=note, data=data)


def _create(entry: RiskEntry, action: RAction, acting: Acting, *, note: str = "",
            data: dict[str, Any] | None = None) -> RiskEntry:
    entry.status = CREATED_IN[action].value
    entry.code = f"FX{clock.localtime(entry.opened_at):%y%m%d}-{ids.random_part(6)}"
    entry.save()
    _event(entry, action, "", acting, entry.opened_at, note=note, data=data)
    return entry


def _load(user: User, code: str, action: RAction, expected_version: int | None) -> tuple[RiskEntry, Acting]:
    entry = access_entry(user, code, for_update=True)
    acting = authorize(user, entry, action)
    check_version(entry, expected_version, _("这条风险在您打开之后已有新的变化，请刷新后查看。"))
    next_state(entry.state, action)
    return entry, acting


def _step(entry: RiskEntry, action: RAction, acting: Acting, *, note: str = "",
          data: dict[str, Any] | None = None, fields: tuple[str, ...] = ()) -> RiskEntry:
    before = entry.state
    entry.status = next_state(before, action).value
    save_versioned(entry, {"status", *fields}, _("这条风险刚被他人处理，您的操作未保存。请刷新后重试。"))
    _event(entry, action, before.value, acting, clock.now(), note=note, data=data)
    return entry


@transaction.atomic
def screen(user: User, *, title: str, description: str = "", area_id: int | None,
           grade: str = Grade.WATCH, grade_reason: str = "", campaign_id: int | None = None,
           checklist_item: str = "") -> RiskEntry:
    """排查: a possible risk found by screening, located in a street, community or grid of the actor's
    (in a campaign, with the checklist item it falls under: ``screening.record`` passes them)."""
    title = require_text(title, "title", _("风险名称"), max_length=200)
    grade = _grade(grade)
    area = Area.objects.filter(scope.area_filter(user), pk=area_id).first() if area_id is not None else None
    if area is None or area.level not in (Level.STREET, Level.COMMUNITY, Level.GRID):
        raise ValidationFailed(_("请选择您辖区内的镇街、社区或网格。"), fields={"area_id": _("请选择所在区域")})
    acting = authorize(user, None, RAction.SCREEN)
    chain: dict[str, Area | None] = {"street": None, "community": None, "grid": None}
    node: Area | None = area
    while node is not None and node.level in chain:
        chain[node.level] = node
        node = node.parent
    entry = RiskEntry(title=title, description=(description or "").strip(), source=Source.SCREENING,
                      grade=grade.value, grade_reason=(grade_reason or "").strip(), opened_at=clock.now(),
                      street=chain["street"], community=chain["community"], grid=chain["grid"],
                      campaign_id=campaign_id, checklist_item=checklist_item)
    data = {"campaign_id": campaign_id, "item": checklist_item} if campaign_id is not None else None
    return _create(entry, RAction.SCREEN, acting, data=data)


@transaction.atomic
def open_from_case(user: User, case_code: str, grade: str, grade_reason: str, responsible_unit_id: int | None,
                   responsible_leader_id: int | None = None) -> RiskEntry:
    """建单 from a case: the case's matter put on the register, graded, with its responsible unit (and
    leader); one live entry per case.  The case's history gets ``r_listed``."""
    grade = _grade(grade)
    reason = require_text(grade_reason, "grade_reason", _("定级理由"))
    unit, leader = _responsible(responsible_unit_id, responsible_leader_id)
    case = access_case(user, case_code, for_update=True)
    acting = authorize(user, None, RAction.OPEN)
    live = RiskEntry.objects.filter(case=case, status__in=sorted(LIVE)).values_list("code", flat=True).first()
    if live is not None:
        raise Conflict(_("案件 %(case)s 已在风险清单中（%(code)s），不能重复建单。")
                       % {"case": case.code, "code": live})
    now = clock.now()
    entry = RiskEntry(title=case.title, description=case.description, source=Source.CASE, case=case,
                      street_id=case.street_id, community_id=case.community_id, grid_id=case.grid_id,
                      grade=grade.value, grade_reason=reason, responsible_unit=unit, responsible_leader=leader,
                      opened_at=now, next_review_at=_next_review(grade, now))
    entry = _create(entry, RAction.OPEN, acting, note=reason, data={"case": case.code})
    event_for(case.pk, acting, "r_listed", audience=Audience.INTERNAL, note=reason,
              data={"risk": entry.code, "grade": grade.value, "unit_name": unit.name})
    return entry


@transaction.atomic
def identify(user: User, code: str, *, grade: str, grade_reason: str,
             expected_version: int | None = None) -> RiskEntry:
    """识别: a screened entry judged a risk and graded."""
    grade = _grade(grade)
    reason = require_text(grade_reason, "grade_reason", _("定级理由"))
    entry, acting = _load(user, code, RAction.IDENTIFY, expected_version)
    entry.grade, entry.grade_reason = grade.value, reason
    return _step(entry, RAction.IDENTIFY, acting, note=reason, data={"grade": grade.value},
                 fields=("grade", "grade_reason"))


@transaction.atomic
def list_entry(user: User, code: str, *, responsible_unit_id: int | None, responsible_leader_id: int | None = None,
               expected_version: int | None = None) -> RiskEntry:
    """建单: an identified risk put on the register with its responsible unit (and leader); reviews start."""
    entry, acting = _load(user, code, RAction.LIST, expected_version)  # scope and role first
    unit, leader = _responsible(responsible_unit_id, responsible_leader_id)
    entry.responsible_unit, entry.responsible_leader = unit, leader
    entry.next_review_at = _next_review(entry.grade, clock.now())
    return _step(entry, RAction.LIST, acting, data={"unit_name": unit.name},
                 fields=("responsible_unit", "responsible_leader", "next_review_at"))


@transaction.atomic
def tackle(user: User, code: str, *, measure: str, expected_version: int | None = None) -> RiskEntry:
    """攻坚: a stability-control measure (稳控措施) added to the entry's measures."""
    measure = require_text(measure, "measure", _("稳控措施"))
    entry, acting = _load(user, code, RAction.TACKLE, expected_version)
    line = f"{clock.localtime():%Y-%m-%d} {measure}"
    entry.measures = f"{entry.measures}\n{line}" if entry.measures else line
    return _step(entry, RAction.TACKLE, acting, note=measure, fields=("measures",))


@transaction.atomic
def review(user: User, code: str, *, note: str, expected_version: int | None = None) -> RiskEntry:
    """复核: the finding recorded; the next review moves on by the grade's cadence."""
    note = require_text(note, "note", _("复核情况"))
    entry, acting = _load(user, code, RAction.REVIEW, expected_version)
    entry.next_review_at = _next_review(entry.grade, clock.now())
    return _step(entry, RAction.REVIEW, acting, note=note,
                 data={"next_review_at": entry.next_review_at.isoformat()}, fields=("next_review_at",))


@transaction.atomic
def regrade(user: User, code: str, *, grade: str, reason: str, expected_version: int | None = None) -> RiskEntry:
    """调整等级, with the reason; an entry under review gets the new grade's cadence from now."""
    new = _grade(grade)
    reason = require_text(reason, "reason", _("调整理由"))
    entry, acting = _load(user, code, RAction.REGRADE, expected_version)
    old = entry.grade
    if old == new.value:
        raise ValidationFailed(_("风险已是「%(grade)s」等级。") % {"grade": GRADE_LABELS[new]},
                               fields={"grade": _("请选择不同的等级")})
    entry.grade, entry.grade_reason = new.value, reason
    fields: tuple[str, ...] = ("grade", "grade_reason")
    if entry.state in REVIEWED:
        entry.next_review_at = _next_review(new, clock.now())
        fields += ("next_review_at",)
    return _step(entry, RAction.REGRADE, acting, note=reason, data={"from": old, "to": new.value}, fields=fields)


@transaction.atomic
def write_off(user: User, code: str, *, evidence: str, expected_version: int | None = None) -> RiskEntry:
    """销号: the risk resolved, with the evidence; reviews stop."""
    evidence = require_text(evidence, "evidence", _("销号依据"), max_length=4000)
    entry, acting = _load(user, code, RAction.WRITE_OFF, expected_version)
    entry.written_off_at, entry.write_off_evidence, entry.next_review_at = clock.now(), evidence, None
    return _step(entry, RAction.WRITE_OFF, acting, note=evidence,
                 fields=("written_off_at", "write_off_evidence", "next_review_at"))


@transaction.atomic
def apply_result(user: User, code: str, *, note: str, expected_version: int | None = None) -> RiskEntry:
    """结果运用: how the written-off risk's result was used in the assessment."""
    note = require_text(note, "note", _("结果运用情况"))
    entry, acting = _load(user, code, RAction.APPLY_RESULT, expected_version)
    return _step(entry, RAction.APPLY_RESULT, acting, note=note)


@transaction.atomic
def dismiss(user: User, code: str, *, reason: str, expected_version: int | None = None) -> RiskEntry:
    """排除: an identified entry found not to be a risk."""
    reason = require_text(reason, "reason", _("排除理由"))
    entry, acting = _load(user, code, RAction.DISMISS, expected_version)
    return _step(entry, RAction.DISMISS, acting, note=reason)



@transaction.atomic
def consolidate(user: User, code: str, *, note: str, relapsed: bool = False,
                expected_version: int | None = None) -> RiskEntry:
    """回访巩固: a follow-up visit after write-off — the risk stayed resolved, or it came back (relapsed: the
    entry counts against the consolidation rate; a new entry is opened for the renewed risk)."""
    note = require_text(note, "note", _("回访情况"))
    entry, acting = _load(user, code, RAction.CONSOLIDATE, expected_version)
    entry.consolidated_at, entry.relapsed = clock.now(), bool(relapsed)
    return _step(entry, RAction.CONSOLIDATE, acting, note=note, data={"relapsed": bool(relapsed)},
                 fields=("consolidated_at", "relapsed"))
