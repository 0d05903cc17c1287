"""kit.bulk: COPY (PostgreSQL) / executemany (SQLite) inserts, and their errors as Django's."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from fengqiao.cases.models import Category
from fengqiao.kit import bulk

pytestmark = pytest.mark.django_db

COLUMNS = ["code", "name", "level", "active"]


def test_rows_are_inserted() -> None:
    bulk.insert_rows(Category._meta.db_table, COLUMNS, [("91", "甲", 1, True), ("92", "乙", 1, True)])
    assert list(Category.objects.filter(code__in=["91", "92"]).order_by("code").values_list("name", flat=True)) == [
        "甲", "乙"]


def test_a_unique_clash_is_djangos_integrity_error_and_writes_nothing() -> None:
    """Callers retry on django.db.IntegrityError (register_bulk: a tracking code another import worker
    took meanwhile); a COPY through the raw driver cursor must raise that, not the driver's own class."""
    Category.objects.create(code="93", name="丙", level=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(Category._meta.db_table, COLUMNS, [("94", "丁", 1, True), ("93", "重", 1, True)])
    assert not Category.objects.filter(code="94").exists()
