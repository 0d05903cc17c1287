"""Duplicate search: each case's MinHash LSH bands, so candidates are one indexed query (DESIGN: de-dup);
reply quality reviews (答复质量审核)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseBand(models.Model):
    """One LSH band of a case's MinHash: two cases sharing a band hash are candidate duplicates.

    ``registered_at`` and ``street`` are copied from the case so the candidate query (same hash, same
    period, same street) reads this table alone, through the (hash, registered_at) index.
    """

    # (case, band) is unique: that index serves look-ups by case, so the foreign key needs none of its own
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    band = models.SmallIntegerField()
    hash = models.BigIntegerField()
    registered_at = models.DateTimeField()
    street = models.ForeignKey(
        "jurisdictions.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, db_constraint=False,
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "band"], name="case_band_unique")]
        indexes = [models.Index(fields=["hash", "registered_at"], name="case_band_hash_reg")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.band}"


class CommonShingles(models.Model):
    """Shingles that a large share of recent cases contain — boilerplate such as "我是…的居民，想反映…"
    that says nothing about the matter.  The exact check of duplicate candidates leaves them out, so two
    unrelated reports written from one template do not look alike.  Recomputed by ``fengqiao dedup
    index`` and a daily job; the newest row is the one in force."""

    computed_at = models.DateTimeField()
    sample_cases = models.PositiveIntegerField()
    min_share = models.FloatField()
    shingles = models.JSONField(default=list)

    class Meta:
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"{len(self.shingles)} common shingles ({self.computed_at:%Y-%m-%d})"


class ReplyReviewStatus(models.TextChoices):
    SENT = "sent", _("已发送")  # scored, not weak (or no reviewer): went to the citizen at once
    PENDING = "pending", _("答复待审")  # weak: held until the unit's reviewer decides
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回修改")
    SUPERSEDED = "superseded", _("已被新答复替代")


class ReplyReview(models.Model):
    """The quality scores of one reply, and — when it was weak — the unit reviewer's decision on it.

    A weak reply is held (the case stays 办理中, the hold is an internal event) until the reviewer approves
    it (then the reply event goes to the citizen) or sends it back with a note."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reply_reviews")
    unit = models.ForeignKey("jurisdictions.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("答复内容"))
    relevance = models.FloatField(_("相关性"))
    completeness = models.FloatField(_("完整性"))
    explanation = models.FloatField(_("可解释性"))
    reasons = models.JSONField(default=list)
    flagged = models.BooleanField(_("质量偏低"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=ReplyReviewStatus.choices)
    submitted_at = models.DateTimeField()
    event = models.ForeignKey("cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")  # the hold (internal note) or the reply event
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    decision_event = models.ForeignKey("cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    class Meta:
        verbose_name = _("答复质量审核")
        verbose_name_plural = _("答复质量审核")
        indexes = [models.Index(fields=["unit", "status"], name="reply_review_queue")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_status_display()}"


class HotIssueRun(models.Model):
    """One grouping of a city's recent cases into hot issues (the job's record of what it did, one row a run)."""

    city = models.ForeignKey("jurisdictions.Area", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    cases = models.PositiveIntegerField()
    issues = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        get_latest_by = "computed_at"
        indexes = [models.Index(fields=["city", "computed_at"], name="hot_run_city_at")]

    def __str__(self) -> str:
        return f"{self.city_id} · {self.computed_at:%Y-%m-%d %H:%M} · {self.issues}"


class HotIssue(models.Model):
    """Cases of the last days about one problem in one place (热点问题), with their heat.

    Rebuilt by each run for its city; an issue keeps its row (and its URL) from run to run while its
    earliest case (``anchor``) stays the same."""

    city = models.ForeignKey("jurisdictions.Area", on_delete=models.CASCADE, related_name="+")
    anchor = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("问题描述"), max_length=200)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    district = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    street = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    community = models.ForeignKey("jurisdictions.Area", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    heat = models.FloatField(_("热度指数"))
    size = models.PositiveIntegerField(_("件数"))
    people = models.PositiveIntegerField(_("反映人数"))
    supports = models.PositiveIntegerField(_("合并的重复件"), default=0)
    first_seen = models.DateTimeField(_("最早"))
    last_seen = models.DateTimeField(_("最近"))
    terms = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    cases = models.ManyToManyField("cases.Case", through="HotIssueCase", related_name="+")

    class Meta:
        verbose_name = _("热点问题")
        verbose_name_plural = _("热点问题")
        constraints = [models.UniqueConstraint(fields=["city", "anchor"], name="hot_issue_city_anchor")]
        indexes = [models.Index(fields=["city", "-heat"], name="hot_issue_city_heat")]

    def __str__(self) -> str:
        return f"{self.title} ({self.size})"


class HotIssueCase(models.Model):
    issue = models.ForeignKey(HotIssue, on_delete=models.CASCADE, related_name="members")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "case"], name="hot_issue_case_unique")]
        indexes = [models.Index(fields=["case"], name="hot_issue_case_case")]

    def __str__(self) -> str:
        return f"{self.issue_id} ∋ {self.case_id}"
