"""The administrators' screens for mediation's data: dispute types, the kinds (steps, participants and
mediator kinds validated), the expert pool (phone and ID number typed in plain, kept encrypted with their
keyed hashes, shown masked — never in full, so opening a mediator is not a view of personal data), her
declared ties, the subsidy schedule (amounts edited in the list), and the mediations, read-only (the
services write them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.kit import pii
from fengqiao.kit.admin_base import ReadOnlyAdmin
from fengqiao.kit.validators import id_number_error, phone_error
from fengqiao.mediation.models import (
    Difficulty,
    DisputeType,
    Mediation,
    MediationKind,
    Mediator,
    MediatorKind,
    MediatorTie,
    SubsidyRate,
)
from fengqiao.mediation.states import STEPS

STEP_LABELS = {"schedule": gettext_lazy("线下调解（排期、笔录）"), "confirm": gettext_lazy("司法确认"),
               "follow_up": gettext_lazy("履行回访"), "refer": gettext_lazy("转出（诉调对接）")}
PARTICIPANT_SPLIT = str.maketrans({"、": "\n", "，": "\n", ",": "\n", "；": "\n", ";": "\n"})


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["name", "code"]


def _step_list() -> str:
    return "、".join(f"{code}（{STEP_LABELS[code]}）" for code in STEPS)


class KindForm(forms.ModelForm):
    """Steps and mediator kinds as checkboxes (an unknown code is refused, naming the codes allowed);
    participants as one role a line."""

    steps = forms.MultipleChoiceField(
        label=gettext_lazy("环节"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(code, STEP_LABELS[code]) for code in STEPS])
    mediator_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("可承办的调解员类别"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=MediatorKind.choices, help_text=gettext_lazy("都不选表示不限。"))
    participants = forms.CharField(
        label=gettext_lazy("参与人员"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一个角色，如「人民调解员」「书记员」。"))

    class Meta:
        model = MediationKind
        fields = ["code", "name", "duties", "participants", "steps", "mediator_kinds", "document_title",
                  "agreement_template", "deadline_days", "order", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["steps"].error_messages["invalid_choice"] = _(
            "未知的环节代码「%(value)s」。可用的环节：") + _step_list()
        self.fields["mediator_kinds"].error_messages["invalid_choice"] = _("未知的调解员类别「%(value)s」。")
        if self.instance.pk and not self.is_bound:
            self.initial["participants"] = "\n".join(self.instance.participants or [])

    def clean_steps(self) -> list[str]:
        chosen = set(self.cleaned_data.get("steps") or [])
        return [code for code in STEPS if code in chosen]  # the lifecycle's order

    def clean_mediator_kinds(self) -> list[str]:
        chosen = set(self.cleaned_data.get("mediator_kinds") or [])
        return [code for code in MediatorKind.values if code in chosen]

    def clean_participants(self) -> list[str]:
        text = str(self.cleaned_data.get("participants") or "").translate(PARTICIPANT_SPLIT)
        roles = list(dict.fromkeys(part.strip() for part in text.splitlines() if part.strip()))
        if not roles:
            raise forms.ValidationError(_("至少填写一个参与人员角色。"))
        long = [r for r in roles if len(r) > 20]
        if long:
            raise forms.ValidationError(_("角色名称过长（最多 20 个字）：%(r)s") % {"r": long[0]})
        return roles

    def clean_agreement_template(self) -> str:
        text = str(self.cleaned_data.get("agreement_template") or "")
        try:
            Template(text)
        except TemplateSyntaxError as error:
            raise forms.ValidationError(_("协议书模板有语法错误：%(e)s") % {"e": error}) from None
        return text


@admin.register(MediationKind)
class MediationKindAdmin(admin.ModelAdmin):
    form = KindForm
    list_display = ["name", "code", "step_names", "document_title", "deadline_days", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["name", "code"]

    @admin.display(description=gettext_lazy("环节"))
    def step_names(self, obj: MediationKind) -> str:
        return "、".join(str(STEP_LABELS.get(code, code)) for code in obj.steps or []) or "—"


class _SecretFields(forms.ModelForm):
    """Plain phone and ID number fields that replace the stored (encrypted, hashed) ones when typed in,
    and clear them when asked; the current values show only as masks."""

    phone_new = forms.CharField(label=gettext_lazy("手机号"), required=False, max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "size": 16}))
    id_new = forms.CharField(label=gettext_lazy("身份证号"), required=False, max_length=18,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "size": 22}))
    clear = forms.BooleanField(label=gettext_lazy("清除已登记的手机号和身份证号"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        obj = self.instance
        for name, plain, digest, mask in (("phone_new", getattr(obj, "phone", ""), obj.phone_hash, pii.mask_phone),
                                          ("id_new", getattr(obj, "id_number", ""), obj.id_hash, pii.mask_id_number)):
            self.fields[name].help_text = self._known(plain, digest, mask)
            if plain or digest:  # a tabular inline shows no help text per row: the mask as the placeholder
                self.fields[name].widget.attrs["placeholder"] = mask(plain) if plain else _("已登记")

    def _known(self, plain: str, digest: str, mask: Any) -> str:
        if plain:
            return _("已登记：%(m)s；填写新号码以更换。") % {"m": mask(plain)}
        if digest:
            return _("已登记（只保存用于比对的哈希）；填写新号码以更换。")
        return _("加密保存，页面只显示掩码；用于回避核查。")

    def clean_phone_new(self) -> str:
        phone = "".join(str(self.cleaned_data.get("phone_new") or "").split())
        problem = phone_error(phone) if phone else None
        if problem:
            raise forms.ValidationError(problem)
        return phone

    def clean_id_new(self) -> str:
        number = "".join(str(self.cleaned_data.get("id_new") or "").split()).upper()
        problem = id_number_error(number) if number else None
        if problem:
            raise forms.ValidationError(problem)
        return number

    def seal(self, obj: Any, *, keeps_plain: bool) -> None:
        """Put the typed values on ``obj`` (encrypted by the fields; hashes beside them)."""
        if self.cleaned_data.get("clear"):
            if keeps_plain:
                obj.phone = obj.id_number = ""
            obj.phone_hash = obj.id_hash = ""
        phone, number = self.cleaned_data.get("phone_new"), self.cleaned_data.get("id_new")
        if phone:
            if keeps_plain:
                obj.phone = phone
            obj.phone_hash = pii.lookup_hash("phone", phone)
        if number:
            if keeps_plain:
                obj.id_number = number
            obj.id_hash = pii.lookup_hash("id", number)


class MediatorForm(_SecretFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not (self.instance.pk and (self.instance.phone_hash or self.instance.id_hash)):
            self.fields.pop("clear", None)  # nothing to clear (MediatorAdmin.get_fieldsets leaves it out)

    class Meta:
        model = Mediator
        fields = ["user", "name", "kind", "title", "unit", "area", "specialties", "languages", "bio", "years",
                  "max_load", "available", "unavailable_until", "active"]


class TieForm(_SecretFields):
    name_new = forms.CharField(label=gettext_lazy("对方姓名"), required=False, max_length=40,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "size": 10}))

    class Meta:
        model = MediatorTie
        fields = ["relation"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.name:
            self.fields["name_new"].widget.attrs["placeholder"] = pii.mask_name(self.instance.name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kept = bool(self.instance.pk and (self.instance.phone_hash or self.instance.id_hash)
                    and not data.get("clear"))
        if data.get("relation") and not (data.get("phone_new") or data.get("id_new") or kept):
            raise forms.ValidationError(_("请填写对方的手机号或身份证号：回避核查按号码比对。"))
        return data

    def seal(self, obj: Any, *, keeps_plain: bool) -> None:
        super().seal(obj, keeps_plain=keeps_plain)
        if self.cleaned_data.get("name_new"):
            obj.name = self.cleaned_data["name_new"].strip()


class TieInline(admin.TabularInline):
    model = MediatorTie
    form = TieForm
    fields = ["relation", "name_new", "phone_new", "id_new", "clear"]
    extra = 0
    verbose_name = gettext_lazy("申报的利害关系")
    verbose_name_plural = gettext_lazy("申报的利害关系（回避）")


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    form = MediatorForm
    inlines = [TieInline]
    list_display = ["name", "kind", "title", "unit", "area", "rating_text", "max_load", "available",
                    "unavailable_until", "active"]
    list_filter = ["kind", "available", "active", "specialties"]
    search_fields = ["name", "title", "unit__name"]
    autocomplete_fields = ["user", "unit", "area"]
    filter_horizontal = ["specialties"]
    list_select_related = ["unit", "area"]
    readonly_fields = ["rating_text"]
    fieldsets = (
        (None, {"fields": ("name", "kind", "title", "unit", "area", "user", "active")}),
        (gettext_lazy("专长与介绍"), {"fields": ("specialties", "languages", "years", "bio")}),
        (gettext_lazy("接案"), {"fields": ("max_load", "available", "unavailable_until", "rating_text")}),
        (gettext_lazy("身份信息（加密保存，用于回避核查）"), {"fields": ("phone_new", "id_new", "clear")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sets = super().get_fieldsets(request, obj)
        known = obj is not None and bool(obj.phone_hash or obj.id_hash)
        return sets if known else [(t, {"fields": tuple(f for f in o["fields"] if f != "clear")}) for t, o in sets]

    @admin.display(description=gettext_lazy("评分"))
    def rating_text(self, obj: Mediator) -> str:
        return f"{obj.rating:.1f}（{obj.rating_count}）" if obj.rating is not None else "—"

    def save_model(self, request: HttpRequest, obj: Mediator, form: Any, change: bool) -> None:
        form.seal(obj, keeps_plain=True)
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        ties = formset.save(commit=False)
        for tie_form in formset.forms:
            if tie_form.instance in ties:
                tie_form.seal(tie_form.instance, keeps_plain=False)
        for tie in ties:
            tie.save()
        for gone in formset.deleted_objects:
            gone.delete()


@admin.register(SubsidyRate)
class SubsidyRateAdmin(admin.ModelAdmin):
    list_display = ["kind", "difficulty", "amount", "failed_share"]
    list_editable = ["amount", "failed_share"]
    list_filter = ["kind", "difficulty"]
    list_select_related = ["kind"]
    list_per_page = 200

    def get_queryset(self, request: HttpRequest) -> QuerySet[SubsidyRate]:
        """Kinds in their order, difficulties from simple to major."""
        rank = Case(*[When(difficulty=d, then=Value(i)) for i, d in enumerate(Difficulty.values)],
                    output_field=IntegerField())
        return super().get_queryset(request).annotate(rank=rank).order_by("kind__order", "kind__code", "rank")


@admin.register(Mediation)
class MediationAdmin(ReadOnlyAdmin):
    """Read-only: mediations are written by their services (each change an event on the case's chain)."""

    list_display = ["code", "kind", "dispute_type", "status", "mediator", "unit", "area", "applied_at",
                    "concluded_at", "subsidy"]
    list_filter = ["status", "kind", "difficulty", "request_type"]
    search_fields = ["code", "case__code", "mediator__name"]
    date_hierarchy = "applied_at"
    list_select_related = ["kind", "dispute_type", "mediator", "unit", "area"]
    show_full_result_count = False
    exclude = ["applicant_phone_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mediation]:
        return super().get_queryset(request).select_related("case")
