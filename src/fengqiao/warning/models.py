"""Escalation scores (激化几率) of cases, their history (one event per change), the grade thresholds an
administrator edits, and the alerts sent (once per case per grade)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Grade(models.TextChoices):
    NONE = "", _("未达预警")
    WATCH = "watch", _("关注")
    GENERAL = "general", pgettext_lazy("grade", "一般")
    KEY = "key", _("重点")


GRADE_ORDER = {Grade.NONE: 0, Grade.WATCH: 1, Grade.GENERAL: 2, Grade.KEY: 3}

# An alert written on the case's own event chain, by grade, and its name on the case's timeline.
CASE_EVENTS = {Grade.KEY: "w_key", Grade.GENERAL: "w_general"}
CASE_EVENT_LABELS = {"w_key": _("激化预警：重点"), "w_general": _("激化预警：一般")}


class Threshold(models.Model):
    """The lowest calibrated probability of a grade (rows an administrator edits)."""

    grade = models.CharField(_("grade"), max_length=8, choices=[c for c in Grade.choices if c[0]], unique=True)
    min_probability = models.FloatField(_("lowest escalation probability"))

    class Meta:
        ordering = ["min_probability"]
        verbose_name = _("warning threshold")
        verbose_name_plural = _("warning thresholds")

    def __str__(self) -> str:
        return f"{self.get_grade_display()} ≥ {self.min_probability:.0%}"


class Score(models.Model):
    """The latest escalation score of a case: probability, grade, reasons, the special modules it falls in."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="warning_score")
    probability = models.FloatField(_("escalation probability"))
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices, blank=True, db_index=True)
    reasons = models.JSONField(_("reasons"), default=list)  # [{"key", "text", "weight"}], strongest first
    signals = models.JSONField(default=list)  # the text signals found, general and of the special modules
    rental = models.BooleanField(_("rental housing"), default=False, db_index=True)  # 租赁房屋 module
    family = models.BooleanField(_("family and marriage"), default=False, db_index=True)  # 婚姻家庭 module
    party_key = models.CharField(max_length=80, blank=True, db_index=True)  # "p:" or "i:" + a phone or ID hash
    place_key = models.CharField(max_length=200, blank=True, db_index=True)  # the normalised address
    model_version = models.CharField(max_length=40)
    case_version = models.PositiveIntegerField(default=0)  # the case's version when scored
    scored_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("escalation score")
        verbose_name_plural = _("escalation scores")
        indexes = [models.Index(fields=["grade", "scored_at"], name="warning_grade_scored")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.probability:.2f} {self.grade}"


class ScoreEvent(models.Model):
    """One change of a case's score: scored, regraded, alerted.  Append-only."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16)  # score, regrade, alert
    at = models.DateTimeField()
    probability = models.FloatField()
    from_grade = models.CharField(max_length=8, blank=True)
    to_grade = models.CharField(max_length=8, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case_id", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="warning_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.to_grade}"


class Alert(models.Model):
    """An alert of a grade on a case to a unit: at most one per (case, grade, unit)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=8, choices=Grade.choices)
    unit = models.ForeignKey("jurisdictions.Unit", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "grade", "unit"], name="warning_alert_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.grade} → {self.unit_id}"
