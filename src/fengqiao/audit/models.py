"""Audit records that are not case events: who saw personal data, and anchors of all chains' heads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    INTERNAL = "internal", _("内部")
    PARTIES = "parties", _("当事人可见")
    PUBLIC = "public", _("公开")


class PersonalDataView(models.Model):
    """One view of personal data in full, by whom, of what, and why (DESIGN rule 7)."""

    at = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20)
    subject = models.CharField(_("subject"), max_length=60, db_index=True)
    fields = models.CharField(_("fields"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("personal data view")
        verbose_name_plural = _("personal data views")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.subject} {self.fields}"


class Anchor(models.Model):
    """A periodic seal over the heads of all case chains that moved since the previous anchor."""

    at = models.DateTimeField(_("time"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} ({self.entries})"


class AnchorEntry(models.Model):
    anchor = models.ForeignKey(Anchor, on_delete=models.PROTECT, related_name="+")
    stream_id = models.BigIntegerField(db_index=True)
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["anchor", "stream_id"], name="anchor_entry_unique")]

    def __str__(self) -> str:
        return f"{self.anchor_id}:{self.stream_id}@{self.seq}"
