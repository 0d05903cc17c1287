"""The jurisdiction tree (city → district → street → community → grid) and the units that work in it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    STREET = "street", _("镇街")
    COMMUNITY = "community", _("社区·村")
    GRID = "grid", _("网格")


LEVEL_ORDER = [Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]


class Area(models.Model):
    """A node of the jurisdiction tree.  ``path`` is the codes from the root, '/'-joined, for subtrees."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=200, db_index=True, editable=False)
    geometry = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)
    centroid_lng = models.FloatField(_("centroid longitude"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True,
        help_text=_("其他叫法、道路和地标名称（如 东风路、万达广场），用于地址识别"),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id and self.parent else self.code
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class UnitKind(models.TextChoices):
    COMMAND_CENTRE = "command_centre", _("社会治理指挥中心")
    HOTLINE_CENTRE = "hotline_centre", _("12345 热线中心")
    DEPARTMENT = "department", _("职能部门")
    STREET_OFFICE = "street_office", _("镇街")
    COMMUNITY_COMMITTEE = "community_committee", _("社区·村委会")
    COURT = "court", _("法院")
    PROCURATORATE = "procuratorate", _("检察院")
    POLICE = "police", _("公安")
    MEDIATION_COMMITTEE = "mediation_committee", _("调解组织")
    LEGAL_OFFICE = "legal_office", _("司法行政")


class Unit(models.Model):
    """An organisation that registers, dispatches or handles matters (职能部门, 镇街, 指挥中心 …)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    area = models.ForeignKey(Area, verbose_name=_("serves area"), on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("office phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name
