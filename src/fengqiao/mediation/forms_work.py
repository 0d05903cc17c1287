"""The mediation page's action forms: they parse and type the input (field names are the services' error
keys, so a refusal lands on its field); the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.jurisdictions.models import Unit, UnitKind
from fengqiao.mediation.models import Difficulty, Performance, Route
from fengqiao.mediation.services.confirmation import courts

TEXTAREA = forms.Textarea(attrs={"rows": 3})
LONG = forms.Textarea(attrs={"rows": 7})
ROUTES = [("", _("请选择")), *Route.choices]
RECEIVING_KINDS = [UnitKind.COURT, UnitKind.DEPARTMENT, UnitKind.LEGAL_OFFICE, UnitKind.STREET_OFFICE,
                   UnitKind.MEDIATION_COMMITTEE, UnitKind.PROCURATORATE, UnitKind.POLICE]


def unit_choices() -> list[tuple[Any, Any]]:
    """Receiving units, courts first, grouped by kind."""
    labels = dict(UnitKind.choices)
    groups: dict[str, list[tuple[int, str]]] = {}
    for unit in Unit.objects.filter(kind__in=RECEIVING_KINDS, active=True).order_by("kind", "level", "code"):
        groups.setdefault(unit.kind, []).append((unit.pk, unit.name))
    ordered = sorted(groups.items(), key=lambda kv: RECEIVING_KINDS.index(UnitKind(kv[0])))
    return [("", _("不指定")), *[(labels[k], rows) for k, rows in ordered]]


class WorkForm(forms.Form):
    """Every form carries the version the user saw."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class EmptyForm(WorkForm):
    pass


class DeclineForm(WorkForm):
    reason = forms.CharField(label=_("不予受理的理由"), widget=TEXTAREA)
    advice = forms.CharField(label=_("告知去向"), required=False, widget=TEXTAREA,
                             help_text=_("告诉当事人可以去哪里解决；不填则告知仲裁、行政、司法等途径和 12348 热线。"))


class ScheduleForm(WorkForm):
    place = forms.CharField(label=_("调解地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("调解时间"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    minutes = forms.IntegerField(label=_("预计时长（分钟）"), initial=90, min_value=1, max_value=1440)


class CancelSessionForm(WorkForm):
    session = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("取消的理由"), max_length=300, widget=TEXTAREA)


class RecordForm(WorkForm):
    session = forms.IntegerField(widget=forms.HiddenInput)
    attendees = forms.CharField(label=_("到场人员"), max_length=300, widget=forms.TextInput(
        attrs={"placeholder": _("如：张三（申请人）、李四（被申请人）")}))
    record = forms.CharField(label=_("调解笔录"), widget=LONG,
                             help_text=_("笔录仅调解组织和接收案卷的单位可见，当事人只看到调解已进行。"))


class AgreeForm(WorkForm):
    facts = forms.CharField(label=_("纠纷事实"), widget=LONG)
    terms = forms.CharField(label=_("协议内容"), widget=LONG, help_text=_("逐条写明各方的权利义务、履行方式和期限。"))
    perform_by = forms.DateField(label=_("履行期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class FailForm(WorkForm):
    reason = forms.CharField(label=_("调解不成的原因"), widget=TEXTAREA)
    route = forms.ChoiceField(label=_("同时转出"), choices=ROUTES, required=False,
                              help_text=_("选择后案卷随之移交接收单位；不选则告知当事人可选途径。"))
    to_unit = forms.TypedChoiceField(label=_("接收单位"), coerce=int, empty_value=None, required=False)
    note = forms.CharField(label=_("移交说明"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = unit_choices()  # type: ignore[attr-defined]


class ReferForm(FailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["reason"]
        self.fields["route"].required = True
        self.fields["route"].label = _("转出途径")
        self.fields["route"].help_text = ""


class ConfirmationApplyForm(WorkForm):
    court = forms.TypedChoiceField(label=_("受理法院"), coerce=int, empty_value=None, required=False)
    joint = forms.BooleanField(label=_("双方当事人均同意共同申请司法确认"), required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [("", _("请选择人民法院")),  # type: ignore[attr-defined]
                                        *[(c.pk, c.name) for c in courts()]]


class FollowUpForm(WorkForm):
    performance = forms.ChoiceField(label=_("履行情况"), choices=Performance.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("回访记录"), required=False, widget=TEXTAREA)


class NoteForm(WorkForm):
    note = forms.CharField(label=_("说明"), required=False, widget=TEXTAREA)


class DifficultyForm(WorkForm):
    difficulty = forms.ChoiceField(label=_("难易程度"), choices=Difficulty.choices, widget=forms.RadioSelect,
                                   help_text=_("个案补贴按调解类型和难易程度计算。"))


class ConfirmForm(WorkForm):
    note = forms.CharField(label=_("审查意见（可不填）"), required=False, widget=TEXTAREA)


class RefuseForm(WorkForm):
    reason = forms.CharField(label=_("驳回理由"), widget=TEXTAREA,
                             help_text=_("将写入民事裁定书，并短信告知当事人。"))
