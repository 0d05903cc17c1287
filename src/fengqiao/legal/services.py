"""Administrative disputes' actions: one function per action, each in one transaction writing one
DisputeEvent (and, for the steps a case's history should show, one event on the case's chain).

Flagging runs the detector over a case (on demand from the case's page, or by the periodic scan as the
system); routing makes the legal office an assisting unit of the case; the office records interventions
and the outcome.  Actions on an existing dispute load it through the scoped loader with a row lock,
check the actor's role, compare the version she saw, and ask the state machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import AREA_ROLES, Role
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Case
from fengqiao.cases.services import access_case
from fengqiao.cases.services._core import SYSTEM, Acting, require_text
from fengqiao.cases.services.hosted import assist_for, event_for
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.kit.records import check_version, save_versioned
from fengqiao.legal import reading, reasons
from fengqiao.legal.detector import Finding, Signals, detect, grade
from fengqiao.legal.models import Dispute, DisputeEvent, Intervention
from fengqiao.legal.selectors import OFFICE_ROLES, access_dispute, office_for
from fengqiao.legal.states import (
    ACT_LABELS,
    ACTION_LABELS,
    FINAL_OUTCOMES,
    KIND_LABELS,
    OUTCOME_LABELS,
    RISK_LABELS,
    RISK_ORDER,
    ActType,
    Kind,
    LAction,
    LState,
    Outcome,
    Risk,
    next_state,
)
from fengqiao.legal.windows import windows_for

A = LAction
_STAFF = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.RISK_OFFICER, Role.LEADER, Role.GRID_WORKER,
                    Role.HANDLER, Role.MEDIATOR, Role.JUDGE, Role.ADMIN})
_DECIDERS = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.DISPATCHER, Role.ADMIN})
# Who may take each action: roles (area roles on disputes in their area), and whether the legal office's
# own members (its handlers and leader) may.
ACTION_ROLES: dict[LAction, tuple[frozenset[Role], bool]] = {
    A.FLAG: (_STAFF, True),
    A.RESCAN: (_STAFF, True),
    A.ROUTE: (_DECIDERS, True),
    A.INTERVENE: (frozenset({Role.ADMIN}), True),
    A.CONCLUDE: (frozenset({Role.ADMIN}), True),
    A.DISMISS: (frozenset({Role.RISK_OFFICER, Role.LEADER, Role.ADMIN}), True),
}


def authorize(user: User, action: LAction, office_id: int | None) -> Acting:
    """The role in which ``user`` may take ``action`` (the case or dispute was loaded scoped to her);
    ``office_id`` is the legal office concerned (its members may act for it)."""
    roles, office_may = ACTION_ROLES[action]
    if Role.ADMIN in roles and Role.ADMIN in user.role_set():
        return Acting(user, Role.ADMIN, None)
    memberships = list(user.memberships.select_related("unit"))
    if office_may and office_id is not None:
        for m in memberships:
            if m.unit_id == office_id and Role(m.role) in OFFICE_ROLES:
                return Acting(user, Role(m.role), m.unit)
    for m in memberships:
        role = Role(m.role)
        if role in roles and (role in AREA_ROLES or action in (A.FLAG, A.RESCAN)):
            return Acting(user, role, m.unit)
    raise PermissionDenied(_("您的角色无权「%(action)s」。") % {"action": ACTION_LABELS[action]})


@dataclass(frozen=True)
class Assessed:
    finding: Finding
    known_on: dt.date
    known_from_text: bool
    reconsider_by: dt.date
    litigate_by: dt.date


def assess(case: Case, signals: Signals | None = None) -> Assessed | None:
    """The detector and the windows over one case (None: not against an administrative act)."""
    matter = reading.matter_of(case)
    finding = detect(matter)
    if finding is None:
        return None
    signals = signals if signals is not None else reading.signals_of([case.pk])[case.pk]
    grade(finding, matter, signals)
    windows = windows_for(f"{case.title}\n{case.description}", clock.localtime(case.registered_at).date())
    return Assessed(finding, windows.known_on, windows.known_from_text, windows.reconsider_by, windows.litigate_by)


def _event(dispute: Dispute, action: LAction, before: str, acting: Acting, at: dt.datetime, *, note: str = "",
           data: dict[str, Any] | None = None) -> DisputeEvent:
    return DisputeEvent.append(dispute, action=action.value, from_state=before, to_state=dispute.status,
                               actor=acting.user, at=at, note=note, data=data)


def _detected(dispute: Dispute, a: Assessed) -> dict[str, Any]:
    f = a.finding
    values = {"act_type": f.act_type.value, "agency": f.agency, "agency_kind": f.agency_kind,
              "evidence": f.evidence, "risk": f.risk.value, "risk_points": f.risk_points,
              "risk_reasons": f.risk_reasons, "known_on": a.known_on, "known_from_text": a.known_from_text,
              "reconsider_by": a.reconsider_by, "litigate_by": a.litigate_by}
    for name, value in values.items():
        setattr(dispute, name, value)
    return {"act_type": f.act_type.value, "risk": f.risk.value, "agency": f.agency}


def record_flag(case: Case, a: Assessed, acting: Acting, *, manual: bool = False, note: str = "") -> Dispute:
    """A new dispute for ``case`` (locked by the caller), its event, and ``l_flagged`` on the case's chain;
    routed at once when the area's legal office routes this risk automatically."""
    now = clock.now()
    dispute = Dispute(case=case, status=LState.FLAGGED.value, district_id=case.district_id,
                      street_id=case.street_id, community_id=case.community_id, grid_id=case.grid_id,
                      registered_at=case.registered_at, flagged_at=now, manual=manual)
    data = _detected(dispute, a)
    dispute.save()
    _event(dispute, A.FLAG, "", acting, now, note=note, data=data)
    # the chain's note is a fixed text, in Chinese (the source language) whoever flags; the reasons are data
    event_for(case.pk, acting, "l_flagged", audience=Audience.INTERNAL,
              note=note or "；".join(reasons.texts(a.finding.evidence, translate=False)),
              data={**data, "reasons": a.finding.risk_reasons})
    office = office_for(case.district_id)
    if office is not None and office.auto_route_from and (
            RISK_ORDER[Risk(dispute.risk)] >= RISK_ORDER[Risk(office.auto_route_from)]):
        _route(dispute, office.unit, SYSTEM, note=_("风险等级达到「%(r)s」，自动交办")
               % {"r": RISK_LABELS[Risk(office.auto_route_from)]})
    return dispute


