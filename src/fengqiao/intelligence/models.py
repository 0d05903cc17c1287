"""Duplicate search: each case's MinHash LSH bands, so candidates are one indexed query (DESIGN: de-dup)."""

from __future__ import annotations

from django.db import models


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
