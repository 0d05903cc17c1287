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
