"""The case page's 会商研判 section: convene, give a task, mark a task done, conclude.  The views parse
the form, call one service (cases/services/consultation.py) and render; a refused action renders the
case page again with the reason (4xx) and nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.cases import consultation_reads, selectors
from fengqiao.cases.models import Case
from fengqiao.cases.services import consultation as consult
from fengqiao.cases.services.consultation import TaskInput
from fengqiao.cases.states import OPEN_STATES
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, PermissionDenied, ValidationFailed
from fengqiao.web.views import current_user, render_error

TASK_ROWS = 3


def _int(value: Any, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("请填写%(label)s。") % {"label": label},
                               fields={field: _("请填写%(label)s") % {"label": label}}) from None


def _tasks(post: QueryDict) -> list[TaskInput]:
    rows = zip(post.getlist("task_unit"), post.getlist("task_text"), post.getlist("task_days"), strict=False)
    tasks = []
    for n, (unit, text, days) in enumerate(rows, start=1):
        if not (text or "").strip() and not unit:
            continue  # an empty row of the form
        tasks.append(TaskInput(_int(unit, "task_unit", _("第 %(n)s 项任务的承办单位") % {"n": n}), text,
                               _int(days, "task_days", _("第 %(n)s 项任务的期限") % {"n": n})))
    return tasks


def _run(request: HttpRequest, code: str, act: str) -> None:
    user, post = current_user(request), request.POST
    if act == "convene":
        consult.convene(user, code, topic=post.get("topic", ""),
                        unit_ids=[_int(u, "unit_ids", _("参与单位")) for u in post.getlist("unit_ids")],
                        people_ids=[_int(p, "people_ids", _("参会人员")) for p in post.getlist("people_ids") if p],
                        tasks=_tasks(post))
    elif act == "task":
        (task,) = _tasks(post) or [TaskInput(0, "", 0)]
        consult.add_task(user, code, consultation_id=_int(post.get("consultation"), "consultation", _("会商")),
                         task=task)
    elif act == "done":
        consult.complete_task(user, code, task_id=_int(post.get("task"), "task", _("任务")), note=post.get("note", ""))
    elif act == "conclude":
        lead = post.get("lead_unit_id") or None
        consult.conclude(user, code, consultation_id=_int(post.get("consultation"), "consultation", _("会商")),
                         conclusion=post.get("conclusion", ""),
                         lead_unit_id=_int(lead, "lead_unit_id", _("主办单位")) if lead else None)


LABELS = {"convene": gettext_lazy("发起会商研判"), "task": gettext_lazy("会商任务交办"),
          "done": gettext_lazy("会商任务完成"), "conclude": gettext_lazy("会商结论")}


@login_required
@require_POST
def consultation_act(request: HttpRequest, code: str, act: str) -> HttpResponse:
    from fengqiao.web.case_views import render_case

    user = current_user(request)
    try:
        if act not in LABELS:
            raise ValidationFailed(_("未知的操作：%(action)s") % {"action": act})
        _run(request, code, act)
    except DomainError as e:
        try:
            case = selectors.case_for(user, code)
        except DomainError as gone:
            return render_error(request, gone)
        request.consultation_error = e  # type: ignore[attr-defined]
        request.consultation_form = request.POST  # type: ignore[attr-defined]
        return render_case(request, case, status=e.status)
    messages.success(request, _("已完成：%(action)s") % {"action": LABELS[act]})
    return redirect(reverse("case_detail", args=[code]) + "#consultation")


def _unit_options(units: list[tuple[int, str]], *, selected: int | None) -> SafeString:
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((pk, mark_safe(" selected") if pk == selected else "", name) for pk, name in units))


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the section shows this user: the consultations, and the forms the user may use."""
    user: User = request.user  # type: ignore[assignment]
    try:
        consult.convener(user, case)
        can_convene = case.state in OPEN_STATES
    except PermissionDenied:
        can_convene = False
    views = consultation_reads.for_case(case, clock.now())
    own_units = set(user.memberships.filter(unit__isnull=False).values_list("unit_id", flat=True))
    units = list(Unit.objects.filter(active=True).order_by("level", "kind", "code").values_list("pk", "name")) \
        if can_convene else []
    return {
        "consultations": views,
        "can_convene": can_convene,
        "own_units": own_units,
        # a city's units, offered four times (participants and each task row): written once, here, not
        # by a template loop per <select> (that was a fifth of the case page's time, bench/load.py)
        "unit_options": _unit_options(units, selected=None),
        "lead_unit_options": _unit_options(units, selected=case.lead_unit_id),
        "task_rows": range(TASK_ROWS),
        "consultation_error": getattr(request, "consultation_error", None),
        "form": getattr(request, "consultation_form", None),
        "open_consultation": any(v.consultation.status == "open" for v in views),
    }
