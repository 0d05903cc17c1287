"""风险识别, 风险评级, 防范化解措施 and 评估结论.  One transaction and one event each."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases.services._core import require_text
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock
from fengqiao.kit.errors import ValidationFailed
from fengqiao.stability import grading, services
from fengqiao.stability.models import Decision, ItemCategory, Measure, RiskItem
from fengqiao.stability.states import (
    ALLOWED_CONCLUSIONS,
    CONCLUSION_LABELS,
    GRADE_LABELS,
    Conclusion,
    DAction,
    Grade,
)

A = DAction


def suggestion(decision: Decision) -> grading.Suggestion:
    """The grade the items and the consultation suggest now."""
    totals = decision.opinions.aggregate(s=Sum("support"), o=Sum("oppose"), n=Sum("neutral"))
    return grading.suggest(decision.items.values_list("level", flat=True), totals["s"] or 0, totals["o"] or 0,
                           totals["n"] or 0)


def _scale(value: int | None, field: str, label: str) -> int:
    if value not in grading.SCALE:
        raise ValidationFailed(_("%(label)s须为 1 到 5。") % {"label": label}, fields={field: _("请选择 1 到 5")})
    assert value is not None
    return value


@transaction.atomic
def add_item(user: User, code: str, *, category: str, description: str, likelihood: int | None,
             impact: int | None, expected_version: int | None = None) -> RiskItem:
    """风险识别: one risk, its category (合法性/合理性/可行性/可控性), likelihood and impact → its level."""
    if category not in ItemCategory.values:
        raise ValidationFailed(_("请选择风险类别。"), fields={"category": _("请选择风险类别")})
    text = require_text(description, "description", _("风险描述"), max_length=2000)
    chance = _scale(likelihood, "likelihood", _("发生可能性"))
    harm = _scale(impact, "impact", _("影响程度"))
    decision, acting = services.load(user, code, A.ADD_ITEM, expected_version)
    level = grading.item_level(chance, harm)
    item = RiskItem.objects.create(decision=decision, category=category, description=text, likelihood=chance,
                                   impact=harm, level=level.value, created_at=clock.now())
    services.step(decision, A.ADD_ITEM, acting, note=text,
                  data={"item": item.pk, "category": category, "likelihood": chance, "impact": harm,
                        "level": level.value})
    return item


@transaction.atomic
def remove_item(user: User, code: str, *, item_id: int | None, reason: str,
                expected_version: int | None = None) -> Decision:
    """A risk item recorded by mistake removed, with the reason (the event keeps what it said)."""
    text = require_text(reason, "reason", _("删除理由"))
    decision, acting = services.load(user, code, A.REMOVE_ITEM, expected_version)
    item = decision.items.filter(pk=item_id).first() if item_id is not None else None
    if item is None:
        raise ValidationFailed(_("请选择要删除的风险点。"), fields={"item_id": _("请选择风险点")})
    data = {"item": item.pk, "category": item.category, "description": item.description, "level": item.level}
    item.delete()
    return services.step(decision, A.REMOVE_ITEM, acting, note=text, data=data)


@transaction.atomic
def grade(user: User, code: str, *, grade: str, reason: str = "", expected_version: int | None = None) -> Decision:
    """风险评级: the overall grade, suggested by the items and the consultation; another grade needs a reason."""
    try:
        chosen = Grade(grade)
    except ValueError:
        raise ValidationFailed(_("请选择风险等级。"), fields={"grade": _("请选择风险等级")}) from None
    decision, acting = services.load(user, code, A.GRADE, expected_version)
    suggested = suggestion(decision)
    if suggested.grade is None:
        raise ValidationFailed(_("尚未登记风险点，不能评级。"), fields={"grade": _("请先登记风险点")})
    text = (reason or "").strip()
    if chosen != suggested.grade and not text:
        raise ValidationFailed(
            _("所选等级「%(g)s」与建议等级「%(s)s」不同，请写明理由。") % {"g": GRADE_LABELS[chosen],
                                                             "s": GRADE_LABELS[suggested.grade]},
            fields={"reason": _("与建议等级不同，须写明理由")})
    decision.grade, decision.suggested_grade = chosen.value, suggested.grade.value
    decision.grade_reason = text or "".join(suggested.reasons)
    return services.step(decision, A.GRADE, acting, note=decision.grade_reason,
                         data={"grade": chosen.value, "suggested": suggested.grade.value,
                               "override": chosen != suggested.grade},
                         fields=("grade", "suggested_grade", "grade_reason"))


@transaction.atomic
def add_measure(user: User, code: str, *, description: str, responsible_unit_id: int | None,
                deadline: dt.date | None, item_id: int | None = None,
                expected_version: int | None = None) -> Measure:
    """防范化解措施: a measure, its responsible unit and deadline (optionally against one risk item)."""
    decision, acting = services.load(user, code, A.ADD_MEASURE, expected_version)  # scope and role first
    text = require_text(description, "description", _("措施内容"), max_length=2000)
    unit = Unit.objects.filter(pk=responsible_unit_id, active=True).first() if responsible_unit_id else None
    if unit is None:
        raise ValidationFailed(_("请选择责任单位。"), fields={"responsible_unit_id": _("请选择责任单位")})
    if deadline is None or deadline < clock.today():
        raise ValidationFailed(_("完成时限不能早于今天。"), fields={"deadline": _("不能早于今天")})
    item = None
    if item_id is not None:
        item = decision.items.filter(pk=item_id).first()
        if item is None:
            raise ValidationFailed(_("没有这个风险点。"), fields={"item_id": _("请选择本评估的风险点")})
    measure = Measure.objects.create(decision=decision, item=item, description=text, responsible_unit=unit,
                                     deadline=deadline, created_at=clock.now())
    services.step(decision, A.ADD_MEASURE, acting, note=text,
                  data={"measure": measure.pk, "unit_name": unit.name, "deadline": deadline.isoformat()})
    return measure


@transaction.atomic
def conclude(user: User, code: str, *, conclusion: str, reason: str,
             expected_version: int | None = None) -> Decision:
    """评估结论: go / go with the measures / postpone / stop, with the reasoning; the grade bounds it."""
    try:
        chosen = Conclusion(conclusion)
    except ValueError:
        raise ValidationFailed(_("请选择评估结论。"), fields={"conclusion": _("请选择评估结论")}) from None
    text = require_text(reason, "reason", _("结论理由"), max_length=4000)
    decision, acting = services.load(user, code, A.CONCLUDE, expected_version)
    level = Grade(decision.grade)
    if chosen not in ALLOWED_CONCLUSIONS[level]:
        allowed = "、".join(str(CONCLUSION_LABELS[c]) for c in Conclusion if c in ALLOWED_CONCLUSIONS[level])
        raise ValidationFailed(
            _("评级为「%(g)s」，不能作出「%(c)s」的结论；可选：%(a)s。") % {
                "g": GRADE_LABELS[level], "c": CONCLUSION_LABELS[chosen], "a": allowed},
            fields={"conclusion": _("与风险等级不符")})
    if chosen == Conclusion.CONDITIONAL and not decision.measures.exists():
        raise ValidationFailed(_("附条件实施须先制定防范化解措施。"), fields={"conclusion": _("尚无防范化解措施")})
    decision.conclusion, decision.conclusion_reason, decision.concluded_at = chosen.value, text, clock.now()
    return services.step(decision, A.CONCLUDE, acting, note=text, data={"conclusion": chosen.value},
                         fields=("conclusion", "conclusion_reason", "concluded_at"))
