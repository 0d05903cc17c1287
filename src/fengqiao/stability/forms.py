"""The assessment pages' forms: they parse and type the input (field names are the services' error keys, so a
refusal lands on its field); the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.jurisdictions.models import Unit
from fengqiao.stability import grading
from fengqiao.stability.models import (
    CONCLUSION_CHOICES,
    GRADE_CHOICES,
    Channel,
    Decision,
    DecisionKind,
    ItemCategory,
    Stance,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _set(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def unit_choices(blank: Any) -> list[tuple[Any, Any]]:
    return [("", blank), *Unit.objects.filter(active=True).order_by("level", "code").values_list("pk", "name")]


class DecisionForm(forms.Form):
    """Every action form carries the version the user saw."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, decision: Decision | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decision = decision


class PlanForm(DecisionForm):
    plan = forms.CharField(label=_("评估方案"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("评估方法（座谈、问卷、听证、走访）、征询对象、时间安排、是否委托第三方。"))


class OpenConsultationForm(DecisionForm):
    closes_on = forms.DateField(label=_("征询截止日期"), widget=DATE)
    public = forms.BooleanField(label=_("同时开放网上征询（群众无需登录即可提交意见）"), required=False)


COUNT = {"min_value": 0, "required": False}


class OpinionForm(DecisionForm):
    channel = forms.ChoiceField(label=_("征询方式"), choices=[(c.value, c.label) for c in Channel
                                                             if c != Channel.ONLINE])
    held_on = forms.DateField(label=_("征询日期"), widget=DATE)
    participants = forms.IntegerField(label=_("参与人数"), **COUNT)  # type: ignore[arg-type]
    support = forms.IntegerField(label=_("支持"), **COUNT)  # type: ignore[arg-type]
    oppose = forms.IntegerField(label=_("反对"), **COUNT)  # type: ignore[arg-type]
    neutral = forms.IntegerField(label=_("中立"), **COUNT)  # type: ignore[arg-type]
    concerns = forms.CharField(label=_("主要意见和诉求"), max_length=4000, widget=TEXTAREA)


class CloseConsultationForm(DecisionForm):
    summary = forms.CharField(label=_("征询情况小结"), max_length=4000, widget=TEXTAREA)


SCALE_CHOICES = [(v, f"{v} {grading.LIKELIHOOD_LABELS[v]}") for v in grading.SCALE]
IMPACT_CHOICES = [(v, f"{v} {grading.IMPACT_LABELS[v]}") for v in grading.SCALE]


class ItemForm(DecisionForm):
    category = forms.ChoiceField(label=_("风险类别"), choices=ItemCategory.choices)
    description = forms.CharField(label=_("风险描述"), max_length=2000, widget=TEXTAREA)
    likelihood = forms.TypedChoiceField(label=_("发生可能性"), choices=SCALE_CHOICES, coerce=int, initial=3)
    impact = forms.TypedChoiceField(label=_("影响程度"), choices=IMPACT_CHOICES, coerce=int, initial=3)


def _item_choices(decision: Decision | None, blank: Any) -> list[tuple[Any, Any]]:
    items = decision.items.order_by("pk") if decision is not None else []
    return [("", blank), *[(i.pk, f"{i.get_category_display()}：{i.description[:40]}") for i in items]]


class RemoveItemForm(DecisionForm):
    item_id = forms.TypedChoiceField(label=_("风险点"), coerce=int, empty_value=None)
    reason = forms.CharField(label=_("删除理由"), widget=TEXTAREA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "item_id", _item_choices(self.decision, _("请选择风险点")))


class GradeForm(DecisionForm):
    grade = forms.ChoiceField(label=_("风险等级"), choices=GRADE_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("评级理由"), required=False, max_length=4000, widget=TEXTAREA,
                             help_text=_("与建议等级相同可不填（自动写入建议理由）；不同须写明理由。"))


class MeasureForm(DecisionForm):
    description = forms.CharField(label=_("措施内容"), max_length=2000, widget=TEXTAREA)
    responsible_unit_id = forms.TypedChoiceField(label=_("责任单位"), coerce=int, empty_value=None)
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    item_id = forms.TypedChoiceField(label=_("针对风险点"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "responsible_unit_id", unit_choices(_("请选择责任单位")))
        _set(self, "item_id", _item_choices(self.decision, _("不针对特定风险点")))


class ConcludeForm(DecisionForm):
    conclusion = forms.ChoiceField(label=_("评估结论"), choices=CONCLUSION_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("结论理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(DecisionForm):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=TEXTAREA)


class FileForm(DecisionForm):
    note = forms.CharField(label=_("备案情况"), max_length=2000, widget=TEXTAREA,
                           help_text=_("报送备案的机关、决策机关的决定（如常务会议决定实施）。"))


class TrackForm(DecisionForm):
    measure_id = forms.TypedChoiceField(label=_("措施"), coerce=int, empty_value=None)
    progress = forms.CharField(label=_("落实情况"), max_length=2000, widget=TEXTAREA)
    done = forms.BooleanField(label=_("已落实完毕"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_measures = self.decision.measures.filter(done_at__isnull=True).select_related(
            "responsible_unit") if self.decision is not None else []
        _set(self, "measure_id", [("", _("请选择措施")), *[
            (m.pk, f"{m.description[:36]}（{m.responsible_unit.name}）") for m in open_measures]])


class CloseForm(DecisionForm):
    note = forms.CharField(label=_("跟踪总结"), max_length=2000, widget=TEXTAREA)


class WithdrawForm(DecisionForm):
    reason = forms.CharField(label=_("撤回理由"), widget=TEXTAREA)


class CreateForm(forms.Form):
    """立项."""

    title = forms.CharField(label=_("决策事项名称"), max_length=200)
    kind = forms.ChoiceField(label=_("决策类型"), choices=DecisionKind.choices)
    summary = forms.CharField(label=_("决策内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    proposing_unit_id = forms.TypedChoiceField(label=_("决策机关（提出单位）"), coerce=int, empty_value=None)
    assessing_unit_id = forms.TypedChoiceField(label=_("评估主体"), coerce=int, empty_value=None)
    third_party = forms.CharField(label=_("第三方评估机构"), max_length=120, required=False)
    area_ids = forms.TypedMultipleChoiceField(label=_("影响范围"), coerce=int,
                                              widget=forms.SelectMultiple(attrs={"size": 8}),
                                              help_text=_("按住 Ctrl 可多选区县、镇街或社区。"))
    population = forms.IntegerField(label=_("受影响人口（估计）"), min_value=0, required=False)
    stakeholders = forms.CharField(label=_("利益相关方"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, areas: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "proposing_unit_id", unit_choices(_("请选择决策机关")))
        _set(self, "assessing_unit_id", unit_choices(_("请选择评估主体")))
        _set(self, "area_ids", areas)


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("决策类型"), required=False)
    grade = forms.ChoiceField(label=_("风险等级"), required=False)
    area = forms.TypedChoiceField(label=_("影响区域"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("名称或编号"), required=False, max_length=60)

    def __init__(self, *args: Any, areas: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "kind", [("", _("全部类型")), *DecisionKind.choices])
        _set(self, "grade", [("", _("全部等级")), *GRADE_CHOICES])
        _set(self, "area", [("", _("全部区域")), *areas])


class PublicOpinionForm(forms.Form):
    stance = forms.ChoiceField(label=_("您的态度"), choices=Stance.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("您的意见和建议"), max_length=1000, widget=forms.Textarea(attrs={"rows": 5}))
    name = forms.CharField(label=_("称呼（可不填）"), max_length=20, required=False)
    phone = forms.CharField(label=_("手机号码（可不填，便于回访）"), max_length=20, required=False)
