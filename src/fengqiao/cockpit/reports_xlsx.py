"""A report as an Excel workbook (openpyxl): one sheet per table, rates as numbers with a percent format, and
native Excel charts (channels as bars, the daily trend as lines).  Always in Chinese, like the PDF."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fengqiao.cockpit.reports import MONTH, Line, Report
from fengqiao.kit import clock
from fengqiao.mediation.pdf import in_chinese

PERCENT = "0.0%"
POINTS = '+0.0"个百分点";-0.0"个百分点";0"个百分点"'  # a rate's change, stored × 100
HEAD_FILL = PatternFill("solid", fgColor="1F3A68")


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list[Any]], *, widths: list[int],
           percent: tuple[int, ...] = (), first: bool = False) -> Worksheet:
    if first:
        sheet = book.active
        assert sheet is not None
        sheet.title = title
    else:
        sheet = book.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    for col in percent:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            cell.number_format = PERCENT
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "B2"
    return sheet


LINE_HEADERS = ["受理", "占比", "上期受理", "环比", "有效", "办结", "办结率", "按期办结", "应办结", "按期办结率",
                "超期", "已评价", "满意", "满意率", "调解", "调解成功", "调解成功率"]
LINE_PERCENT = (2, 4, 7, 10, 14, 17)
LINE_WIDTHS = [22, 9, 8, 10, 9, 8, 8, 9, 10, 9, 11, 7, 8, 7, 9, 7, 9, 11]


def _line(ln: Line) -> list[Any]:
    t = ln.totals
    change = round((t.received - ln.previous) / ln.previous, 4) if ln.previous else None
    return [ln.label, t.received, ln.share, ln.previous, change, t.valid, t.resolved, t.resolution_rate, t.on_time,
            t.due, t.on_time_rate, t.overdue, t.evaluated, t.satisfied, t.satisfaction_rate, t.mediated,
            t.mediation_agreed, t.mediation_success_rate]


def _lines(book: Workbook, title: str, first: str, lines: list[Line]) -> Worksheet:
    return _sheet(book, title, [first, *(_(h) for h in LINE_HEADERS)], [_line(ln) for ln in lines],
                  widths=LINE_WIDTHS, percent=LINE_PERCENT)


def _overview(book: Workbook, report: Report) -> None:
    sheet = _sheet(book, _("概况"), [_("指标"), _("本期"), _("上期"), _("环比")], [], widths=[24, 14, 14, 14],
                   first=True)
    sheet.insert_rows(1, 4)
    sheet["A1"] = report.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _("统计期")
    sheet["B2"] = report.period.label
    sheet["A3"] = _("数据更新于")
    sheet["B3"] = clock.localtime(report.as_of).replace(tzinfo=None) if report.as_of else _("尚未生成")
    sheet["B3"].number_format = "yyyy-mm-dd hh:mm"
    sheet["A4"] = _("上期")
    sheet["B4"] = report.previous.label
    for f in report.figures:
        change = f.change
        if f.rate and change is not None:
            change = round(100 * change, 2)
        sheet.append([f.label, f.value, f.previous, change])
        row = sheet.max_row
        if f.rate:
            sheet.cell(row, 2).number_format = sheet.cell(row, 3).number_format = PERCENT
            sheet.cell(row, 4).number_format = POINTS
        else:
            sheet.cell(row, 2).number_format = sheet.cell(row, 3).number_format = "#,##0"
            sheet.cell(row, 4).number_format = "+0.0%;-0.0%;0.0%"
    sheet.freeze_panes = "A6"
    if report.by_day_only:
        sheet.append([])
        sheet.append([_("镇街按日只汇总合计，周报不含渠道和分类分布，请见月报。")])


def _channels(book: Workbook, report: Report, channels: list[Line]) -> None:
    sheet = _lines(book, _("受理渠道"), _("渠道"), channels)
    if not channels:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = _("各渠道受理件数")
    chart.style = 10
    chart.legend = None
    end = len(channels) + 1
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=end), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=end))
    chart.height, chart.width = max(6.0, 0.8 * len(channels) + 2), 16.0
    sheet.add_chart(chart, f"A{end + 3}")


def _trend(book: Workbook, report: Report) -> None:
    sheet = _sheet(book, _("每日走势"), [_("日期"), _("受理"), _("其中已办结")],
                   [[d, r, s] for d, r, s in zip(report.days, report.received_by_day, report.resolved_by_day,
                                                  strict=True)], widths=[12, 9, 11])
    chart = LineChart()
    chart.title = _("每日受理与办结")
    chart.style = 12
    chart.y_axis.title = _("件数")
    end = len(report.days) + 1
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=end), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=end))
    chart.height, chart.width = 8.0, 22.0
    sheet.add_chart(chart, "E2")


def _units(book: Workbook, report: Report) -> None:
    headers = [_("排名"), _("单位"), _("件数"), _("响应率"), _("解决率"), _("满意率"), _("综合得分")]
    _sheet(book, _("单位三率排名"), headers,
           [[i, u.name, u.cases, u.response, u.resolution, u.satisfaction, u.score]
            for i, u in enumerate(report.units, start=1)], widths=[7, 30, 9, 9, 9, 9, 10], percent=(3, 4, 5))


@in_chinese
def render(report: Report) -> bytes:
    book = Workbook()
    _overview(book, report)
    if report.channels is not None:
        _channels(book, report, report.channels)
    if report.categories is not None:
        _lines(book, _("诉求分类"), _("分类（前十位）"), report.categories)
    _trend(book, report)
    if report.area_level:
        _lines(book, _("各%(level)s") % {"level": report.area_label}, report.area_label, report.areas)
    if report.kind == MONTH:
        _units(book, report)
    for section in report.extra:
        sheet = _sheet(book, section.title[:31], section.headers, section.rows,
                       widths=[36] + [12] * (len(section.headers) - 1), percent=section.rates)
        if section.note:
            sheet.append([section.note])
    book.properties.title = report.title
    book.properties.creator = report.scope.name
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
