"""Cases: one record per matter, however many reports it collects (DESIGN: "one matter = one case")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.audit.models import Audience
from fengqiao.cases.states import STATE_LABELS, State
from fengqiao.kit.pii import EncryptedTextField


class Channel(models.TextChoices):
    HOTLINE_12345 = "hotline_12345", _("12345 热线")
    POLICE_110 = "police_110", _("110 非警务警情")
    PROCURATORATE_12309 = "procuratorate_12309", _("12309 检察服务")
    COURT_12368 = "court_12368", _("12368 诉讼服务")
    MINI_PROGRAM = "mini_program", _("小程序")
    PETITION = "petition", _("信访")
    GRID_PATROL = "grid_patrol", _("网格巡查")
    WALK_IN = "walk_in", _("来访")
    MESSAGE_BOARD = "message_board", _("网络留言板")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    VERY_URGENT = "very_urgent", _("特急")


class Category(models.Model):
    """A node of the three-level category tree (一级 / 二级 / 三级分类)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    units = models.ManyToManyField(
        "jurisdictions.Unit", verbose_name=_("handling units"), blank=True, related_name="categories",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("小时")
    WORKING_DAYS = "working_days", _("工作日")


class DeadlinePolicy(models.Model):
    """How long a unit has to sign for and to resolve a matter of a category and urgency.

    The most specific row wins: (category, urgency), then the category's ancestors, then a row with no
    category (the city's default).  An empty urgency matches every urgency.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="deadline_policies",
    )
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, blank=True)
    accept_hours = models.PositiveIntegerField(_("hours to sign for"), default=24)
    resolve_amount = models.PositiveIntegerField(_("time to resolve"))
    resolve_unit = models.CharField(_("counted in"), max_length=14, choices=TimeUnit.choices)
    evaluation_days = models.PositiveIntegerField(_("days for the citizen to evaluate"), default=7)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="deadline_policy_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('默认')} · {self.get_urgency_display() or _('全部')}"


class Case(models.Model):
    code = models.CharField(_("tracking code"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices, db_index=True)
    external_ref = models.CharField(_("external reference"), max_length=64, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(
        _("status"), max_length=12, choices=[(s.value, STATE_LABELS[s]) for s in State],
    )

    address = models.CharField(_("place"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "jurisdictions.Area", verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    street = models.ForeignKey(
        "jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    district = models.ForeignKey(
        "jurisdictions.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    lead_unit = models.ForeignKey(
        "jurisdictions.Unit", verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    registered_unit = models.ForeignKey(
        "jurisdictions.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("citizen account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="own_cases",
    )

    registered_at = models.DateTimeField(_("registered"), db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    accept_deadline = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    evaluation_deadline = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_since = models.DateTimeField(null=True, blank=True)
    supervision_level = models.PositiveSmallIntegerField(_("supervision level"), default=0)
    # --- supervision ladder progress (cases/supervision.py): the last ladder step taken, counted against
    # the deadline it was taken for; a new deadline (an extension, a reopen) starts the ladder afresh.
    ladder_step = models.PositiveSmallIntegerField(default=0)
    ladder_deadline = models.DateTimeField(null=True, blank=True)
    # --- end supervision ladder progress
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    reply = models.TextField(_("reply"), blank=True)
    satisfaction = models.CharField(_("evaluation"), max_length=20, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="duplicates",
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)

    # the head of this case's event chain (DESIGN rule 11)
    event_seq = models.PositiveIntegerField(default=0)
    event_head = models.CharField(max_length=64, default="")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"], name="case_channel_external_ref_unique",
                condition=models.Q(external_ref__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "registered_at"], name="case_status_reg"),
            models.Index(fields=["lead_unit", "status", "registered_at"], name="case_unit_status"),
            models.Index(fields=["district", "status", "registered_at"], name="case_district_status"),
            models.Index(fields=["street", "status", "registered_at"], name="case_street_status"),
            models.Index(fields=["grid", "registered_at"], name="case_grid_reg"),
            models.Index(fields=["community", "registered_at"], name="case_community_reg"),
            models.Index(fields=["street", "registered_at"], name="case_street_reg"),
            models.Index(fields=["district", "registered_at"], name="case_district_reg"),
            models.Index(fields=["overdue", "status"], name="case_overdue_status"),
            models.Index(fields=["deadline"], name="case_deadline"),
            # 待分拨, the dispatchers' queue, oldest first: in a busy hour it grows by thousands an hour, and
            # sorting all of it for each page of 25 took 30 ms of the database (bench/load.py); this index
            # hands the page over in order (PostgreSQL; SQLite keeps sorting the small queue, kit.sql.Unindexed)
            models.Index(fields=["registered_at", "id"], name="case_dispatch_queue",
                         condition=models.Q(status__in=["registered", "returned", "reopened"])),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def state(self) -> State:
        return State(self.status)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    ACCEPTED = "accepted", _("已签收")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")
    DONE = "done", _("已办结")


class Assignment(models.Model):
    """A unit's part in a case: lead or assisting, from dispatch to reply."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("jurisdictions.Unit", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(_("status"), max_length=10, choices=AssignmentStatus.choices)
    dispatched_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "status"], name="assignment_unit_status"),
            # the monthly ranking reads a month of lead assignments by dispatch and by close
            models.Index(fields=["dispatched_at"], name="assignment_dispatched"),
            models.Index(fields=["closed_at"], name="assignment_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.unit_id} ({self.role}, {self.status})"


class PartyRole(models.TextChoices):
    REPORTER = "reporter", _("反映人")
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    OTHER = "other", _("其他当事人")


class Party(models.Model):
    """A person in a case.  Name, phone, ID number and address are encrypted; hashes serve look-ups."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    name = EncryptedTextField(_("name"))
    phone = EncryptedTextField(_("phone"), blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.case.registered_at:%Y/%m}/{instance.case.code}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # None: uploaded by a party without an account (the citizen app: a phone verified by a code)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PARTIES)

    def __str__(self) -> str:
        return self.name


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


class ExtensionRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    unit = models.ForeignKey("jurisdictions.Unit", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    working_days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.case_id} +{self.working_days} ({self.status})"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Evaluation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    round = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=12, choices=Satisfaction.choices)
    comment = models.TextField(blank=True)
    via = models.CharField(max_length=12)  # citizen, callback
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="evaluation_round_unique")]
        indexes = [models.Index(fields=["at"], name="evaluation_at")]  # the ranking's month of evaluations

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round} {self.rating}"


class CaseEvent(models.Model):
    """One action on a case: its history, the citizen's timeline (by audience) and the audit trail.

    Append-only and hash-chained per case (see fengqiao.audit.chain).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    unit = models.ForeignKey(
        "jurisdictions.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]
        indexes = [models.Index(fields=["at"], name="case_event_at")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def chain_fields(self) -> dict[str, object]:
        return {
            "case": self.case_id,
            "seq": self.seq,
            "action": self.action,
            "from": self.from_state,
            "to": self.to_state,
            "at": self.at,
            "actor": self.actor_id,
            "role": self.actor_role,
            "unit": self.unit_id,
            "audience": self.audience,
            "note": self.note,
            "data": self.data,
        }


# --- the closed loop (docs/closed-loop.md): evaluation invitations, joint consultations; in their own module
from fengqiao.cases.loop_models import (  # noqa: E402, F401
    Consultation,
    ConsultationParticipant,
    ConsultationTask,
    EvaluationInvite,
)

# --- routing as data (docs/routing.md): rules, fallbacks, disputes, the flow list; kept in their own module
from fengqiao.cases.routing_models import (  # noqa: E402, F401
    CaseFlow,
    Dispute,
    FlowRule,
    RoutingFallback,
    RoutingRule,
)

# --- the supervision ladder (docs/supervision.md): its steps per category × urgency; kept in their own module
from fengqiao.cases.supervision_models import (  # noqa: E402, F401
    SupervisionLadder,
    SupervisionStep,
)
