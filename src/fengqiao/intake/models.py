"""Intake: the doors matters come through — API keys for push channels, file imports and their errors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Channel
from fengqiao.kit.pii import EncryptedJSONField


class ChannelKey(models.Model):
    """An API key for one channel's push endpoint (and Open311 clients).  Only a hash is stored.

    A request with the key acts as ``account`` (a service user with a registering role, e.g. an operator
    of the hotline centre), so every case it registers goes through the same services and scope.
    """

    name = models.CharField(_("name"), max_length=80)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True)  # shown to admins, e.g. fq_7K3M9Q
    key_hash = models.CharField(max_length=64, unique=True)  # sha256 of the whole key
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acts as"), on_delete=models.PROTECT, related_name="+",
    )
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel API key")
        verbose_name_plural = _("channel API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    """One file import.  Each batch commits with its :class:`ImportBatch` record (the rows it covered) and
    its counters, so a re-run skips exactly the batches already written — whichever worker wrote them —
    and (channel, external id) makes re-importing a row a no-op: a crash loses and doubles nothing.
    ``next_row`` is the furthest row reached, ``done_rows`` how many rows are done (the progress)."""

    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    file_name = models.CharField(_("file"), max_length=200)
    file_path = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    mapping = models.JSONField(_("column mapping"))
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    next_row = models.PositiveIntegerField(_("next row"), default=0)
    done_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("registered"), default=0)
    duplicates = models.PositiveIntegerField(_("already registered"), default=0)
    failed = models.PositiveIntegerField(_("bad rows"), default=0)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ImportBatch(models.Model):
    """A committed batch of an import: rows ``first_row``..``last_row`` of the file are done."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="batches")
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "first_row"], name="import_batch_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.first_row}–{self.last_row}"


class ImportRowError(models.Model):
    """A bad row: its number in the file (header = row 1 for CSV/XLSX; line number for JSON Lines),
    the field, the reason, and the raw values, for the downloadable error report."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=80, blank=True)
    message = models.CharField(_("reason"), max_length=500)
    raw = EncryptedJSONField(default=dict, blank=True)  # the row's cells hold personal data: encrypted

    class Meta:
        ordering = ["job", "row"]
        constraints = [models.UniqueConstraint(fields=["job", "row", "field"], name="import_row_error_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} {self.field} {self.message}"
