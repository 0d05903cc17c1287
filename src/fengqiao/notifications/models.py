"""The notification outbox: one row per message to one recipient on one channel (DESIGN: notifications
are sent after commit).  The in-app channel's rows are the inbox itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.pii import EncryptedTextField


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Status(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    CANCELLED = "cancelled", _("已取消")


class Outbox(models.Model):
    """A message waiting to be sent, or sent.  ``dedup_key`` names the logical notification (the step, the
    deadline it was for, the recipient, the channel): the same step never queues twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )
    unit = models.ForeignKey(
        "jurisdictions.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    # a phone number (or e-mail address) of someone with no account and no reporter's place on a case —
    # an applicant verifying her phone, a respondent told of a session; encrypted, and cleared once the
    # message is sent or has failed for good
    to_address = EncryptedTextField(_("to"), blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    dedup_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"))
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_next"),
            models.Index(fields=["recipient", "channel", "read_at"], name="outbox_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_id or self.unit_id}: {self.subject}"
