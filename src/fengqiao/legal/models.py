"""Administrative disputes: the legal office of each district (or the city), the flagged matters, their
events (one per change) and the legal office's interventions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.records import StateEvent
from fengqiao.legal.reasons import texts
from fengqiao.legal.states import (
    ACT_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    RISK_LABELS,
    STATE_LABELS,
    ActType,
    Kind,
    LState,
    Outcome,
    Risk,
)

RISK_CHOICES = [(r.value, RISK_LABELS[r]) for r in Risk]
ACT_CHOICES = [(a.value, ACT_LABELS[a]) for a in ActType]
OUTCOME_CHOICES = [(o.value, OUTCOME_LABELS[o]) for o in Outcome]
KIND_CHOICES = [(k.value, KIND_LABELS[k]) for k in Kind]


class LegalOffice(models.Model):
    """The unit that intervenes early in the administrative disputes of an area (a district, or the city
    as the fallback): e.g. the 司法局's 行政复议 office.  Rows an administrator edits."""

    area = models.OneToOneField("jurisdictions.Area", verbose_name=_("area"), on_delete=models.PROTECT,
                                related_name="legal_office")
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("legal office"), on_delete=models.PROTECT,
                             related_name="legal_areas")
    auto_route_from = models.CharField(_("route automatically from risk"), max_length=8, choices=RISK_CHOICES,
                                       blank=True, default=Risk.GENERAL,
                                       help_text=_("识别后自动交办的最低风险等级；留空则一律人工交办"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("legal office")
        verbose_name_plural = _("legal offices")

    def __str__(self) -> str:
        return f"{self.area} → {self.unit}"


class Dispute(models.Model):
    """A matter found to be against an administrative act (one per case).  ``version`` is bumped by every
    change (optimistic locking).  Area columns are copied from the case for scoping and filters."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                                related_name="legal_dispute")
    act_type = models.CharField(_("act type"), max_length=16, choices=ACT_CHOICES, db_index=True)
    agency = models.CharField(_("agency concerned"), max_length=100)
    agency_kind = models.CharField(_("kind of agency"), max_length=40, db_index=True)
    evidence = models.JSONField(_("evidence"), default=list)
    risk = models.CharField(_("risk"), max_length=8, choices=RISK_CHOICES, db_index=True)
    risk_points = models.PositiveSmallIntegerField(default=0)
    risk_reasons = models.JSONField(_("risk reasons"), default=list)
    known_on = models.DateField(_("known of the act on"))
    known_from_text = models.BooleanField(default=False)
    reconsider_by = models.DateField(_("reconsideration window ends"), db_index=True)
    litigate_by = models.DateField(_("litigation window ends"), db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=[(s.value, STATE_LABELS[s]) for s in LState],
                              db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=OUTCOME_CHOICES, default=Outcome.PENDING,
                               db_index=True)
    office = models.ForeignKey("jurisdictions.Unit", verbose_name=_("legal office"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="legal_disputes")
    district = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    street = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    community = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    grid = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered"), db_index=True)  # the case's, for the monthly trend
    flagged_at = models.DateTimeField(_("flagged"))
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    manual = models.BooleanField(_("flagged by a person"), default=False)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-flagged_at"]
        verbose_name = _("administrative dispute")
        verbose_name_plural = _("administrative disputes")
        indexes = [
            models.Index(fields=["district", "status"], name="legal_district_status"),
            models.Index(fields=["office", "status"], name="legal_office_status"),
            models.Index(fields=["street", "status"], name="legal_street_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.act_type} {self.risk}"

    @property
    def state(self) -> LState:
        return LState(self.status)

    @property
    def evidence_texts(self) -> list[str]:
        """识别依据 in the reader's language (see ``legal.reasons``)."""
        return texts(self.evidence)

    @property
    def risk_reason_texts(self) -> list[str]:
        """The risk's reasons in the reader's language (see ``legal.reasons``)."""
        return texts(self.risk_reasons)


class DisputeEvent(StateEvent):
    """One change of a dispute: its history and audit trail."""

    parent_field = "dispute"
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["dispute_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["dispute", "seq"], name="legal_event_seq_unique")]


class Intervention(models.Model):
    """What the legal office did: 法律意见 / 协调化解 / 释法明理 / 建议纠错 (to the agency)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    note = models.TextField(_("what was done"))
    unit = models.ForeignKey("jurisdictions.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["dispute_id", "at"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind}"


class ScanMark(models.Model):
    """How far the periodic scan has read the case table (by case id), so each run reads only new cases."""

    name = models.CharField(max_length=20, unique=True)
    last_case_id = models.BigIntegerField(default=0)
    at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_case_id}"
