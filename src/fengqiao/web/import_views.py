"""批量导入: upload a file, choose channel and mapping, watch the progress bar, download the error report."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.roles import PII_ROLES
from fengqiao.audit.services import record_personal_data_view
from fengqiao.cases.models import Channel
from fengqiao.intake import mapping, services, tasks
from fengqiao.intake.models import ImportJob, JobStatus
from fengqiao.kit.errors import DomainError, PermissionDenied
from fengqiao.web.views import current_user, is_partial, render_error

MAX_UPLOAD = 512 * 1024 * 1024


class ImportForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("受理渠道"), choices=Channel.choices)
    file = forms.FileField(label=gettext_lazy("数据文件（CSV / XLSX / JSON Lines）"))
    mapping = forms.ChoiceField(label=gettext_lazy("字段映射"), required=False)
    mapping_file = forms.FileField(label=gettext_lazy("或上传映射文件（TOML）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(n, n) for n in mapping.shipped_names()]
        self.fields["mapping"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD:
            self.add_error("file", _("文件超过 512 MB，请分批导入或使用命令行 fengqiao import。"))
        if not data.get("mapping") and not data.get("mapping_file"):
            self.add_error("mapping", _("请选择内置映射，或上传映射文件。"))
        return data


def _raw_mapping(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("mapping_file"):
        text = data["mapping_file"].read().decode("utf-8-sig", errors="replace")
        return mapping.load_toml(text)
    raw, _parsed = mapping.load(data["mapping"])
    return raw


def _guard(request: HttpRequest) -> HttpResponse | None:
    if not services.can_import(current_user(request)):
        return render_error(request, PermissionDenied(_("只有分拨员、话务员或管理员可以批量导入。")))
    return None


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    if denied := _guard(request):
        return denied
    jobs = ImportJob.objects.select_related("created_by")[:50]
    return render(request, "web/import_list.html", {"jobs": jobs})


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    if denied := _guard(request):
        return denied
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = _start(request, form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
                status = e.status
            else:
                return redirect("import_detail", pk=job.pk)
        else:
            status = 400
    return render(request, "web/import_new.html", {"form": form}, status=status)


def _start(request: HttpRequest, data: dict[str, Any]) -> ImportJob:
    raw = _raw_mapping(data)
    upload = data["file"]
    suffix = Path(upload.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=services.uploads_dir(), delete=False) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    temp = Path(handle.name)
    try:
        job, _resumed = services.start_job(current_user(request), data["channel"], temp, raw,
                                          file_name=upload.name, keep_copy=True)
    finally:
        temp.unlink(missing_ok=True)
    if job.status != JobStatus.DONE:
        transaction.on_commit(lambda: tasks.run_import(job.pk), robust=True)  # queue down: taken over later
    return job


def _pii_columns(job: ImportJob) -> set[str]:
    """Source columns holding a reporter's personal data: masked for roles that may not see it."""
    try:
        source_of = mapping.parse(job.mapping).source_of
    except DomainError:
        return set()
    return {c for f, c in source_of.items() if f.startswith("reporter_") or f == "address"}


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


def _percent(job: ImportJob) -> int:
    if job.status == JobStatus.DONE:
        return 100
    if not job.total_rows:
        return 0
    return min(100, round(100 * job.done_rows / job.total_rows))


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if denied := _guard(request):
        return denied
    job = _job(request, pk)
    context = {"job": job, "percent": _percent(job), "running": job.status in (JobStatus.PENDING, JobStatus.RUNNING),
               "errors": job.errors.all()[:20]}
    template = "web/import_progress.html" if is_partial(request) else "web/import_detail.html"
    return render(request, template, context)


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-row error report as CSV, UTF-8 with BOM (so Excel opens the Chinese text)."""
    if denied := _guard(request):
        return denied
    job = _job(request, pk)
    user = current_user(request)
    roles = sorted(user.role_set() & PII_ROLES)
    pii_columns = _pii_columns(job)
    hidden = set() if roles else pii_columns
    if roles and pii_columns and job.errors.exists():  # reporters' details in full: an audited view
        record_personal_data_view(user, role=roles[0], subject=f"import:{job.pk}:errors.csv",
                                  fields=sorted(pii_columns), purpose=_("导入错误清单"),
                                  ip_address=request.META.get("REMOTE_ADDR"))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_("行号"), _("字段"), _("原因"), _("原始数据")])
    for error in job.errors.order_by("row", "field").iterator(chunk_size=2000):
        raw = "; ".join(f"{k}={'***' if k in hidden and v else v}" for k, v in error.raw.items())
        writer.writerow([error.row, error.field, error.message, raw])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
