"""The register pages' forms: they parse and type the input (field names are the services' error keys, so
a refusal lands on its field); the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions.models import Unit
from fengqiao.risk.models import GRADE_CHOICES

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _set(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def unit_choices() -> list[tuple[Any, Any]]:
    return [("", _("请选择责任单位")), *Unit.objects.filter(active=True).order_by("level", "code")
            .values_list("pk", "name")]


def leader_choices() -> list[tuple[Any, Any]]:
    leaders = (User.objects.filter(is_active=True, memberships__role__in=[Role.LEADER, Role.RISK_OFFICER])
               .distinct().order_by("display_name", "username"))
    return [("", _("暂不指定")), *[(u.pk, str(u)) for u in leaders]]


class EntryForm(forms.Form):
    """Every action form carries the version the user saw."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class IdentifyForm(EntryForm):
    grade = forms.ChoiceField(label=_("风险等级"), choices=GRADE_CHOICES, widget=forms.RadioSelect)
    grade_reason = forms.CharField(label=_("定级理由"), widget=TEXTAREA)


class ResponsibleFields(forms.Form):
    responsible_unit_id = forms.TypedChoiceField(label=_("责任单位"), coerce=int, empty_value=None)
    responsible_leader_id = forms.TypedChoiceField(label=_("责任领导"), coerce=int, empty_value=None,
                                                   required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "responsible_unit_id", unit_choices())
        _set(self, "responsible_leader_id", leader_choices())


class ListForm(EntryForm, ResponsibleFields):
    pass


class TackleForm(EntryForm):
    measure = forms.CharField(label=_("稳控措施"), widget=TEXTAREA,
                              help_text=_("写明措施、责任人和时间；按日期追加到措施清单。"))


class ReviewForm(EntryForm):
    note = forms.CharField(label=_("复核情况"), widget=TEXTAREA)


class RegradeForm(EntryForm):
    grade = forms.ChoiceField(label=_("新的等级"), choices=GRADE_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("调整理由"), widget=TEXTAREA)


class WriteOffForm(EntryForm):
    evidence = forms.CharField(label=_("销号依据"), max_length=4000, widget=TEXTAREA,
                               help_text=_("化解的事实和材料，如协议、履行情况、回访结果。"))


class ApplyResultForm(EntryForm):
    note = forms.CharField(label=_("结果运用情况"), widget=TEXTAREA)


class ConsolidateForm(EntryForm):
    note = forms.CharField(label=_("回访情况"), widget=TEXTAREA,
                           help_text=_("销号后回访当事人和网格，核实矛盾是否反弹。"))
    relapsed = forms.BooleanField(label=_("风险反弹（回访发现矛盾再起）"), required=False)


class DismissForm(EntryForm):
    reason = forms.CharField(label=_("排除理由"), widget=TEXTAREA)


class OpenForm(ResponsibleFields):
    """列入风险清单 from a case."""

    grade = forms.ChoiceField(label=_("风险等级"), choices=GRADE_CHOICES, widget=forms.RadioSelect)
    grade_reason = forms.CharField(label=_("定级理由"), widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["grade", "grade_reason", "responsible_unit_id", "responsible_leader_id"]


class FilterForm(forms.Form):
    grade = forms.ChoiceField(label=_("风险等级"), required=False)
    street = forms.TypedChoiceField(label=_("镇街"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, streets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "grade", [("", _("全部等级")), *GRADE_CHOICES])
        _set(self, "street", [("", _("全部镇街")), *streets])


# --- screening campaigns ----------------------------------------------------------------------------------

class CampaignForm(forms.Form):
    """发起排查."""

    title = forms.CharField(label=_("活动名称"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("如：十二月矛盾纠纷大排查")}))
    area_id = forms.TypedChoiceField(label=_("排查范围（区县或镇街）"), coerce=int, empty_value=None)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    item_codes = forms.MultipleChoiceField(label=_("排查事项"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("工作要求"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, areas: list[tuple[int, str]], items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "area_id", [("", _("请选择")), *areas])
        _set(self, "item_codes", items)


SCREEN_SLOTS = 3


class ScreenForm(forms.Form):
    """A grid worker's screening of her grid: the checklist confirmed, 无风险 or up to three risks found."""

    items_checked = forms.MultipleChoiceField(label=_("逐项排查（全部勾选确认）"), widget=forms.CheckboxSelectMultiple)
    result = forms.ChoiceField(label=_("排查结果"), widget=forms.RadioSelect,
                               choices=[("clear", _("无风险")), ("found", _("发现风险"))])
    note = forms.CharField(label=_("排查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("如：走访 36 户、商铺 5 家。"))

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "items_checked", items)
        for i in range(SCREEN_SLOTS):
            self.fields[f"finding_{i}_title"] = forms.CharField(label=_("风险情况"), required=False, max_length=200)
            self.fields[f"finding_{i}_item"] = forms.ChoiceField(label=_("所属事项"), required=False,
                                                                 choices=[("", _("请选择")), *items])
            self.fields[f"finding_{i}_grade"] = forms.ChoiceField(label=_("初判等级"), required=False,
                                                                  choices=GRADE_CHOICES, initial="watch")
            self.fields[f"finding_{i}_description"] = forms.CharField(
                label=_("补充说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def slots(self) -> list[list[Any]]:
        return [[self[f"finding_{i}_{k}"] for k in ("title", "item", "grade", "description")]
                for i in range(SCREEN_SLOTS)]

    def findings(self) -> list[tuple[int, dict[str, str]]]:
        """The filled slots (a title typed), with their slot numbers."""
        out = []
        for i in range(SCREEN_SLOTS):
            values = {k: self.cleaned_data.get(f"finding_{i}_{k}") or "" for k in ("title", "item", "grade",
                                                                                 "description")}
            if values["title"].strip() or values["description"].strip():
                out.append((i, values))
        return out


PERIOD_KINDS = [("month", _("月度")), ("quarter", _("季度")), ("year", _("年度"))]


class IndicatorForm(forms.Form):
    """The indicators page's selectors: the period (``month:2026-11-01``, grouped by kind), area, unit."""

    period = forms.ChoiceField(label=_("统计期间"), required=False)
    area = forms.TypedChoiceField(label=_("区域"), coerce=int, empty_value=None, required=False)
    unit = forms.TypedChoiceField(label=_("责任单位"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, periods: list[tuple[Any, Any]], areas: list[tuple[int, str]],
                 units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "period", periods)
        _set(self, "area", [("", _("全部辖区")), *areas])
        _set(self, "unit", [("", _("全部单位")), *units])
