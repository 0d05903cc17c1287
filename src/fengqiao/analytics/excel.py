"""The month's ranking as an .xlsx workbook (openpyxl): headers in the reader's language, one row per unit."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from fengqiao.analytics.models import UnitMonth

HEADERS = [gettext_lazy("排名"), gettext_lazy("单位"), gettext_lazy("单位编码"), gettext_lazy("响应率"),
           gettext_lazy("解决率"), gettext_lazy("满意率"), gettext_lazy("综合得分"), gettext_lazy("交办件数"),
           gettext_lazy("核减件数"), gettext_lazy("按时签收"), gettext_lazy("应签收"), gettext_lazy("按时办结"),
           gettext_lazy("应办结"), gettext_lazy("满意"), gettext_lazy("基本满意"), gettext_lazy("不满意"),
           gettext_lazy("考核办法")]
WIDTHS = [7, 28, 12, 9, 9, 9, 10, 10, 10, 10, 9, 10, 9, 7, 10, 8, 22]


def workbook(month: dt.date, rows: Iterable[UnitMonth]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("%(month)s 考核排名") % {"month": f"{month:%Y-%m}"}
    sheet.append([str(header) for header in HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A68")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append([
            row.rank, row.unit.name, row.unit.code, row.response_rate, row.resolution_rate,
            row.satisfaction_rate, row.score, row.cases, row.exempted, row.responded, row.response_due,
            row.resolved, row.resolution_due, row.satisfied, row.basically, row.unsatisfied, str(row.formula),
        ])
    for line in sheet.iter_rows(min_row=2, min_col=4, max_col=6):
        for cell in line:
            cell.number_format = "0.0%"
    for letter, width in zip("ABCDEFGHIJKLMNOPQ", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
