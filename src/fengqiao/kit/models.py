from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An administrator's override of the national calendar for one day."""

    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.day} {'workday' if self.is_workday else 'holiday'} {self.name}".strip()


def _calendar_changed(**kwargs: Any) -> None:
    from fengqiao.kit import working_days

    working_days.clear_cache()


post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="calendar_saved")
post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="calendar_deleted")
