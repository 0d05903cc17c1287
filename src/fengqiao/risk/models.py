"""The risk register: entries, their events (one per change) and the review cadence of each grade."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.records import RecordEvent, StateEvent
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
    campaign = models.ForeignKey("risk.Campaign", verbose_name=_("screening campaign"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="entries")
    checklist_item = models.CharField(_("checklist item"), max_length=32, blank=True)
    consolidated_at = models.DateTimeField(_("consolidation follow-up"), null=True, blank=True)
    relapsed = models.BooleanField(_("relapsed"), default=False)
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


class RiskEvent(StateEvent):
    """One change of an entry: its history and audit trail."""

    parent_field = "entry"
    entry = models.ForeignKey(RiskEntry, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["entry_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["entry", "seq"], name="risk_event_seq_unique")]


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


class ChecklistItem(models.Model):
    """One line of a screening checklist (矛盾纠纷、租赁房屋 …): rows an administrator edits; a campaign
    copies the items it covers when it is created, so editing them later does not rewrite old campaigns."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    hint = models.CharField(_("what to look for"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("screening checklist item")
        verbose_name_plural = _("screening checklist items")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A screening campaign (排查): every grid of a district or street screened over a period against a
    checklist.  ``items`` is the checklist as it was when the campaign was made: ``[{"code", "name"}]``."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    area = models.ForeignKey("jurisdictions.Area", verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), db_index=True)
    items = models.JSONField(_("checklist"), default=list)
    note = models.TextField(_("instructions"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"))
    grid_count = models.PositiveIntegerField(_("grids covered"), default=0)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("screening campaign")
        verbose_name_plural = _("screening campaigns")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Result(models.TextChoices):
    CLEAR = "clear", _("无风险")
    FOUND = "found", _("发现风险")


class Screening(models.Model):
    """One grid screened in a campaign: who, when, what was checked and what was found (one per grid)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="screenings")
    grid = models.ForeignKey("jurisdictions.Area", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("jurisdictions.Area", null=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("jurisdictions.Area", null=True, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    items_checked = models.JSONField(_("items checked"), default=list)
    found = models.PositiveSmallIntegerField(_("risks found"), default=0)
    note = models.TextField(_("note"), blank=True)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    screened_at = models.DateTimeField(_("screened"), db_index=True)

    class Meta:
        ordering = ["-screened_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "grid"], name="risk_screening_once_per_grid")]
        verbose_name = _("grid screening")
        verbose_name_plural = _("grid screenings")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.grid_id} {self.result}"


class CampaignEvent(RecordEvent):
    """One change of a campaign (created, a grid screened): its history and audit trail."""

    parent_field = "campaign"
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    grid = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["campaign", "seq"], name="risk_campaign_event_seq_unique")]
