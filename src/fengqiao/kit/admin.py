"""Holiday overrides: administrators add local holidays, make-up working days, and next year's schedule
before the ``chinesecalendar`` library knows it (see kit.working_days)."""

from __future__ import annotations

import chinese_calendar
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.kit.models import CalendarDay

WEEKDAYS = [
    pgettext_lazy("weekday", "一"), pgettext_lazy("weekday", "二"), pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"), pgettext_lazy("weekday", "五"), pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "weekday", "is_workday", "name", "national"]
    list_filter = ["is_workday"]
    search_fields = ["name"]
    date_hierarchy = "day"
    ordering = ["-day"]

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS[obj.day.weekday()])

    @admin.display(description=_("国家日历"))
    def national(self, obj: CalendarDay) -> str:
        """What the State Council's calendar says for the day, so that an override is a conscious one."""
        try:
            workday = chinese_calendar.is_workday(obj.day)
        except NotImplementedError:
            return str(_("未知（该年尚未收录）"))
        return str(_("工作日") if workday else _("休息日"))
