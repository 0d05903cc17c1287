"""The legal pages' forms: they parse and type the input (field names are the services' error keys, so a
refusal lands on its field); the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.legal.models import ACT_CHOICES, KIND_CHOICES, OUTCOME_CHOICES, RISK_CHOICES
from fengqiao.legal.states import FINAL_OUTCOMES, OUTCOME_LABELS

TEXTAREA = forms.Textarea(attrs={"rows": 3})

WINDOW_CHOICES = [
    ("", _("全部期限")),
    ("soon", _("复议期限 15 日内届满")),
    ("reconsider", _("仍在复议期限内")),
    ("litigate", _("复议期已过、仍可起诉")),
    ("passed", _("起诉期限已过")),
]


def _set(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class FilterForm(forms.Form):
    risk = forms.ChoiceField(label=_("风险等级"), required=False)
    act = forms.ChoiceField(label=_("行为类型"), required=False)
    agency = forms.ChoiceField(label=_("行政机关"), required=False)
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    outcome = forms.ChoiceField(label=_("结果"), required=False)
    window = forms.ChoiceField(label=_("法定期限"), required=False, choices=WINDOW_CHOICES)
    month = forms.RegexField(label=_("受理月份"), required=False, regex=r"^\d{4}-\d{2}$",
                             widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"invalid": _("请按 YYYY-MM 填写月份")})

    def __init__(self, *args: Any, districts: list[tuple[int, str]], agencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "risk", [("", _("全部等级")), *RISK_CHOICES])
        _set(self, "act", [("", _("全部类型")), *ACT_CHOICES])
        _set(self, "agency", [("", _("全部机关")), *[(a, a) for a in agencies]])
        _set(self, "district", [("", _("全部区县")), *districts])
        _set(self, "outcome", [("", _("全部结果")), *OUTCOME_CHOICES])


class ActForm(forms.Form):
    """Every action form carries the version the user saw."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class RouteForm(ActForm):
    note = forms.CharField(label=_("交办说明"), widget=TEXTAREA, required=False)


class InterveneForm(ActForm):
    kind = forms.ChoiceField(label=_("介入方式"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(label=_("介入情况"), max_length=4000, widget=TEXTAREA,
                           help_text=_("写明做了什么、对谁、结论；建议纠错写明向哪个机关提出了什么建议。"))


class ConcludeForm(ActForm):
    outcome = forms.ChoiceField(label=_("结果"), widget=forms.RadioSelect,
                                choices=[(o.value, OUTCOME_LABELS[o]) for o in FINAL_OUTCOMES])
    note = forms.CharField(label=_("结果说明"), max_length=4000, widget=TEXTAREA)


class DismissForm(ActForm):
    reason = forms.CharField(label=_("排除理由"), widget=TEXTAREA)


class ManualForm(forms.Form):
    act_type = forms.ChoiceField(label=_("行政行为类型"), choices=[("", _("请选择")), *ACT_CHOICES])
    agency = forms.CharField(label=_("涉及的行政机关"), max_length=100)
    reason = forms.CharField(label=_("识别理由"), widget=forms.Textarea(attrs={"rows": 4}))
