"""The case page, its action forms (POST → run_action → redirect) and the audited reveal of parties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.cases import actions, selectors, services
from fengqiao.cases.models import Case, CaseEvent, ExtensionStatus
from fengqiao.cases.routing_models import Dispute, DisputeStatus
from fengqiao.cases.states import State
from fengqiao.kit.errors import DomainError, NotFound
from fengqiao.web import lookups, presenters, suggest_views
from fengqiao.web.forms import ACTION_SPECS, ActionForm, ActionSpec, DispatchForm, apply_domain_error
from fengqiao.web.views import current_user, is_partial, render_error


@dataclass(frozen=True)
class Entry:
    event: CaseEvent
    label: str
    role: str
    facts: list[str]


@dataclass(frozen=True)
class OfferedAction:
    name: str
    spec: ActionSpec
    form: ActionForm
    failed: bool


def build_form(name: str, case: Case, data: Any = None, files: Any = None) -> ActionForm:
    spec = ACTION_SPECS[name]
    initial = {"expected_version": case.version}
    if spec.form is DispatchForm:
        initial.update(suggest_views.dispatch_initial(case) if data is None else {})
        from fengqiao.web.loop_hints import dispatch_hint  # 重办 / 会商研判 proposals win over routing

        initial.update(dispatch_hint(case) if data is None else {})
        return DispatchForm(data, initial=initial, units=lookups.unit_choices(case), prefix=name,
                            disputed=case.state == State.DISPUTED)
    return spec.form(data, files, initial=initial, prefix=name)


def perform(user: User, code: str, action: str, values: dict[str, Any]) -> None:
    """The one service call behind a form: run_action, or attach for an upload."""
    if action == "attach":
        services.attach(user, code, upload=values["file"], internal=bool(values.get("internal")),
                        expected_version=values.get("expected_version"))
    else:
        actions.run_action(user, code, action, values)


def _offered(user: User, case: Case, failed: tuple[str, ActionForm] | None) -> list[OfferedAction]:
    offered = []
    for name in presenters.offered_actions(user, case):
        if name not in ACTION_SPECS:
            continue  # an action this page has no form for yet
        if failed and failed[0] == name:
            form = failed[1]
            # resubmitting after a conflict acts on what is on screen now
            data = cast(QueryDict, form.data).copy()
            data[form.add_prefix("expected_version")] = str(case.version)
            form.data = data
            offered.append(OfferedAction(name, ACTION_SPECS[name], form, True))
        else:
            offered.append(OfferedAction(name, ACTION_SPECS[name], build_form(name, case), False))
    return offered


def render_case(
    request: HttpRequest, case: Case, *, status: int = 200, failed: tuple[str, ActionForm] | None = None,
    error: DomainError | None = None, parties: list[selectors.PartyView] | None = None,
) -> HttpResponse:
    user = current_user(request)
    timeline = [
        Entry(e, presenters.action_label(e.action), presenters.role_label(e.actor_role),
              presenters.event_details(e))
        for e in selectors.timeline(user, case)
    ]
    context = {
        "case": case,
        "tone": presenters.STATE_TONES.get(case.state, "grey"),
        "urgency_tone": presenters.URGENCY_TONES.get(case.urgency, "grey"),
        "remaining": presenters.remaining(case),
        "satisfaction": presenters.satisfaction_label(case.satisfaction),
        "supervision": presenters.SUPERVISION_LABELS.get(case.supervision_level, case.supervision_level),
        "category_path": lookups.category_path(case.category),
        "map": lookups.case_map(case),
        "parties": parties if parties is not None else selectors.parties(user, case),
        "can_reveal": selectors.can_reveal(user),
        "timeline": timeline,
        "assignments": case.assignments.select_related("unit").order_by("dispatched_at", "pk"),
        "attachments": case.attachments.filter(audience__in=selectors.audiences_for(user, case))
        .select_related("uploaded_by").order_by("uploaded_at", "pk"),
        "pending_extension": case.extension_requests.filter(status=ExtensionStatus.PENDING).first(),
        "pending_dispute": Dispute.objects.filter(case=case, status=DisputeStatus.PENDING)
        .select_related("unit", "raised_by").first() if case.state == State.DISPUTED else None,
        "offered": _offered(user, case, failed),
        "failed_name": failed[0] if failed else "",
        "error": error,
    }
    return render(request, "web/case.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        case = selectors.case_for(current_user(request), code)
    except DomainError as e:
        return render_error(request, e)
    return render_case(request, case)


@login_required
@require_POST
def case_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = current_user(request)
    if action not in ACTION_SPECS:
        return render_error(request, NotFound(_("未知的操作：%(action)s") % {"action": action}))
    try:
        case = selectors.case_for(user, code)
    except DomainError as e:
        return render_error(request, e)
    form = build_form(action, case, request.POST, request.FILES)
    if not form.is_valid():
        return render_case(request, case, status=400, failed=(action, form))
    try:
        perform(user, code, action, form.cleaned_data)
    except DomainError as e:
        apply_domain_error(form, e)
        try:
            case = selectors.case_for(user, code)
        except DomainError as gone:
            return render_error(request, gone)
        return render_case(request, case, status=e.status, failed=(action, form), error=e)
    if action == "reply" and _reply_held(code):
        messages.warning(request, _("答复质量偏低，已提交本单位审核人审核，审核通过后发送给群众。"))
    else:
        messages.success(request, _("已完成：%(action)s") % {"action": ACTION_SPECS[action].title})
    return redirect("case_detail", code=code)


def _reply_held(code: str) -> bool:
    from fengqiao.intelligence.models import ReplyReview, ReplyReviewStatus

    latest = ReplyReview.objects.filter(case__code=code).order_by("-pk").values_list("status", flat=True).first()
    return latest == ReplyReviewStatus.PENDING


@login_required
@require_POST
def case_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """显示完整信息: the parties in full, for a role that may see them; every reveal is audited."""
    user = current_user(request)
    try:
        case = selectors.case_for(user, code)
        parties = selectors.parties(user, case, reveal=True, ip_address=request.META.get("REMOTE_ADDR"))
    except DomainError as e:
        if is_partial(request):
            return render(request, "web/_error_inline.html", {"error": e}, status=e.status)
        return render_error(request, e)
    if is_partial(request):
        return render(request, "web/_parties.html", {"case": case, "parties": parties, "can_reveal": True})
    return render_case(request, case, parties=parties)


@login_required
def attachment_download(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """A case's file, for those who may see the case and the file's audience."""
    user = current_user(request)
    try:
        case = selectors.case_for(user, code)
    except DomainError as e:
        return render_error(request, e)
    attachment = case.attachments.filter(pk=pk, audience__in=selectors.audiences_for(user, case)).first()
    if attachment is None:
        return render_error(request, NotFound(_("没有找到该附件，或您无权查看。")))
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type)
