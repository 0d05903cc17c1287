"""The supervision ladder as data (跟踪督办, DESIGN rule 5; docs/supervision.md): per category × urgency,
the steps a case takes as its deadline nears and passes.  Imported by ``cases.models`` so that they belong
to the cases app.  挂牌督办 is never a step: only a leader lists a case (services.closing.list_supervision)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Category, TimeUnit, Urgency


class StepKind(models.TextChoices):
    REMIND = "remind", _("到期提醒")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")


# the supervision level a step raises the case to (Case.supervision_level; 3 = 挂牌督办 by a leader)
STEP_LEVELS = {StepKind.REMIND: 0, StepKind.URGE: 1, StepKind.SUPERVISE: 2}


class Relation(models.TextChoices):
    BEFORE = "before", _("期限前")
    AFTER = "after", _("期限后")


class LeaderLevel(models.TextChoices):
    NONE = "", _("不通知")
    STREET = "street", _("镇街领导")
    DISTRICT = "district", _("区县领导")
    CITY = "city", _("市领导")


class SupervisionLadder(models.Model):
    """督办规则: the steps for matters of a category (and its sub-categories) and urgency.  The most
    specific row wins, as for deadline policies; a row with no category is the city's default."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="supervision_ladders",
    )
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supervision ladder")
        verbose_name_plural = _("supervision ladders")
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="supervision_ladder_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('默认')} · {self.get_urgency_display() or _('全部')}"


class SupervisionStep(models.Model):
    """One step: when (an offset from the deadline, in natural hours or working days), what (a reminder,
    催办 or 督办) and whom it notifies, on which channels."""

    ladder = models.ForeignKey(SupervisionLadder, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    amount = models.PositiveIntegerField(_("offset"), default=0, help_text=_("0 表示在期限届满时"))
    unit = models.CharField(_("counted in"), max_length=14, choices=TimeUnit.choices,
                            default=TimeUnit.WORKING_DAYS)
    relation = models.CharField(_("before / after the deadline"), max_length=6, choices=Relation.choices,
                                default=Relation.AFTER)
    to_handlers = models.BooleanField(_("notify the lead unit's handlers"), default=True)
    to_dispatchers = models.BooleanField(_("notify the dispatchers"), default=False)
    to_unit_leaders = models.BooleanField(_("notify the lead unit's leaders"), default=False)
    area_leaders = models.CharField(
        _("notify the area's leaders from"), max_length=10, choices=LeaderLevel.choices, blank=True,
        help_text=_("从该级开始沿辖区上溯（镇街 → 区县 → 市），通知第一个有领导的层级"),
    )
    in_app = models.BooleanField(_("in-app message"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)
    email = models.BooleanField(_("e-mail"), default=False)

    class Meta:
        verbose_name = _("supervision step")
        verbose_name_plural = _("supervision steps")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.signed_hours():+g}h"

    def signed_hours(self) -> float:
        """A rough position for ordering the steps of one ladder (a working day counts as 24 hours)."""
        hours = self.amount * (24 if self.unit == TimeUnit.WORKING_DAYS else 1)
        return -hours if self.relation == Relation.BEFORE else float(hours)

    def clean(self) -> None:
        if self.kind == StepKind.REMIND and (self.relation != Relation.BEFORE or self.amount == 0):
            raise ValidationError({"relation": _("到期提醒须在期限前（偏移量大于 0）")})
        if self.kind != StepKind.REMIND and self.relation == Relation.BEFORE and self.amount > 0:
            raise ValidationError({"relation": _("催办、督办在期限届满时或之后")})
