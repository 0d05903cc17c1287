"""A month's subsidy statement as an .xlsx workbook (openpyxl): one sheet of totals per mediator, one of
case lines.  Headers in the reader's language; amounts as numbers (yuan, two decimals) so that they sum."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from fengqiao.kit import clock
from fengqiao.mediation.models import Difficulty
from fengqiao.mediation.subsidies import Line, Statement

MONEY = "#,##0.00"
HEAD_FILL = PatternFill("solid", fgColor="1F3A68")


def _head(sheet: Worksheet, headers: list[str], widths: list[int]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "B2"


def _summary(sheet: Worksheet, statement: Statement) -> None:
    sheet.title = _("汇总")
    pairs = [(d, o) for d in Difficulty.values for o in ("succeeded", "failed")]
    labels = dict(Difficulty.choices)
    outcome = {"succeeded": _("成功"), "failed": _("不成")}
    headers = [_("调解员"), _("调解组织")] + [f"{labels[d]}·{outcome[o]}" for d, o in pairs] + [
        _("成功件数"), _("不成件数"), _("办结件数"), _("补贴合计（元）")]
    _head(sheet, headers, [14, 28] + [9] * len(pairs) + [10, 10, 10, 16])
    for row in statement.rows:
        sheet.append([row.name, row.unit] + [row.count(d, o) for d, o in pairs]
                     + [row.succeeded, row.failed, row.cases, float(row.total)])
    n = len(statement.rows)
    sheet.append([_("合计"), ngettext("%(n)s 名调解员", "%(n)s 名调解员", n) % {"n": n}]
                 + [statement.column(d, o) for d, o in pairs]
                 + [statement.succeeded, statement.failed, statement.cases, float(statement.total)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=2, min_col=len(headers), max_col=len(headers)):
        for cell in line:
            cell.number_format = MONEY


def _lines(sheet: Worksheet, lines: Iterable[Line], progress: Callable[[int], None] | None) -> int:
    headers = [_("解纷码"), _("调解员"), _("调解组织"), _("调解类型"), _("纠纷类型"), _("难度"), _("结果"),
               _("申请日期"), _("办结日期"), _("现行标准（元）"), _("比例"), _("补贴（元）"), _("说明")]
    _head(sheet, headers, [20, 12, 26, 14, 14, 9, 7, 12, 12, 11, 7, 12, 22])
    count = 0
    for line in lines:
        sheet.append([
            line.code, line.mediator, line.unit, line.kind, line.dispute_type, line.difficulty,
            _("成功") if line.succeeded else _("不成"), clock.localtime(line.applied_at).date(),
            clock.localtime(line.concluded_at).date() if line.concluded_at else None,
            None if line.rate is None else float(line.rate),
            None if line.share is None else float(line.share), float(line.amount),
            _("无核定金额，按现行标准计算") if line.priced_now else "",
        ])
        count += 1
        if progress is not None and count % 500 == 0:
            progress(500)
    if progress is not None and count % 500:
        progress(count % 500)
    for row in sheet.iter_rows(min_row=2, min_col=8, max_col=12):
        row[0].number_format = row[1].number_format = "yyyy-mm-dd"
        row[2].number_format = row[4].number_format = MONEY
        row[3].number_format = "0%"
    return count


def workbook(statement: Statement, lines: Iterable[Line],
             progress: Callable[[int], None] | None = None) -> bytes:
    """The workbook's bytes; ``progress(n)`` is told as every n case lines are written."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    _summary(summary, statement)
    detail = book.create_sheet(_("个案明细"))
    _lines(detail, lines, progress)
    book.properties.title = _("%(month)s 个案补贴") % {"month": f"{statement.month:%Y-%m}"}
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
