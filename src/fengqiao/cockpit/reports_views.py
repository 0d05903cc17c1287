"""/cockpit/reports/: the weeks and months of the reader's scopes, each as PDF and Excel; the download makes
the file on demand (``reports_files``), serves it privately and records the download as an audit record
(``audit.PersonalDataView``, as other downloads of documents are: who, which scope and period, which format)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.audit.services import record_personal_data_view
from fengqiao.cockpit import reports, reports_files
from fengqiao.cockpit import selectors as sel
from fengqiao.kit.errors import DomainError, ValidationFailed
from fengqiao.ops.replica import replica_reads
from fengqiao.web.views import current_user, render_error

log = logging.getLogger("fengqiao.audit.reports")  # the operations log's line beside the audit record


def _scope_id(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationFailed(_("统计范围“%(s)s”无效。") % {"s": text}, fields={"scope": _("应为数字编号")})
    return int(text)


@login_required
@require_GET
@replica_reads  # the rollups from the read replica; the audit record is written on the primary
def report_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        scopes = sel.scopes_for(user)
        scope = sel.scope_for(user, _scope_id(request.GET.get("scope")))
    except DomainError as e:
        return render_error(request, e)
    listed = reports.available()
    return render(request, "cockpit/reports/list.html", {
        "scopes": scopes, "scope": scope, "weeks": [r for r in listed if r.kind == reports.WEEK],
        "months": [r for r in listed if r.kind == reports.MONTH], "period": request.GET.get("period", ""),
    })


@login_required
@require_GET
@replica_reads  # the rollups from the read replica; the audit record is written on the primary
def report_download(request: HttpRequest) -> HttpResponseBase:
    """``?scope=<id>&period=2026-W48|2026-11&format=pdf|xlsx``: 400 naming the field for bad input, 403 for
    a reader without the cockpit, 404 for a scope she may not open or a period not yet computed."""
    user = current_user(request)
    try:
        scope = sel.scope_for(user, _scope_id(request.GET.get("scope")))
        period = reports.parse_report_period(request.GET.get("period"))
        fmt = reports_files.check_format(request.GET.get("format"))
        found = reports_files.report_file(scope, period, fmt, user)
    except DomainError as e:
        return render_error(request, e)
    log.info("report download user=%s scope=%s period=%s format=%s made=%s ip=%s", user.pk, scope.id,
             period.key, fmt, found.made, request.META.get("REMOTE_ADDR", ""))
    roles = sorted(r.value for r in user.role_set())
    record_personal_data_view(user, role=roles[0] if roles else "admin",
                              subject=f"report:{scope.id}:{period.key}.{fmt}",
                              fields=["report", "hot_issues"] if reports.hot_allowed(user) else ["report"],
                              purpose=_("下载%(scope)s%(period)s统计报告") % {"scope": scope.name,
                                                                          "period": period.label},
                              ip_address=request.META.get("REMOTE_ADDR"))
    response = FileResponse(found.path.open("rb"), content_type=found.content_type, as_attachment=True,
                            filename=found.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
