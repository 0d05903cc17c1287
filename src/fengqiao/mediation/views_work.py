"""The mediators' and judges' pages: the workbench (调解工作台) with its tabs, a mediation's page with the
forms for what the reader may do now (POST → one service → redirect), its documents, and the court's
queue of judicial confirmations with the review page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from fengqiao.accounts.roles import PII_ROLES
from fengqiao.audit.services import record_personal_data_view
from fengqiao.kit.errors import DomainError, NotFound, PermissionDenied
from fengqiao.kit.pagination import paginate
from fengqiao.mediation import actions_work, pdf, presenters_work
from fengqiao.mediation import selectors_work as sel
from fengqiao.mediation.forms_work import WorkForm
from fengqiao.mediation.models import Mediation
from fengqiao.web.acting import submit_action
from fengqiao.web.views import current_user, render_error, staff_only

PER_PAGE = 25
DOCUMENTS = ("agreement.pdf", "ruling.pdf")


@staff_only
def mediation_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    tab = request.GET.get("tab", "")
    if tab not in sel.TAB_KEYS:
        tab = "pending"
    page = paginate(sel.work_list(user, tab), request.GET.get("page"), PER_PAGE)
    counts = sel.tab_counts(user)
    tabs = [{"key": t.key, "label": _(t.label), "count": counts.get(t.key, 0), "active": t.key == tab}
            for t in sel.TABS]
    return render(request, "mediation/work/list.html", {
        "tab": tab, "tabs": tabs, "page": page, "rows": sel.rows(list(page.items)),
        "prev_query": f"tab={tab}&page={page.previous_number}", "next_query": f"tab={tab}&page={page.next_number}",
    })


def render_detail(request: HttpRequest, mediation: Mediation, *, status: int = 200,
                  failed: tuple[str, WorkForm] | None = None, error: DomainError | None = None,
                  template: str = "mediation/work/detail.html") -> HttpResponse:
    user = current_user(request)
    forms = []
    for name in actions_work.offered(user, mediation):
        if failed and failed[0] == name:
            form = failed[1]
            data = cast(QueryDict, form.data).copy()  # a resubmission acts on what is on screen now
            data[form.add_prefix("expected_version")] = str(mediation.version)
            form.data = data
            forms.append({"name": name, "spec": actions_work.SPECS[name], "form": form, "failed": True})
        else:
            forms.append({"name": name, "spec": actions_work.SPECS[name], "form": actions_work.build(name, mediation),
                          "failed": False})
    if template.endswith("review.html"):
        forms = [f for f in forms if f["name"] in actions_work.RULINGS]
    context: dict[str, Any] = presenters_work.detail_context(user, mediation)
    context.update(forms=forms, error=error, failed_name=failed[0] if failed else "")
    return render(request, template, context, status=status)


@login_required
def mediation_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        mediation = sel.mediation_for(current_user(request), code)
    except DomainError as e:
        return render_error(request, e)
    return render_detail(request, mediation)


def _act(request: HttpRequest, code: str, action: str, template: str, success: str) -> HttpResponse:
    user = current_user(request)
    if action not in actions_work.SPECS:
        return render_error(request, NotFound(_("未知的操作：%(action)s") % {"action": action}))
    try:
        mediation = sel.mediation_for(user, code)
    except DomainError as e:
        return render_error(request, e)
    spec = actions_work.SPECS[action]
    return submit_action(
        request, name=action, title=spec.title, subject=mediation,
        form=spec.form(request.POST, initial=actions_work.initial(action, mediation), prefix=action),
        perform=lambda values, version: spec.perform(user, code, values, version),
        reload=lambda: sel.mediation_for(user, code),
        render_detail=lambda *args, **kwargs: render_detail(*args, template=template, **kwargs),
        done=lambda: redirect(success, code=code))


@login_required
@require_POST
def mediation_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    return _act(request, code, action, "mediation/work/detail.html", "mediation_detail")


@login_required
@xframe_options_sameorigin  # the judge's review page shows the agreement in a frame of our own origin
def mediation_document(request: HttpRequest, code: str, name: str) -> HttpResponseBase:
    """The agreement or the ruling, inline, to those who reach the mediation; each opening is audited (the
    documents name the parties in full)."""
    user = current_user(request)
    try:
        mediation = sel.mediation_for(user, code)
        if name not in DOCUMENTS:
            raise NotFound(_("没有这份文书。"))
        row = getattr(mediation, "agreement" if name == "agreement.pdf" else "confirmation", None)
        missing = NotFound(_("这件调解还没有%(doc)s。") % {
            "doc": _("调解协议书") if name == "agreement.pdf" else _("司法确认裁定书")})
        if row is None:
            raise missing
        roles = user.role_set() & PII_ROLES
        if not roles and not user.is_superuser:
            raise PermissionDenied(_("您的角色不能查看载有当事人完整信息的文书。"))
        # a document kept without its PDF (the demo's history) is made on its first opening
        row = pdf.ensure_agreement_pdf(row) if name == "agreement.pdf" else pdf.ensure_ruling_pdf(row)
        if row is None:
            raise missing
    except DomainError as e:
        return render_error(request, e)
    record_personal_data_view(user, role=str(sorted(roles)[0]) if roles else "admin",
                              subject=f"mediation:{code}:{name}", fields=["name", "id_number", "address"],
                              purpose=_("查看调解文书"), ip_address=request.META.get("REMOTE_ADDR"))
    response = FileResponse(row.pdf.open("rb"), content_type="application/pdf", as_attachment=False,
                            filename=f"{code}-{name}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def confirmation_queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not sel.judge_courts(user):
        return render_error(request, PermissionDenied(_("司法确认审查仅限人民法院的法官。")))
    done = request.GET.get("tab") == "ruled"
    page = paginate(sel.confirmation_queue(user, pending=not done), request.GET.get("page"), PER_PAGE)
    items = list(page.items)
    parties = sel.masked_parties([c.mediation.case_id for c in items])
    return render(request, "mediation/work/confirmations.html", {
        "page": page, "rows": [(c, parties.get(c.mediation.case_id, "")) for c in items], "done": done,
        "pending_count": sel.confirmation_queue(user).count(),
        "prev_query": f"tab={'ruled' if done else ''}&page={page.previous_number}",
        "next_query": f"tab={'ruled' if done else ''}&page={page.next_number}",
    })


@login_required
def confirmation_review(request: HttpRequest, code: str) -> HttpResponse:
    """The judge's review: the agreement inline beside the two ruling forms (POST: action=confirm|refuse)."""
    user = current_user(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in actions_work.RULINGS:
            return render_error(request, NotFound(_("未知的操作：%(action)s") % {"action": action}))
        return _act(request, code, action, "mediation/work/review.html", "confirmation_review")
    try:
        mediation = sel.mediation_for(user, code)
        if getattr(mediation, "confirmation", None) is None:
            raise NotFound(_("这件调解没有司法确认申请。"))
    except DomainError as e:
        return render_error(request, e)
    return render_detail(request, mediation, template="mediation/work/review.html")
