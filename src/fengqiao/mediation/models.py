"""Mediation (解纷码): kinds as data, the mediator pool, mediations, sessions, agreements, judicial
confirmation, referrals and subsidies.  A mediation belongs to one case (DESIGN: one matter = one case)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.pii import EncryptedTextField
from fengqiao.mediation.states import STATE_LABELS, MState


class DisputeType(models.Model):
    """纠纷类型: family and marriage, neighbourhood, labour, property, debt, traffic …; mediators' specialties."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    legal_basis = models.TextField(_("legal basis"), blank=True,
                                   help_text=_("常用法律依据，调解员可在个案中修改。"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("dispute type")
        verbose_name_plural = _("dispute types")

    def __str__(self) -> str:
        return self.name


class MediationKind(models.Model):
    """人民调解, 行政调解, 律师调解, 诉前调解, 劳动仲裁, 公证, 行政裁决, 信访接待: each a row with its own
    participants, steps and document, never a code branch (DESIGN rule 5)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    duties = models.TextField(_("duties"), blank=True, help_text=_("向群众公开的职责说明（阳光调解·职责）。"))
    participants = models.JSONField(_("participants"), default=list, blank=True,
                                    help_text=_("参与人员的角色，如 [\"调解员\", \"书记员\"]。"))
    steps = models.JSONField(_("steps"), default=list, blank=True,
                             help_text=_("可用环节：schedule（线下调解）、confirm（司法确认）、follow_up（履行回访）、"
                                         "refer（转出）。"))
    mediator_kinds = models.JSONField(_("mediator kinds"), default=list, blank=True,
                                      help_text=_("可承办的调解员类别；为空则不限。"))
    document_title = models.CharField(_("document title"), max_length=60, default="人民调解协议书")
    agreement_template = models.TextField(
        _("agreement template"), blank=True,
        help_text=_("协议书正文模板（Django 模板语法），可用 parties、facts、terms、mediation 等变量；"
                    "为空用默认模板。"),
    )
    deadline_days = models.PositiveSmallIntegerField(_("working days to conclude"), default=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("mediation kind")
        verbose_name_plural = _("mediation kinds")

    def __str__(self) -> str:
        return self.name

    def has_step(self, step: str) -> bool:
        return step in (self.steps or [])


class MediatorKind(models.TextChoices):
    PEOPLES = "peoples", _("人民调解员")
    GOLD_MEDAL = "gold_medal", _("金牌调解员")
    NAMED_ROOM = "named_room", _("名人调解室")
    LAWYER = "lawyer", _("律师")
    LEGAL_WORKER = "legal_worker", _("基层法律服务工作者")
    PSYCHOLOGIST = "psychologist", _("心理咨询师")
    INDUSTRY_EXPERT = "industry_expert", _("行业专家")
    JUDGE_ASSISTANT = "judge_assistant", _("特邀调解员（法院）")
    ARBITRATOR = "arbitrator", _("仲裁员")
    OFFICIAL = "official", _("行政机关工作人员")


class Mediator(models.Model):
    """A member of the expert pool (专家库).  Their phone and ID number are kept (encrypted, with keyed
    hashes) so that a mediator who is a party, or declared tied to one, is refused."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="mediator")
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=MediatorKind.choices)
    title = models.CharField(_("title"), max_length=60, blank=True, help_text=_("如「老娘舅」「金牌调解员」。"))
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("organisation"), on_delete=models.PROTECT,
                             related_name="mediators")
    area = models.ForeignKey("jurisdictions.Area", verbose_name=_("area served"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", help_text=_("为空表示全市。"))
    specialties = models.ManyToManyField(DisputeType, verbose_name=_("specialties"), blank=True,
                                         related_name="mediators")
    languages = models.CharField(_("languages"), max_length=100, blank=True, default="普通话")
    bio = models.TextField(_("profile"), blank=True)
    years = models.PositiveSmallIntegerField(_("years of practice"), default=0)
    phone = EncryptedTextField(_("phone"), blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    max_load = models.PositiveSmallIntegerField(_("most open mediations"), default=8)
    available = models.BooleanField(_("taking new cases"), default=True)
    unavailable_until = models.DateField(_("away until"), null=True, blank=True)
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        indexes = [models.Index(fields=["active", "kind"], name="mediator_active_kind")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None


class MediatorTie(models.Model):
    """A declared tie (relative, employer, former client …) that bars a mediator from a party's case."""

    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="ties")
    relation = models.CharField(_("relation"), max_length=60)
    name = EncryptedTextField(_("name"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("declared tie")
        verbose_name_plural = _("declared ties")

    def __str__(self) -> str:
        return f"{self.mediator_id} · {self.relation}"


class RequestType(models.TextChoices):
    MEDIATION = "mediation", _("申请调解")
    CONSULTATION = "consultation", _("法律咨询")
    FILING = "filing", _("立案申请")
    CONFIRMATION = "confirmation", _("申请司法确认")


class Difficulty(models.TextChoices):
    SIMPLE = "simple", _("简易")
    NORMAL = "normal", _("一般")
    COMPLEX = "complex", _("疑难复杂")
    MAJOR = "major", _("重大")


class ChosenBy(models.TextChoices):
    CITIZEN = "citizen", _("群众自选")
    SUGGESTED = "suggested", _("系统推荐")
    ASSIGNED = "assigned", _("组织指派")


class Mediation(models.Model):
    """One mediation of one case.  ``code`` is the 解纷码: the citizen's unguessable tracking code."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="mediation")
    code = models.CharField(_("dispute code"), max_length=24, unique=True)
    request_type = models.CharField(_("request"), max_length=16, choices=RequestType.choices,
                                    default=RequestType.MEDIATION)
    kind = models.ForeignKey(MediationKind, verbose_name=_("kind"), on_delete=models.PROTECT,
                             related_name="mediations")
    dispute_type = models.ForeignKey(DisputeType, verbose_name=_("dispute type"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="mediations")
    status = models.CharField(_("status"), max_length=12,
                              choices=[(s.value, STATE_LABELS[s]) for s in MState], db_index=True)
    difficulty = models.CharField(_("difficulty"), max_length=8, choices=Difficulty.choices,
                                  default=Difficulty.NORMAL)
    demand = models.TextField(_("demand"), blank=True)
    amount = models.DecimalField(_("amount in dispute (yuan)"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    mediator = models.ForeignKey(Mediator, verbose_name=_("mediator"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="mediations")
    chosen_by = models.CharField(_("chosen by"), max_length=10, choices=ChosenBy.choices, blank=True)
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("organisation"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("jurisdictions.Area", verbose_name=_("street"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    applicant_phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    applied_at = models.DateTimeField(_("applied"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, db_index=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)  # 1–5
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    subsidy = models.DecimalField(_("subsidy (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        indexes = [
            models.Index(fields=["mediator", "status"], name="mediation_mediator_status"),
            models.Index(fields=["unit", "status"], name="mediation_unit_status"),
            models.Index(fields=["kind", "concluded_at"], name="mediation_kind_concluded"),
            models.Index(fields=["area", "concluded_at"], name="mediation_area_concluded"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def state(self) -> MState:
        return MState(self.status)


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已调解")
    CANCELLED = "cancelled", _("已取消")


class Session(models.Model):
    """An offline session: place and time, the parties told; afterwards its record (笔录)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    seq = models.PositiveSmallIntegerField()
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(_("planned minutes"), default=90)
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    record = models.TextField(_("record"), blank=True)
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["mediation_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["mediation", "seq"], name="session_seq_unique")]
        indexes = [models.Index(fields=["starts_at"], name="session_starts")]

    def __str__(self) -> str:
        return f"{self.mediation_id}#{self.seq}"


def document_path(instance: models.Model, filename: str) -> str:
    mediation = instance.mediation  # type: ignore[attr-defined]
    return f"mediation/{mediation.applied_at:%Y/%m}/{mediation.code}/{filename}"


class Performance(models.TextChoices):
    PENDING = "pending", _("待履行")
    PERFORMED = "performed", _("已履行")
    PARTLY = "partly", _("部分履行")
    BREACHED = "breached", _("未履行")


class Agreement(models.Model):
    """调解协议书: the facts and terms the parties signed, kept as a PDF made from the kind's template."""

    mediation = models.OneToOneField(Mediation, on_delete=models.CASCADE, related_name="agreement")
    facts = models.TextField(_("facts"))
    terms = models.TextField(_("terms"))
    perform_by = models.DateField(_("perform by"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to=document_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    performance = models.CharField(_("performance"), max_length=10, choices=Performance.choices,
                                   default=Performance.PENDING)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self) -> str:
        return f"{self.mediation_id} agreement"


class FollowUp(models.Model):
    """回访: a check on whether the agreement is being performed."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performance = models.CharField(max_length=10, choices=Performance.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["mediation_id", "at"]

    def __str__(self) -> str:
        return f"{self.mediation_id} {self.performance}"


class Route(models.TextChoices):
    LITIGATION = "litigation", _("诉讼")
    ARBITRATION = "arbitration", _("仲裁")
    ADMINISTRATIVE = "administrative", _("行政途径")
    PETITION = "petition", _("信访")


class Referral(models.Model):
    """诉调对接: a failed mediation passed on, with its file, to a court, an arbitration body or an office."""

    mediation = models.OneToOneField(Mediation, on_delete=models.CASCADE, related_name="referral")
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    to_unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("to"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.mediation_id} → {self.route}"


class ConfirmationStatus(models.TextChoices):
    PENDING = "pending", _("审查中")
    CONFIRMED = "confirmed", _("确认有效")
    REFUSED = "refused", _("不予确认")


class Confirmation(models.Model):
    """司法确认: the parties apply jointly; a judge of the court reviews the agreement and rules."""

    mediation = models.OneToOneField(Mediation, on_delete=models.CASCADE, related_name="confirmation")
    court = models.ForeignKey("jurisdictions.Unit", verbose_name=_("court"), on_delete=models.PROTECT,
                              related_name="+")
    applied_at = models.DateTimeField()
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    joint = models.BooleanField(_("applied jointly"), default=True)
    status = models.CharField(max_length=10, choices=ConfirmationStatus.choices,
                              default=ConfirmationStatus.PENDING)
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    ruled_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=document_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["court", "status"], name="confirmation_court_status")]

    def __str__(self) -> str:
        return f"{self.mediation_id} {self.status}"


class SubsidyRate(models.Model):
    """个案补贴: what a mediator is paid for a concluded case of a kind and difficulty (yuan)."""

    kind = models.ForeignKey(MediationKind, verbose_name=_("kind"), on_delete=models.CASCADE,
                             related_name="subsidy_rates")
    difficulty = models.CharField(_("difficulty"), max_length=8, choices=Difficulty.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    failed_share = models.DecimalField(_("share paid when mediation fails"), max_digits=3, decimal_places=2,
                                       default=0)

    class Meta:
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        constraints = [models.UniqueConstraint(fields=["kind", "difficulty"], name="subsidy_rate_unique")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_difficulty_display()} · {self.amount}"
