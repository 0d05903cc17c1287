"""Stability assessments of major decisions: the decision and its scope, the consultation's opinions, the
risk items, the measures, and the events (one per change).  ``version`` is bumped by every staff change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.pii import EncryptedTextField
from fengqiao.kit.records import StateEvent
from fengqiao.stability.states import CONCLUSION_LABELS, GRADE_LABELS, STATE_LABELS, Conclusion, DState, Grade

GRADE_CHOICES = [(g.value, GRADE_LABELS[g]) for g in Grade]
CONCLUSION_CHOICES = [(c.value, CONCLUSION_LABELS[c]) for c in Conclusion]


class DecisionKind(models.TextChoices):
    LAND = "land", _("征地拆迁")
    RESTRUCTURING = "restructuring", _("企业改制")
    FACILITY = "facility", _("公共设施选址")
    PRICE = "price", _("价格调整")
    ENVIRONMENT = "environment", _("环境敏感项目")
    POLICY = "policy", _("涉及群众切身利益的政策")
    OTHER = "other", _("其他重大事项")


class Decision(models.Model):
    """A major decision and its assessment."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=DecisionKind.choices)
    summary = models.TextField(_("summary"))
    proposing_unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("proposing unit"),
                                       on_delete=models.PROTECT, related_name="+")
    assessing_unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("assessing unit"),
                                       on_delete=models.PROTECT, related_name="+")
    third_party = models.CharField(_("third-party assessor"), max_length=120, blank=True)
    areas = models.ManyToManyField("jurisdictions.Area", verbose_name=_("affected areas"), related_name="+")
    population = models.PositiveIntegerField(_("affected population"), null=True, blank=True)
    stakeholders = models.TextField(_("stakeholders"), blank=True)
    status = models.CharField(_("status"), max_length=12, db_index=True,
                              choices=[(s.value, STATE_LABELS[s]) for s in DState])
    plan = models.TextField(_("assessment plan"), blank=True)
    consultation_opened_at = models.DateTimeField(_("consultation opened"), null=True, blank=True)
    consultation_closes_at = models.DateTimeField(_("consultation closes"), null=True, blank=True)
    consultation_closed_at = models.DateTimeField(_("consultation closed"), null=True, blank=True)
    public_consultation = models.BooleanField(_("public consultation page"), default=False)
    consultation_summary = models.TextField(_("consultation summary"), blank=True)
    grade = models.CharField(_("grade"), max_length=8, choices=GRADE_CHOICES, blank=True)
    suggested_grade = models.CharField(_("suggested grade"), max_length=8, choices=GRADE_CHOICES, blank=True)
    grade_reason = models.TextField(_("grade reason"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=CONCLUSION_CHOICES, blank=True)
    conclusion_reason = models.TextField(_("conclusion reasoning"), blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    reported_at = models.DateTimeField(_("report issued"), null=True, blank=True)
    report_pdf = models.FileField(upload_to="stability/%Y/%m/", blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    filing_note = models.TextField(_("filing"), blank=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("major decision")
        verbose_name_plural = _("major decisions")
        indexes = [models.Index(fields=["proposing_unit", "status"], name="stab_proposer_status"),
                   models.Index(fields=["assessing_unit", "status"], name="stab_assessor_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def state(self) -> DState:
        return DState(self.status)


class Channel(models.TextChoices):
    FORUM = "forum", _("座谈会")
    SURVEY = "survey", _("问卷调查")
    NOTICE = "notice", _("公示")
    HEARING = "hearing", _("听证会")
    VISIT = "visit", _("走访")
    ONLINE = "online", _("网上征询")


class Stance(models.TextChoices):
    SUPPORT = "support", _("支持")
    OPPOSE = "oppose", _("反对")
    NEUTRAL = "neutral", _("中立")


class Opinion(models.Model):
    """Opinions received through one channel: a forum's or survey's counts, or one citizen's opinion from
    the public page (counts of one; her name and phone, if she gave them, encrypted)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="opinions")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    held_on = models.DateField(_("held on"))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    support = models.PositiveIntegerField(_("support"), default=0)
    oppose = models.PositiveIntegerField(_("oppose"), default=0)
    neutral = models.PositiveIntegerField(_("neutral"), default=0)
    concerns = models.TextField(_("key concerns"), blank=True)
    public = models.BooleanField(_("from the public page"), default=False)
    contact_name = EncryptedTextField(_("name"), blank=True)
    contact_phone = EncryptedTextField(_("phone"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["decision_id", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.channel} {self.held_on}"


class ItemCategory(models.TextChoices):
    LEGALITY = "legality", _("合法性")
    RATIONALITY = "rationality", _("合理性")
    FEASIBILITY = "feasibility", _("可行性")
    CONTROLLABILITY = "controllability", _("可控性")


class RiskItem(models.Model):
    """One risk found in the assessment: likelihood and impact on 1–5, and the level they give."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("category"), max_length=16, choices=ItemCategory.choices)
    description = models.TextField(_("description"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    level = models.CharField(_("level"), max_length=8, choices=GRADE_CHOICES)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["decision_id", "pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.description[:20]}"


class Measure(models.Model):
    """A prevention and mitigation measure (防范化解措施), its responsible unit and deadline, tracked."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="measures")
    item = models.ForeignKey(RiskItem, verbose_name=_("risk item"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="measures")
    description = models.TextField(_("measure"))
    responsible_unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("responsible unit"),
                                         on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    progress = models.TextField(_("progress"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["decision_id", "deadline", "pk"]
        indexes = [models.Index(fields=["responsible_unit"], name="stab_measure_unit")]

    def __str__(self) -> str:
        return self.description[:40]


class DecisionEvent(StateEvent):
    """One change of an assessment: its history and audit trail."""

    parent_field = "decision"
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)

    class Meta:
        ordering = ["decision_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["decision", "seq"], name="stab_event_seq_unique")]
