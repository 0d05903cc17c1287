"""The closed loop's own rows (docs/closed-loop.md): evaluation invitations and joint consultations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EvaluationInvite(models.Model):
    """One invitation to evaluate one reply: a link code (8 characters) and an SMS code (6 digits), both
    stored as keyed hashes only, valid until the case's evaluation deadline; used once.  A resent SMS
    brings a fresh invitation for the same round and marks the one it replaces (``replaced_at``): one
    live invitation per round, the replaced ones kept so that their codes can say they were replaced."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="evaluation_invites")
    round = models.PositiveSmallIntegerField()  # the evaluation round this reply opens (reopen_count + 1)
    link_hash = models.CharField(max_length=64, unique=True)
    sms_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_via = models.CharField(max_length=8, blank=True)  # link, sms
    replaced_at = models.DateTimeField(null=True, blank=True)  # a resent invitation took its place

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "round"], condition=models.Q(replaced_at__isnull=True),
                                               name="evaluation_invite_live_round_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round}"


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("会商中")
    CONCLUDED = "concluded", _("已形成结论")


class Consultation(models.Model):
    """会商研判: several units convened on a hard case; a conclusion and follow-up tasks."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consultations")
    topic = models.CharField(_("topic"), max_length=200)
    convened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    convened_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.OPEN)
    conclusion = models.TextField(_("conclusion"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    concluded_at = models.DateTimeField(null=True, blank=True)
    decided_lead_unit = models.ForeignKey(
        "jurisdictions.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        indexes = [models.Index(fields=["case", "status"], name="consultation_case_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.topic}"


class ConsultationParticipant(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey("jurisdictions.Unit", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "unit"], name="consultation_unit_unique")]
        indexes = [models.Index(fields=["unit"], name="consultation_part_unit")]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.unit_id}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已完成")


class ConsultationTask(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey("jurisdictions.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("task"))
    working_days = models.PositiveSmallIntegerField()
    deadline = models.DateTimeField()
    status = models.CharField(max_length=6, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    done_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "status"], name="consultation_task_unit")]

    def __str__(self) -> str:
        return f"{self.consultation_id} → {self.unit_id}"
