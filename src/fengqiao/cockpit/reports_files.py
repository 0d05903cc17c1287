"""The report files on disk: made on demand and kept under ``DATA_DIR/reports/<scope>/``, one file per
scope, period, format and rollup time, so a download after the rollups moved makes a new file and the old
one is deleted.  Written to a temporary name and renamed, so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cockpit import reports, reports_pdf, reports_xlsx
from fengqiao.cockpit import selectors as sel
from fengqiao.kit.errors import NotFound, ValidationFailed

VERSION = 1  # bump when the layout changes, so kept files are made again
FORMATS = {"pdf": ("application/pdf", reports_pdf.render),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", reports_xlsx.render)}


@dataclass(frozen=True)
class ReportFile:
    path: Path
    filename: str  # for the download
    content_type: str
    made: bool  # False when it was already on disk


def folder() -> Path:
    return Path(settings.DATA_DIR) / "reports"


def check_format(fmt: str | None) -> str:
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise ValidationFailed(_("文件格式“%(f)s”不支持：请选 pdf 或 xlsx。") % {"f": fmt},
                               fields={"format": _("只能是 pdf 或 xlsx")})
    return fmt


def report_file(scope: sel.Scope, period: sel.Period, fmt: str, reader: User | None = None) -> ReportFile:
    """The file of ``scope``'s report for ``period`` (the reader's right to the scope is checked by the
    caller); made now when the kept one is missing or older than the rollups.  Kept apart for readers with
    and without hot issues, the one thing in a report that depends on the reader."""
    fmt = check_format(fmt)
    as_of = reports.data_as_of(period)
    if as_of is None:
        raise NotFound(_("%(p)s的统计数据尚未生成（汇总每十分钟更新一次），请稍后再试。") % {"p": period.label})
    content_type, render = FORMATS[fmt]
    kind = _("周报") if reports.kind_of(period) == reports.WEEK else _("月报")
    filename = f"{scope.name}{period.key}{kind}.{fmt}"
    hot = "h" if reports.hot_allowed(reader) else "n"
    target = folder() / str(scope.id) / f"{period.key}-{as_of:%Y%m%d%H%M%S}-{hot}-v{VERSION}.{fmt}"
    if target.exists():
        return ReportFile(target, filename, content_type, False)
    data = render(reports.build(scope, period, reader))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-", suffix=f".{fmt}")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    for old in target.parent.glob(f"{period.key}-*-{hot}-v*.{fmt}"):
        if old != target:
            old.unlink(missing_ok=True)
    return ReportFile(target, filename, content_type, True)
