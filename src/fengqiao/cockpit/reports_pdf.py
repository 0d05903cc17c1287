"""A report as PDF (reportlab): A4, the Chinese font of the mediation documents, tables and charts drawn
with reportlab.graphics.  Always in Chinese, like the government 周报 / 月报 it stands for."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from fengqiao.cockpit.reports import MONTH, Figure, Line, Report
from fengqiao.kit import clock
from fengqiao.mediation.pdf import chinese_date, font_name, in_chinese

NAVY = "#1f3a68"
TEAL = "#0f766e"
GRID = "#c9d2e0"
STRIPE = "#f3f6fa"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def change_text(figure: Figure) -> str:
    c = figure.change
    if c is None:
        return "—"
    if figure.rate:
        return _("%(sign)s%(v).1f个百分点") % {"sign": "+" if c >= 0 else "−", "v": abs(100 * c)}
    return f"{'+' if c >= 0 else '−'}{abs(100 * c):.1f}%"


def value_text(figure: Figure) -> str:
    if figure.rate:
        return pct(figure.value if figure.value is None else float(figure.value))
    return "—" if figure.value is None else f"{figure.value:,}"


def previous_text(figure: Figure) -> str:
    return value_text(Figure(figure.label, figure.previous, None, figure.rate))


def summary(report: Report) -> str:
    t = report.totals
    first = Figure("", t.received, report.before.received, False)
    text = _("本期共受理群众诉求 %(n)s 件（上期 %(p)s 件，环比 %(c)s），其中有效 %(v)s 件；"
             "办结 %(r)s 件，办结率 %(rr)s，按期办结率 %(ot)s，满意率 %(sat)s。") % {
        "n": f"{t.received:,}", "p": f"{report.before.received:,}", "c": change_text(first), "v": f"{t.valid:,}",
        "r": f"{t.resolved:,}", "rr": pct(t.resolution_rate), "ot": pct(t.on_time_rate),
        "sat": pct(t.satisfaction_rate)}
    if t.mediated:
        text += _("进入调解 %(m)s 件，调解成功 %(a)s 件，成功率 %(sr)s。") % {
            "m": f"{t.mediated:,}", "a": f"{t.mediation_agreed:,}", "sr": pct(t.mediation_success_rate)}
    if report.channels:
        top = report.channels[0]
        text += _("受理量最大的渠道是%(c)s（%(n)s 件，占 %(s)s）。") % {
            "c": top.label, "n": f"{top.totals.received:,}", "s": pct(top.share)}
    return text


class _Styles:
    def __init__(self) -> None:
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm

        font = self.font = font_name()
        self.title = ParagraphStyle("t", fontName=font, fontSize=19, leading=28, alignment=TA_CENTER)
        self.sub = ParagraphStyle("s", fontName=font, fontSize=10, leading=16, alignment=TA_CENTER,
                                  textColor="#555555", spaceAfter=5 * mm)
        self.h = ParagraphStyle("h", fontName=font, fontSize=13.5, leading=20, textColor=NAVY, spaceBefore=5 * mm,
                                spaceAfter=2.5 * mm)
        self.text = ParagraphStyle("p", fontName=font, fontSize=11, leading=19, wordWrap="CJK", firstLineIndent=22)
        self.note = ParagraphStyle("n", fontName=font, fontSize=9, leading=14, textColor="#666666", wordWrap="CJK")
        self.cell = ParagraphStyle("c", fontName=font, fontSize=9, leading=12, wordWrap="CJK")


def _table(s: _Styles, headers: list[str], rows: list[list[Any]], widths: list[float], numeric_from: int = 1) -> Any:
    from reportlab.platypus import Paragraph, Table, TableStyle

    body = [[Paragraph(escape(str(c)), s.cell) if isinstance(c, str) and i < numeric_from else
             ("" if c is None else str(c)) for i, c in enumerate(row)] for row in rows]
    table = Table([headers, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), s.font, 9), ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("TEXTCOLOR", (0, 0), (-1, 0), "#ffffff"), ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("BACKGROUND", (0, i), (-1, i), STRIPE) for i in range(2, len(body) + 1, 2)]
    table.setStyle(TableStyle(style))
    return table


def _line_rows(lines: list[Line]) -> list[list[Any]]:
    return [[ln.label, f"{ln.totals.received:,}", pct(ln.share), change_text(
        Figure("", ln.totals.received, ln.previous, False)), f"{ln.totals.resolved:,}", pct(ln.totals.resolution_rate),
        pct(ln.totals.on_time_rate), pct(ln.totals.satisfaction_rate)] for ln in lines]


LINE_HEADERS = ["", "受理", "占比", "环比", "办结", "办结率", "按期办结率", "满意率"]


def _line_headers(first: str) -> list[str]:
    return [first, *(_(h) for h in LINE_HEADERS[1:])]


def _bar_chart(s: _Styles, lines: list[Line], width: float) -> Any:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    shown = list(reversed(lines[:10]))
    height = 18 + 16 * len(shown)
    drawing = Drawing(width, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 105, 14, width - 140, height
    chart.data = [[ln.totals.received for ln in shown]]
    chart.categoryAxis.categoryNames = [ln.label[:12] for ln in shown]
    chart.categoryAxis.labels.fontName = s.font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = s.font
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor(NAVY)
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = s.font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _trend_chart(s: _Styles, report: Report, width: float) -> Any:
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(width, 170)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 36, 28, width - 50, 118
    chart.data = [report.received_by_day, report.resolved_by_day]
    step = 1 if len(report.days) <= 10 else 3 if len(report.days) <= 31 else 7
    chart.categoryAxis.categoryNames = [d[5:].replace("-", "/") if i % step == 0 else ""
                                       for i, d in enumerate(report.days)]
    chart.categoryAxis.labels.fontName = s.font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = s.font
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor(GRID)
    chart.lines[0].strokeColor = colors.HexColor(NAVY)
    chart.lines[0].strokeWidth = 1.8
    chart.lines[1].strokeColor = colors.HexColor(TEAL)
    chart.lines[1].strokeWidth = 1.8
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, 166
    legend.fontName, legend.fontSize = s.font, 8.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(colors.HexColor(NAVY), _("受理")), (colors.HexColor(TEAL), _("其中已办结"))]
    drawing.add(legend)
    return drawing


@in_chinese
def render(report: Report) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    s = _Styles()
    width = A4[0] - 36 * mm
    as_of = clock.localtime(report.as_of).strftime("%Y-%m-%d %H:%M") if report.as_of else _("尚未生成")
    story: list[Any] = [
        Paragraph(escape(report.title), s.title),
        Paragraph(escape(_("%(period)s　·　数据更新于 %(asof)s　·　%(made)s生成") % {
            "period": report.period.label, "asof": as_of, "made": chinese_date(report.generated_at)}), s.sub),
    ]
    n = iter(["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"])
    story.append(Paragraph(f"{next(n)}、{escape(_('总体情况'))}", s.h))
    story.append(Paragraph(escape(summary(report)), s.text))
    story.append(Spacer(1, 3 * mm))
    story.append(_table(s, [_("指标"), _("本期"), _("上期"), _("环比")],
                        [[f.label, value_text(f), previous_text(f), change_text(f)] for f in report.figures],
                        [width * 0.34, width * 0.22, width * 0.22, width * 0.22]))
    widths = [width * w for w in (0.22, 0.1, 0.09, 0.1, 0.1, 0.12, 0.15, 0.12)]
    if report.by_day_only:
        story.append(Paragraph(escape(_("镇街按日只汇总合计，周报不含渠道和分类分布，请见月报。")), s.note))
    else:
        story.append(Paragraph(f"{next(n)}、{escape(_('受理渠道'))}", s.h))
        if report.channels:
            story.append(_bar_chart(s, report.channels, width))
            story.append(_table(s, _line_headers(_("渠道")), _line_rows(report.channels), widths))
        else:
            story.append(Paragraph(escape(_("本期没有受理。")), s.note))
        story.append(Paragraph(f"{next(n)}、{escape(_('诉求分类（前十位）'))}", s.h))
        story.append(_table(s, _line_headers(_("分类")), _line_rows(report.categories), widths)
                     if report.categories else Paragraph(escape(_("本期没有受理。")), s.note))
    story.append(KeepTogether([Paragraph(f"{next(n)}、{escape(_('每日受理走势'))}", s.h),
                               _trend_chart(s, report, width)]))
    if report.area_level:
        title = _("各%(level)s情况") % {"level": report.area_label}
        story.append(Paragraph(f"{next(n)}、{escape(title)}", s.h))
        story.append(_table(s, _line_headers(report.area_label), _line_rows(report.areas), widths)
                     if report.areas else Paragraph(escape(_("本期没有受理。")), s.note))
    if report.kind == MONTH:
        story.append(Paragraph(f"{next(n)}、{escape(_('承办单位“三率”排名'))}", s.h))
        if report.units:
            headers = [_("排名"), _("单位"), _("件数"), _("响应率"), _("解决率"), _("满意率"), _("综合得分")]
            story.append(_table(s, headers,
                                [[str(i), u.name, f"{u.cases:,}", pct(u.response), pct(u.resolution),
                                  pct(u.satisfaction), "—" if u.score is None else f"{u.score:.2f}"]
                                 for i, u in enumerate(report.units, start=1)],
                                [width * w for w in (0.08, 0.36, 0.1, 0.115, 0.115, 0.115, 0.115)], numeric_from=2))
            story.append(Paragraph(escape(_("按考核办法计算，件数不足考核起点的单位不参加排名。")), s.note))
        else:
            story.append(Paragraph(escape(_("本月没有参加排名的单位（考核汇总尚未生成或件数不足）。")), s.note))
    for section in report.extra:
        story.append(Paragraph(f"{next(n)}、{escape(section.title)}", s.h))
        if section.rows:
            cols = len(section.headers)
            rows = [[pct(c) if i in section.rates else c for i, c in enumerate(row)] for row in section.rows]
            widths = [width * 0.46] + [width * 0.54 / max(1, cols - 1)] * (cols - 1)
            story.append(_table(s, section.headers, rows, widths))
        if section.note:
            story.append(Paragraph(escape(section.note), s.note))
    story.append(Spacer(1, 5 * mm))
    note = _("说明：按登记时间统计当期受理的诉求，状态截至数据更新时间；办结率 = 办结 ÷ 有效，"
             "按期办结率 = 按期办结 ÷ 应办结，满意率 = 满意和基本满意 ÷ 已评价；"
             "环比与上一%(k)s相比，比率的环比以百分点计。") % {"k": _("月") if report.kind == MONTH else _("周")}
    story.append(Paragraph(escape(note), s.note))
    footer_text = f"{report.scope.name} · {report.period.label}"

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(s.font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{footer_text} · {_('第 %(n)s 页') % {'n': doc.page}}")
        canvas.restoreState()

    out = BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=report.title, author=report.scope.name,
                            subject=report.period.label)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()

