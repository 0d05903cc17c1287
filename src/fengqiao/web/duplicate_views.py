"""Duplicates on the case page: "可能重复" candidates with one-click merge, the family count, the merged notice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases import selectors, services
from fengqiao.cases.models import Case
from fengqiao.cases.states import Action, State
from fengqiao.intelligence import dedup
from fengqiao.jurisdictions import scope
from fengqiao.kit.errors import DomainError, ValidationFailed
from fengqiao.web import presenters
from fengqiao.web.views import current_user, render_error

# states in which a case may still be merged into another (cases.states: MERGE transitions)
MERGEABLE = frozenset({State.REGISTERED, State.DISPATCHED, State.RETURNED})
REASON_LABELS = {"text": gettext_lazy("文本相似"), "phone": gettext_lazy("同一来电号码")}
SHOWN = 5


@dataclass(frozen=True)
class CandidateRow:
    case: Case
    similarity_pct: int
    reason: str
    reason_label: str


@dataclass(frozen=True)
class TimelineEntry:
    at: Any
    label: str
    note: str


def can_merge(user: User, case: Case) -> bool:
    if case.state not in MERGEABLE:
        return False
    try:
        services.authorize(user, case, Action.MERGE)
    except DomainError:
        return False
    return True


def candidate_rows(user: User, case: Case) -> list[CandidateRow]:
    """The possible duplicates of an open case that the user can see, most similar first."""
    found = dedup.candidates(case, limit=SHOWN, within=scope.case_filter(user))
    shown = {c.pk: c for c in selectors.visible_cases(user).filter(pk__in=[f.case_id for f in found])}
    return [
        CandidateRow(shown[f.case_id], round(f.similarity * 100), f.reason, str(REASON_LABELS[f.reason]))
        for f in found if f.case_id in shown
    ]


def _primary_timeline(user: User, primary: Case) -> list[TimelineEntry]:
    return [TimelineEntry(e.at, presenters.action_label(e.action), e.note)
            for e in selectors.timeline(user, primary)]


def panel_context(user: User, case: Case) -> dict[str, Any]:
    """What the case page shows about duplicates (rendered by the ``duplicates_block`` tag)."""
    family = selectors.family(user, case)
    staff = bool(user.role_set() - {Role.CITIZEN})
    context: dict[str, Any] = {"case": case, "family": family, "primary": None, "candidates": [],
                               "can_merge": False, "staff": staff}
    if case.state == State.MERGED and family.primary.pk != case.pk:
        primary = selectors.visible_cases(user).filter(pk=family.primary.pk).first()
        context["primary_code"] = family.primary.code
        if primary is not None:
            context["primary"] = primary
            context["primary_timeline"] = _primary_timeline(user, primary)
    if staff and case.state in MERGEABLE:
        context["candidates"] = candidate_rows(user, case)
        context["can_merge"] = can_merge(user, case)
    return context


@login_required
@require_POST
def case_merge_into(request: HttpRequest, code: str, into: str) -> HttpResponse:
    """合并到此件: this case becomes a duplicate of ``into`` (409 when the case changed meanwhile)."""
    from fengqiao.web.case_views import render_case  # the case page renders the error in place

    user = current_user(request)
    try:
        case = selectors.case_for(user, code)
    except DomainError as e:
        return render_error(request, e)
    raw = request.POST.get("expected_version", "")
    try:
        if not raw.isdigit():
            raise ValidationFailed(_("缺少或无效的版本号（expected_version）。"),
                                   fields={"expected_version": _("请刷新页面后重试")})
        services.merge(user, code, into=into, expected_version=int(raw))
    except DomainError as e:
        return render_case(request, selectors.case_for(user, code), status=e.status, error=e)
    messages.success(request, _("已合并到 %(code)s") % {"code": into})
    return redirect("case_detail", code=case.code)
