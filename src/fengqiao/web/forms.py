"""Forms: they parse and type the input; the services decide what is valid and say why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Channel, Satisfaction, Urgency
from fengqiao.cases.states import STATE_LABELS, State
from fengqiao.kit.errors import DomainError
from fengqiao.web.widgets import FastCheckboxSelectMultiple, FastRadioSelect, FastSelect

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _set(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _choices(values: list[tuple[Any, Any]], blank: Any) -> list[tuple[Any, Any]]:
    return [("", blank), *values]


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("编号、标题或地址"), "type": "search"}))
    status = forms.ChoiceField(label=_("状态"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False)
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None,
                                      widget=FastSelect)
    category = forms.TypedChoiceField(label=_("分类"), required=False, coerce=int, empty_value=None,
                                      widget=FastSelect)
    registered_from = forms.DateField(label=_("登记起"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    registered_to = forms.DateField(label=_("登记止"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, districts: list[tuple[int, str]], categories: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "status", _choices(
            [(s.value, STATE_LABELS[s]) for s in State if s != State.NEW], _("全部状态")))
        _set(self, "channel", _choices(list(Channel.choices), _("全部渠道")))
        _set(self, "urgency", _choices(list(Urgency.choices), _("全部")))
        _set(self, "district", _choices(districts, _("全部区县")))
        _set(self, "category", _choices(categories, _("全部分类")))


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(label=_("受理渠道"), choices=Channel.choices)
    title = forms.CharField(label=_("标题"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("一句话概括诉求")}))
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.TypedChoiceField(label=_("分类"), required=False, coerce=int, empty_value=None,
                                      widget=FastSelect)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL,
                                widget=FastRadioSelect)
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    lng = forms.FloatField(label=_("经度"), required=False,
                           widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}))
    lat = forms.FloatField(label=_("纬度"), required=False,
                           widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}))
    reporter_name = forms.CharField(label=_("反映人姓名"), required=False, max_length=60)
    reporter_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30,
                                     widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    reporter_id_number = forms.CharField(label=_("身份证号"), required=False, max_length=30,
                                         widget=forms.TextInput(attrs={"autocomplete": "off"}))

    # the service's error keys → this form's fields
    ALIASES = {"parties.0.name": "reporter_name", "parties.0.phone": "reporter_phone",
               "parties.0.id_number": "reporter_id_number", "parties.0.role": "reporter_name",
               "grid": "lng", "external_ref": None}

    def __init__(self, *args: Any, categories: list[tuple[str, list[tuple[int, str]]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "category", [("", _("请选择分类")), *categories])


class ActionForm(forms.Form):
    """Base of the per-action forms; every one carries the version the user saw."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    ALIASES: dict[str, str | None] = {"reason": "text", "comment": "text", "note": "text", "into": "other",
                                      "lead_unit": "lead_unit_id", "assisting_units": "assisting_unit_ids"}


class DispatchForm(ActionForm):
    unit_filter = forms.CharField(
        label=_("查找单位"), required=False,
        widget=forms.TextInput(attrs={"type": "search", "data-unit-filter": "1", "placeholder": _("输入单位名称筛选")}))
    lead_unit_id = forms.TypedChoiceField(label=_("主办单位"), coerce=int,
                                          widget=FastSelect(attrs={"data-units": "1"}))
    assisting_unit_ids = forms.TypedMultipleChoiceField(
        label=_("协办单位"), coerce=int, required=False, widget=FastCheckboxSelectMultiple)
    text = forms.CharField(label=_("交办意见"), required=False, widget=TEXTAREA)
    propose_rule = forms.BooleanField(
        label=_("申辩成立：建议今后本街道此类事项交新主办单位（生成待管理员启用的分拨规则）"), required=False)

    def __init__(self, *args: Any, units: list[tuple[Any, list[tuple[int, str]]]] | None = None,
                 disputed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # routing (docs/routing.md): why these units are preselected; the rule proposal only on a dispute
        self.routing_reason = self.initial.get("routing_reason", "")
        self.routing_source = self.initial.get("routing_source", "none")
        if not disputed:
            del self.fields["propose_rule"]
        groups = [(_("承办该类事项的单位") if key == "suggested" else _("全部单位"), rows)
                  for key, rows in units or []]
        _set(self, "lead_unit_id", [("", _("请选择主办单位")), *groups])
        _set(self, "assisting_unit_ids", groups)


class AcceptForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    text = forms.CharField(label=_("理由"), widget=TEXTAREA)


class DisputeDecisionForm(ActionForm):
    text = forms.CharField(label=_("裁定意见"), required=False, widget=TEXTAREA,
                           help_text=_("维持交办后，原单位须签收办理，签收时限不变。"))


class DisputeForm(ActionForm):
    text = forms.CharField(label=_("申辩理由"), widget=TEXTAREA, required=False,
                           help_text=_("说明为何不属于本单位职责；分拨员裁定后维持交办或改派。"))


class ReplyForm(ActionForm):
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 5}))