@dataclass(frozen=True)
class Scanned:
    dispute: Dispute | None
    created: bool
    changed: bool


@transaction.atomic
def scan_case(user: User, case_code: str) -> Scanned:
    """识别 / 重新研判 on demand: the detector over the case; a new dispute when it finds one, the
    assessment refreshed (with an event) when the case already has an open one."""
    case = access_case(user, case_code, for_update=True)
    existing = Dispute.objects.select_for_update().filter(case=case).first()
    acting = authorize(user, A.RESCAN if existing else A.FLAG, existing.office_id if existing else None)
    a = assess(case)
    if existing is None:
        if a is None:
            return Scanned(None, False, False)
        return Scanned(record_flag(case, a, acting), True, True)
    if a is None or existing.state not in (LState.FLAGGED, LState.ROUTED, LState.INTERVENING):
        return Scanned(existing, False, False)
    before = (existing.act_type, existing.risk, existing.agency, existing.reconsider_by)
    old_risk, old_reasons = existing.risk, existing.risk_reasons
    data = _detected(existing, a)
    if (before == (existing.act_type, existing.risk, existing.agency, existing.reconsider_by)
            and reasons.same(old_reasons, existing.risk_reasons)):
        return Scanned(existing, False, False)
    existing.status = next_state(existing.state, A.RESCAN).value
    existing.version += 1
    existing.save()
    _event(existing, A.RESCAN, existing.status, acting, clock.now(), data={**data, "from_risk": old_risk})
    return Scanned(existing, False, True)


@transaction.atomic
def flag_manually(user: User, case_code: str, *, act_type: str, agency: str, reason: str) -> Dispute:
    """人工识别: a person judges the case to be against an administrative act the detector missed."""
    try:
        act = ActType(act_type)
    except ValueError:
        raise ValidationFailed(_("请选择行政行为类型。"), fields={"act_type": _("请选择行政行为类型")}) from None
    agency = require_text(agency, "agency", _("涉及的行政机关"), max_length=100)
    reason = require_text(reason, "reason", _("识别理由"))
    case = access_case(user, case_code, for_update=True)
    if Dispute.objects.filter(case=case).exists():
        raise Conflict(_("案件 %(case)s 已有行政争议记录。") % {"case": case.code})
    acting = authorize(user, A.FLAG, None)
    matter = reading.matter_of(case)
    finding = Finding(act_type=act, agency=agency, agency_kind=agency, score=0,
                      evidence=[{"key": "manual", "reason": reason}])
    grade(finding, matter, reading.signals_of([case.pk])[case.pk])
    w = windows_for(f"{case.title}\n{case.description}", clock.localtime(case.registered_at).date())
    a = Assessed(finding, w.known_on, w.known_from_text, w.reconsider_by, w.litigate_by)
    return record_flag(case, a, acting, manual=True, note=reason)


def _load(user: User, case_code: str, action: LAction, expected_version: int | None) -> tuple[Dispute, Acting]:
    dispute = access_dispute(user, case_code, for_update=True)
    office_id = dispute.office_id
    if action == A.ROUTE and office_id is None:
        office = office_for(dispute.district_id)
        office_id = office.unit_id if office else None
    acting = authorize(user, action, office_id)
    check_version(dispute, expected_version, _("这件行政争议在您打开之后已有新的变化，请刷新后查看。"))
    next_state(dispute.state, action)
    return dispute, acting


