"""The cockpit's rollups: counts per period and dimension, read instead of the case table.

A ``Fact`` row holds the counts of the cases registered in one period (a day or a month, local time) that
share one key of one dimension, inside one scope (the whole city, a district or a street).  Cohorts are by
registration: a case counts once, in the period it was registered, with its state as of the last rollup.
The definitions of each count are in docs/cockpit.md.  ``FactMonth`` records which months are computed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CITY_SCOPE = 0  # Fact.scope for the whole city; otherwise the id of a district or street Area


class Grain(models.TextChoices):
    DAY = "d", _("日")
    MONTH = "m", _("月")


class Dim(models.TextChoices):
    ALL = "all", _("合计")
    CHANNEL = "channel", _("渠道")
    CATEGORY = "category", _("分类")
    URGENCY = "urgency", _("紧急程度")
    DISTRICT = "district", _("区县")
    STREET = "street", _("镇街")
    GRID = "grid", _("网格")
    H3 = "h3", _("六边形格")
    UNIT = "unit", _("主办单位")


# Which rows each scope keeps.  Day rows serve trend lines and week reports: the dimensions with few keys,
# in the city's and the districts' scopes; a street keeps its daily total only.  Grids and hexagons are kept
# in the street's scope only (a grid lies in one street): a district or the city adds up its streets' rows.
DAY_DIMS = (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY, Dim.URGENCY, Dim.DISTRICT)
STREET_ONLY_DIMS = (Dim.GRID, Dim.H3)
MONTH_DIMS_BY_LEVEL = {
    "city": (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY, Dim.URGENCY, Dim.DISTRICT, Dim.STREET, Dim.UNIT),
    "district": (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY, Dim.URGENCY, Dim.STREET, Dim.UNIT),
    "street": (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY, Dim.URGENCY, Dim.GRID, Dim.H3, Dim.UNIT),
}
DAY_DIMS_BY_LEVEL = {
    "city": (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY, Dim.URGENCY, Dim.DISTRICT),
    "district": (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY, Dim.URGENCY),
    "street": (Dim.ALL,),
}

MEASURES = ("received", "valid", "resolved", "on_time", "due", "overdue", "evaluated", "satisfied",
            "unsatisfied", "mediated", "mediation_agreed", "mediation_failed")


class Fact(models.Model):
    scope = models.PositiveIntegerField(_("scope"))  # CITY_SCOPE or an Area id (district, street)
    grain = models.CharField(_("grain"), max_length=1, choices=Grain.choices)
    period = models.DateField(_("period"))  # the day, or the first day of the month
    dim = models.CharField(_("dimension"), max_length=10, choices=Dim.choices)
    key = models.CharField(_("key"), max_length=24)
    received = models.PositiveIntegerField(_("received"), default=0)
    valid = models.PositiveIntegerField(_("valid"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    due = models.PositiveIntegerField(_("due"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    evaluated = models.PositiveIntegerField(_("evaluated"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    unsatisfied = models.PositiveIntegerField(_("unsatisfied"), default=0)
    mediated = models.PositiveIntegerField(_("mediated"), default=0)
    mediation_agreed = models.PositiveIntegerField(_("mediation agreed"), default=0)
    mediation_failed = models.PositiveIntegerField(_("mediation failed"), default=0)

    class Meta:
        verbose_name = _("cockpit fact")
        verbose_name_plural = _("cockpit facts")
        constraints = [models.UniqueConstraint(fields=["scope", "dim", "grain", "period", "key"],
                                               name="cockpit_fact_unique")]
        indexes = [models.Index(fields=["grain", "period"], name="cockpit_fact_period"),
                   models.Index(fields=["dim", "grain", "period"], name="cockpit_fact_dim_period")]

    def __str__(self) -> str:
        return f"{self.scope}/{self.grain}{self.period}/{self.dim}={self.key}"


class FactMonth(models.Model):
    """One computed month: when, over how many cases, in how long.  A month is rewritten whole."""

    month = models.DateField(_("month"), unique=True)
    computed_at = models.DateTimeField(_("computed"))
    cases = models.PositiveIntegerField(_("cases"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    seconds = models.FloatField(_("seconds"), default=0.0)

    class Meta:
        verbose_name = _("computed month")
        verbose_name_plural = _("computed months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