class NoteForm(ActionForm):
    text = forms.CharField(label=_("办理进展"), widget=TEXTAREA)
    visible_to_parties = forms.BooleanField(label=_("当事人可见"), required=False)


class ExtensionForm(ActionForm):
    working_days = forms.IntegerField(label=_("延期工作日"), min_value=1, max_value=30)
    text = forms.CharField(label=_("延期理由"), widget=TEXTAREA)


class DecisionForm(ActionForm):
    text = forms.CharField(label=_("审批意见"), required=False, widget=TEXTAREA)


class EvaluateForm(ActionForm):
    rating = forms.ChoiceField(label=_("评价"), choices=Satisfaction.choices, widget=FastRadioSelect)
    text = forms.CharField(label=_("评价意见"), required=False, widget=TEXTAREA,
                           help_text=_("选择“不满意”时请写明原因，案件将退回重办。"))


class ResendEvaluationForm(ActionForm):
    """重发评价短信: nothing to fill in; new codes replace the ones the citizen has (at most 3 times a round)."""


class OtherCaseForm(ActionForm):
    other = forms.CharField(label=_("案件编号"), max_length=20)


class NoteOnlyForm(ActionForm):
    text = forms.CharField(label=_("督办意见"), widget=TEXTAREA)


class AttachForm(ActionForm):
    file = forms.FileField(label=_("附件"), allow_empty_file=True,
                           help_text=_("照片、录音、视频、PDF 或 Word/Excel 文件；内容须与扩展名一致。"))
    internal = forms.BooleanField(label=_("仅内部可见"), required=False)


@dataclass(frozen=True)
class ActionSpec:
    form: type[ActionForm]
    title: Any
    button: Any
    tone: str = "primary"


ACTION_SPECS: dict[str, ActionSpec] = {
    "dispatch": ActionSpec(DispatchForm, _("分拨交办"), _("交办")),
    "accept": ActionSpec(AcceptForm, _("签收"), _("签收")),
    "return": ActionSpec(ReasonForm, _("退回"), _("退回分拨"), "danger"),
    "reply": ActionSpec(ReplyForm, _("答复"), _("提交答复")),
    "note": ActionSpec(NoteForm, _("办理进展"), _("记录")),
    "request_extension": ActionSpec(ExtensionForm, _("申请延期"), _("提交申请")),
    "approve_extension": ActionSpec(DecisionForm, _("批准延期"), _("批准")),
    "refuse_extension": ActionSpec(ReasonForm, _("不予延期"), _("不予批准"), "danger"),
    "evaluate": ActionSpec(EvaluateForm, _("回访评价"), _("提交评价")),
    "resend_evaluation": ActionSpec(ResendEvaluationForm, _("重发评价短信"), _("重发评价短信"), "ghost"),
    "merge": ActionSpec(OtherCaseForm, _("合并为重复件"), _("合并"), "danger"),
    "cancel": ActionSpec(ReasonForm, _("作废"), _("作废"), "danger"),
    "escalate": ActionSpec(NoteOnlyForm, _("督办升级"), _("升级督办"), "warning"),
    "list_supervision": ActionSpec(NoteOnlyForm, _("挂牌督办"), _("挂牌督办"), "danger"),
    "link": ActionSpec(OtherCaseForm, _("关联案件"), _("关联")),
    "attach": ActionSpec(AttachForm, _("上传附件"), _("上传")),
    "dispute": ActionSpec(DisputeForm, _("申辩（非本单位职责）"), _("提交申辩"), "warning"),
    "dismiss_dispute": ActionSpec(DisputeDecisionForm, _("申辩不成立，维持交办"), _("维持交办")),
}


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's field errors on the form's fields (the rest on the form as a whole)."""
    aliases: Mapping[str, str | None] = getattr(form, "ALIASES", {})
    placed = False
    for key, message in error.fields.items():
        name = aliases.get(key, key)
        if name is not None and name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed or not error.fields:
        form.add_error(None, error.message)


def action_values(form: ActionForm) -> dict[str, Any]:
    """The cleaned form as the field mapping run_action expects."""
    return dict(form.cleaned_data)