def _step(dispute: Dispute, action: LAction, acting: Acting, *, note: str = "", data: dict[str, Any] | None = None,
          fields: tuple[str, ...] = ()) -> Dispute:
    before = dispute.state
    dispute.status = next_state(before, action).value
    save_versioned(dispute, {"status", *fields}, _("这件行政争议刚被他人处理，您的操作未保存。请刷新后重试。"))
    _event(dispute, action, before.value, acting, clock.now(), note=note, data=data)
    return dispute


def _route(dispute: Dispute, office: Unit, acting: Acting, *, note: str = "") -> Dispute:
    assist_for(dispute.case_id, acting, office)
    dispute.office, dispute.routed_at = office, clock.now()
    _step(dispute, A.ROUTE, acting, note=note, data={"unit_name": office.name}, fields=("office", "routed_at"))
    event_for(dispute.case_id, acting, "l_routed", audience=Audience.INTERNAL, note=note,
              data={"unit_name": office.name, "act_type": dispute.act_type, "risk": dispute.risk})
    return dispute


@transaction.atomic
def route(user: User, case_code: str, *, office_unit_id: int | None = None, note: str = "",
          expected_version: int | None = None) -> Dispute:
    """交法制机构提前介入: the area's legal office (or the one chosen) assists on the case."""
    dispute, acting = _load(user, case_code, A.ROUTE, expected_version)
    if office_unit_id is not None:
        office = Unit.objects.filter(pk=office_unit_id, active=True).first()
        if office is None:
            raise ValidationFailed(_("没有这个法制机构。"), fields={"office_unit_id": _("请选择法制机构")})
    else:
        configured = office_for(dispute.district_id)
        if configured is None:
            raise ValidationFailed(_("本区域尚未配置法制机构，请管理员在「法制机构」中设置，或选择一个单位。"),
                                   fields={"office_unit_id": _("请选择法制机构")})
        office = configured.unit
    return _route(dispute, office, acting, note=(note or "").strip())


@transaction.atomic
def intervene(user: User, case_code: str, *, kind: str, note: str, expected_version: int | None = None) -> Dispute:
    """记录介入: 法律意见 / 协调化解 / 释法明理 / 建议纠错, with what was done."""
    try:
        k = Kind(kind)
    except ValueError:
        raise ValidationFailed(_("请选择介入方式。"), fields={"kind": _("请选择介入方式")}) from None
    note = require_text(note, "note", _("介入情况"), max_length=4000)
    dispute, acting = _load(user, case_code, A.INTERVENE, expected_version)
    now = clock.now()
    Intervention.objects.create(dispute=dispute, kind=k.value, note=note, unit=acting.unit or dispute.office,
                                by=user, at=now)
    _step(dispute, A.INTERVENE, acting, note=note, data={"kind": k.value})
    event_for(dispute.case_id, acting, "l_intervened", audience=Audience.INTERNAL, note=note,
              data={"kind": k.value, "kind_label": str(KIND_LABELS[k])})
    return dispute


@transaction.atomic
def conclude(user: User, case_code: str, *, outcome: str, note: str, expected_version: int | None = None) -> Dispute:
    """登记结果: 化解 / 进入行政复议 / 进入行政诉讼 / 撤回 (a concluded dispute's outcome may be corrected)."""
    try:
        o = Outcome(outcome)
    except ValueError:
        o = Outcome.PENDING
    if o not in FINAL_OUTCOMES:
        names = "、".join(str(OUTCOME_LABELS[x]) for x in FINAL_OUTCOMES)
        raise ValidationFailed(_("结果须为：%(names)s（仍在处理的请记录介入）。") % {"names": names},
                               fields={"outcome": _("请选择结果")})
    note = require_text(note, "note", _("结果说明"), max_length=4000)
    dispute, acting = _load(user, case_code, A.CONCLUDE, expected_version)
    old = dispute.outcome
    if old == o.value:
        raise ValidationFailed(_("结果已是「%(o)s」。") % {"o": OUTCOME_LABELS[o]},
                               fields={"outcome": _("请选择不同的结果")})
    dispute.outcome, dispute.concluded_at = o.value, clock.now()
    _step(dispute, A.CONCLUDE, acting, note=note, data={"outcome": o.value, "from": old},
          fields=("outcome", "concluded_at"))
    event_for(dispute.case_id, acting, "l_concluded", audience=Audience.INTERNAL, note=note,
              data={"outcome": o.value, "outcome_label": str(OUTCOME_LABELS[o])})
    return dispute


@transaction.atomic
def dismiss(user: User, case_code: str, *, reason: str, expected_version: int | None = None) -> Dispute:
    """排除: not against an administrative act after all (the case stays as it is)."""
    reason = require_text(reason, "reason", _("排除理由"))
    dispute, acting = _load(user, case_code, A.DISMISS, expected_version)
    _step(dispute, A.DISMISS, acting, note=reason)
    event_for(dispute.case_id, acting, "l_dismissed", audience=Audience.INTERNAL, note=reason,
              data={"act_type": dispute.act_type, "act_label": str(ACT_LABELS[ActType(dispute.act_type)])})
    return dispute
