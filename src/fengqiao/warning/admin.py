"""Thresholds are rows an administrator edits (a probability between 0 and 1, grades in order); scores,
their events and alerts are read only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.admin_base import ReadOnlyAdmin
from fengqiao.warning.models import Alert, Score, ScoreEvent, Threshold


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = Threshold
        fields = ("grade", "min_probability")

    def clean_min_probability(self) -> Any:
        value = self.cleaned_data["min_probability"]
        if value is None or not 0 < value < 1:
            raise forms.ValidationError(_("激化几率阈值应大于 0、小于 1（例如 0.4 表示 40%）。"))
        return value


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    form = ThresholdForm
    list_display = ("grade", "min_probability")
    list_editable = ("min_probability",)


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("case", "probability", "grade", "model_version", "scored_at")
    list_filter = ("grade", "rental", "family")
    raw_id_fields = ("case",)


@admin.register(ScoreEvent)
class ScoreEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "action", "from_grade", "to_grade", "probability", "at")
    list_filter = ("action",)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("case", "grade", "unit", "recipients", "at")
