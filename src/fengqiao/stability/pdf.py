"""The assessment report (社会稳定风险评估报告) as a Chinese PDF, laid out by the mediation documents' renderer
(mediation/pdf.py: reportlab, WenQuanYi or the built-in CID font, ``## `` headings).  The report is made
from the record frozen by its issue (the scope, the consultation, the items, the grade, the measures and
the conclusion — nothing tracked later), on its first opening, and kept with its SHA-256.  Citizens'
opinions from the public page appear as counts only, never with a name or phone."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum

from fengqiao.mediation.pdf import Document, chinese_date, in_chinese, render_pdf
from fengqiao.stability import grading
from fengqiao.stability.models import Decision
from fengqiao.stability.states import CONCLUSION_LABELS, GRADE_LABELS, Conclusion, Grade


def _pct(part: int, total: int) -> str:
    return f"{part * 100 / total:.1f}%" if total else "—"


def _consultation(decision: Decision) -> list[str]:
    lines = [f"征询期：{chinese_date(decision.consultation_opened_at)}至{chinese_date(decision.consultation_closes_at)}"
             f"{'（同时在网上公开征询）' if decision.public_consultation else ''}。"]
    staff = decision.opinions.filter(public=False).order_by("held_on", "pk")
    for o in staff:
        people = f"参与 {o.participants} 人，" if o.participants else ""
        lines.append(f"{chinese_date(o.held_on)} {o.get_channel_display()}：{people}支持 {o.support}、"
                     f"反对 {o.oppose}、中立 {o.neutral}。主要意见：{o.concerns}")
    online = decision.opinions.filter(public=True).aggregate(n=Sum("participants"), s=Sum("support"),
                                                             o=Sum("oppose"), m=Sum("neutral"))
    if online["n"]:
        lines.append(f"网上征询：收到群众意见 {online['n']} 条，支持 {online['s']}、反对 {online['o']}、"
                     f"中立 {online['m']}。")
    total = decision.opinions.aggregate(s=Sum("support"), o=Sum("oppose"), m=Sum("neutral"))
    yes, no, mid = total["s"] or 0, total["o"] or 0, total["m"] or 0
    n = yes + no + mid
    lines.append(f"合计意见 {n} 条：支持 {yes}（{_pct(yes, n)}），反对 {no}（{_pct(no, n)}），"
                 f"中立 {mid}（{_pct(mid, n)}）。")
    if decision.consultation_summary:
        lines.append(f"征询小结：{decision.consultation_summary}")
    return lines


def _items(decision: Decision) -> list[str]:
    lines = []
    for i, item in enumerate(decision.items.order_by("pk"), 1):
        lines.append(
            f"{i}. 【{item.get_category_display()}】{item.description}（发生可能性 {item.likelihood}"
            f"·{grading.LIKELIHOOD_LABELS[item.likelihood]}，"
            f"影响程度 {item.impact}·{grading.IMPACT_LABELS[item.impact]}，"
            f"风险值 {item.likelihood * item.impact}，{GRADE_LABELS[Grade(item.level)]}）")
    return lines or ["未识别出风险点。"]


def _measures(decision: Decision) -> list[str]:
    lines = []
    for i, m in enumerate(decision.measures.select_related("responsible_unit", "item").order_by("deadline", "pk"), 1):
        target = f"；针对：{m.item.description[:30]}" if m.item else ""
        lines.append(f"{i}. {m.description}（责任单位：{m.responsible_unit.name}；"
                     f"完成时限：{chinese_date(m.deadline)}{target}）")
    return lines or ["无。"]


@in_chinese
def report_document(decision: Decision) -> Document:
    areas = "、".join(a.name for a in decision.areas.order_by("path"))
    population = f"；受影响人口约 {decision.population} 人" if decision.population else ""
    third = f"（委托第三方：{decision.third_party}）" if decision.third_party else ""
    assessor = decision.assessing_unit.name + third
    grade = GRADE_LABELS[Grade(decision.grade)] if decision.grade else "—"
    suggested = GRADE_LABELS[Grade(decision.suggested_grade)] if decision.suggested_grade else "—"
    conclusion = CONCLUSION_LABELS[Conclusion(decision.conclusion)] if decision.conclusion else "—"
    body = [
        f"报告编号：{decision.code}", "",
        "## 一、评估事项",
        f"决策事项：{decision.title}", f"决策类型：{decision.get_kind_display()}",
        f"决策机关：{decision.proposing_unit.name}", f"评估主体：{assessor}", f"影响范围：{areas}{population}",
        f"利益相关方：{decision.stakeholders or '—'}", f"决策内容：{decision.summary}", "",
        "## 二、评估方案", decision.plan or "—", "",
        "## 三、意见征询", *_consultation(decision), "",
        "## 四、风险识别", *_items(decision), "",
        "## 五、风险评级",
        f"综合评定风险等级：{grade}（依风险点和征询意见建议的等级：{suggested}）。",
        f"评级理由：{decision.grade_reason or '—'}", "",
        "## 六、防范化解措施", *_measures(decision), "",
        "## 七、评估结论",
        f"评估结论：{conclusion}。", f"理由：{decision.conclusion_reason or '—'}", "",
        f"评估主体：{decision.assessing_unit.name}（盖章）", f"报告日期：{chinese_date(decision.reported_at)}",
    ]
    return Document(title=f"重大决策社会稳定风险评估报告\n{decision.title}", body="\n".join(body),
                    footer=f"{decision.assessing_unit.name} · {decision.code}")


def ensure_report_pdf(decision: Decision) -> Decision:
    """The decision with its report's PDF, made and stored now when it has none (the report is made on its
    first opening).  The row is locked, so two first openings write it once."""
    if decision.report_pdf:
        return decision
    with transaction.atomic():
        locked = Decision.objects.select_for_update().select_related("proposing_unit", "assessing_unit").get(
            pk=decision.pk)
        if not locked.report_pdf:
            data = render_pdf(report_document(locked))
            locked.report_sha256 = hashlib.sha256(data).hexdigest()
            name = f"{locked.code}-{locked.report_sha256[:12]}.pdf"
            locked.report_pdf.save(name, ContentFile(data), save=False)
            Decision.objects.filter(pk=locked.pk).update(report_pdf=locked.report_pdf.name,
                                                         report_sha256=locked.report_sha256)
    return locked

