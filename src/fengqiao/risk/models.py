"""The risk register: entries, their events (one per change) and the review cadence of each grade."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.risk.states import GRADE_LABELS, LIVE, STATE_LABELS, Grade, RState

GRADE_CHOICES = [(g.value, GRADE_LABELS[g]) for g in Grade]


class Source(models.TextChoices):
    CASE = "case", _("矛盾纠纷事件")
    SCREENING = "screening", _("排查")


class RiskEntry(models.Model):
    """One risk on the register.  ``version`` is bumped by every change (optimistic locking)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="risk_entries")
    street = models.ForeignKey("jurisdictions.Area", verbose_name=_("street"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("jurisdictions.Area", verbose_name=_("community"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("jurisdictions.Area", verbose_name=_("grid"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("grade"), max_length=8, choices=GRADE_CHOICES, default=Grade.WATCH)
    grade_reason = models.TextField(_("grade reason"), blank=True)
    status = models.CharField(_("status"), max_length=12,
                              choices=[(s.value, STATE_LABELS[s]) for s in RState], db_index=True)
    responsible_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible leader"),
                                           null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    responsible_unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("responsible unit"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="risk_entries")
    measures = models.TextField(_("stability-control measures"), blank=True)
    next_review_at = models.DateTimeField(_("next review"), null=True, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    written_off_at = models.DateTimeField(_("written off"), null=True, blank=True)
    write_off_evidence = models.TextField(_("write-off evidence"), blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("risk entry")
        verbose_name_plural = _("risk entries")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(case__isnull=False, status__in=sorted(LIVE)),
                                    name="risk_one_live_entry_per_case"),
        ]
        indexes = [
            models.Index(fields=["street", "status"], name="risk_street_status"),
            models.Index(fields=["responsible_unit", "status"], name="risk_unit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def state(self) -> RState:
        return RState(self.status)


class RiskEvent(models.Model):
    """One change of an entry: its history and audit trail."""

    entry = models.ForeignKey(RiskEntry, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=16)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["entry_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["entry", "seq"], name="risk_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id}#{self.seq} {self.action}"


class ReviewCadence(models.Model):
    """How many days pass between reviews of an entry of a grade; rows an administrator edits."""

    grade = models.CharField(_("grade"), max_length=8, choices=GRADE_CHOICES, unique=True)
    days = models.PositiveSmallIntegerField(_("days between reviews"))

    class Meta:
        ordering = ["days"]
        verbose_name = _("review cadence")
        verbose_name_plural = _("review cadences")

    def __str__(self) -> str:
        return f"{self.get_grade_display()} · {self.days}"
