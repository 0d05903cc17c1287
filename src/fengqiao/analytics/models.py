"""Performance assessment (绩效考核, 三率): the published formula, appeals, and monthly per-unit rollups.

Dashboards read ``UnitMonth`` only (CONVENTIONS 12); ``rollup.py`` fills it from assignments and
evaluations, one month per transaction, idempotently.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentFormula(models.Model):
    """One version of the published formula; the version with the latest ``effective_from`` not after a
    month applies to that month.  Edited by administrators; never edited in place once used (add a
    version instead) — the rollup keeps a reference to the version it used."""

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("effective from (month)"), unique=True,
                                      help_text=_("the first day of the first month it applies to"))
    response_weight = models.DecimalField(_("response rate weight"), max_digits=5, decimal_places=3,
                                          validators=[MinValueValidator(0)])
    resolution_weight = models.DecimalField(_("resolution rate weight"), max_digits=5, decimal_places=3,
                                            validators=[MinValueValidator(0)])
    satisfaction_weight = models.DecimalField(_("satisfaction rate weight"), max_digits=5, decimal_places=3,
                                              validators=[MinValueValidator(0)])
    basically_weight = models.DecimalField(
        _("weight of 'basically satisfied'"), max_digits=4, decimal_places=3, default=0.8,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    min_cases = models.PositiveIntegerField(_("minimum cases to be ranked"), default=10)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("assessment formula")
        verbose_name_plural = _("assessment formulas")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.effective_from and self.effective_from.day != 1:
            raise ValidationError({"effective_from": _("请填写某月 1 日。")})
        total = (self.response_weight or 0) + (self.resolution_weight or 0) + (self.satisfaction_weight or 0)
        if total <= 0:
            raise ValidationError(_("三项权重之和必须大于 0。"))


class AppealKind(models.TextChoices):
    OUTSIDE_DUTY = "outside_duty", _("非本单位职责")
    UNREASONABLE = "unreasonable", _("诉求人无理诉求")
    POLICY_LIMIT = "policy_limit", _("现行政策无法解决")
    FORCE_MAJEURE = "force_majeure", _("不可抗力")
    OTHER = "other", _("其他")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已核减")
    REFUSED = "refused", _("不予核减")


class Appeal(models.Model):
    """申诉: a unit asks that a case not count in its assessment.  Approved → excluded from that unit's
    denominators (all three rates), in whatever month the case falls."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("ground"), max_length=16, choices=AppealKind.choices)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices,
                              default=AppealStatus.PENDING, db_index=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField(_("filed"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    event_seq = models.PositiveIntegerField(default=0)
    event_head = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"], name="appeal_open_unique",
                condition=models.Q(status__in=["pending", "approved"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.unit_id} · {self.get_status_display()}"


class AppealEvent(models.Model):
    """The audit trail of an appeal (filed / approved / refused), hash-chained per appeal like case events."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=12)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["appeal_id", "seq"]
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        constraints = [models.UniqueConstraint(fields=["appeal", "seq"], name="appeal_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.appeal_id}#{self.seq} {self.action}"

    def chain_fields(self) -> dict[str, object]:
        return {"appeal": self.appeal_id, "seq": self.seq, "action": self.action, "at": self.at,
                "actor": self.actor_id, "note": self.note}


class RollupMonth(models.Model):
    """The fill state of one month (Zulip's FillState): when it was computed, with which formula."""

    month = models.DateField(unique=True)
    formula = models.ForeignKey(AssessmentFormula, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    units = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class UnitMonth(models.Model):
    """One unit's counts, rates, score and rank in one month (see docs/ranking.md for the definitions)."""

    month = models.DateField(_("month"))
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    formula = models.ForeignKey(AssessmentFormula, on_delete=models.PROTECT, related_name="+")
    cases = models.PositiveIntegerField(_("cases dispatched"), default=0)
    exempted = models.PositiveIntegerField(_("cases exempted"), default=0)
    response_due = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    resolution_due = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    response_rate = models.FloatField(_("response rate"), null=True)
    resolution_rate = models.FloatField(_("resolution rate"), null=True)
    satisfaction_rate = models.FloatField(_("satisfaction rate"), null=True)
    score = models.FloatField(_("score"), null=True)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("unit month")
        verbose_name_plural = _("unit months")
        constraints = [models.UniqueConstraint(fields=["month", "unit"], name="unit_month_unique")]
        indexes = [models.Index(fields=["month", "rank"], name="unit_month_rank")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id}"

    @property
    def evaluated(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied
