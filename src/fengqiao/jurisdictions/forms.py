"""Forms of the administrator's screens: an area's edit form (checks the boundary and the tree) and the
upload form of the importers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.jurisdictions import aliases
from fengqiao.jurisdictions.boundaries import BoundaryError, clean_boundary
from fengqiao.jurisdictions.imports import level_label
from fengqiao.jurisdictions.models import LEVEL_ORDER, Area, Unit

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class AliasesField(forms.CharField):
    """Aliases in a text box, one per line (“、” and commas separate too); cleaned by ``aliases.parse``."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40, "placeholder": "东风路\n人民路\n万达广场"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        if isinstance(value, str) and value.startswith("["):  # the JSON the model field gives back on errors
            try:
                return "\n".join(aliases.parse(value))
            except aliases.AliasError:
                return value
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        try:
            return aliases.parse(value)
        except aliases.AliasError as exc:
            raise forms.ValidationError(str(exc)) from exc


class AreaAdminForm(forms.ModelForm):
    aliases = AliasesField(label=_("别名（道路、地标）"), required=False)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent", "population", "aliases", "geometry"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aliases"].help_text = _(
            "每行一个，也可用“、”或逗号分隔；用于地址识别，保存后即生效。每个 %(min)s 至 %(max)s 个字，"
            "最多 %(count)s 个，重复的只保留一个。"
        ) % {"min": aliases.MIN_LENGTH, "max": aliases.MAX_LENGTH, "count": aliases.MAX_ALIASES}

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if "/" in code:
            raise forms.ValidationError(_("编码不能含“/”"))
        return code

    def clean_geometry(self) -> dict[str, Any] | None:
        try:
            return clean_boundary(self.cleaned_data["geometry"])
        except BoundaryError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level, parent = data.get("level"), data.get("parent")
        if not level:
            return data
        index = LEVEL_ORDER.index(level)
        if index == 0 and parent is not None:
            self.add_error("parent", _("市级区域不应有上级"))
        elif index > 0 and parent is None:
            self.add_error("parent", _("%(level)s须有上级") % {"level": level_label(level)})
        elif index > 0 and parent is not None and parent.level != LEVEL_ORDER[index - 1]:
            self.add_error("parent", _("%(level)s的上级须为%(expected)s") % {
                "level": level_label(level), "expected": level_label(LEVEL_ORDER[index - 1])})
        if self.instance.pk and level != self.instance.level and self.instance.children.exists():
            self.add_error("level", _("已有下级区域，不能改变层级"))
        return data


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "level", "area", "parent", "phone", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        area, level, parent = data.get("area"), data.get("level"), data.get("parent")
        if area is not None and level and area.level != level:
            self.add_error("level", _("层级须与服务区域一致（%(level)s）") % {"level": level_label(area.level)})
        if parent is not None and self.instance.pk and parent.pk == self.instance.pk:
            self.add_error("parent", _("上级单位不能是本单位"))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（GeoJSON 或 CSV）"))
    format = forms.ChoiceField(
        label=_("格式"), initial="",
        choices=[("", _("按文件名或内容判断")), ("geojson", "GeoJSON"), ("csv", "CSV")], required=False,
    )
    dry_run = forms.BooleanField(label=_("试运行（只检查，不写入）"), required=False)
    repair = forms.BooleanField(label=_("自动修复无效（自相交）边界"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 %(mb)s MB") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        if upload.size == 0:
            raise forms.ValidationError(_("文件为空"))
        return upload
