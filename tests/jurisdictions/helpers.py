"""Helpers for the import/export tests."""

from __future__ import annotations

import io

from fengqiao.accounts.models import Membership
from fengqiao.jurisdictions.io import export_areas, export_units
from fengqiao.jurisdictions.models import LEVEL_ORDER, Area, Unit


def exported(fmt: str, **filters: str) -> str:
    out = io.StringIO()
    export_areas(out, fmt, **filters)
    return out.getvalue()


def exported_units(fmt: str) -> str:
    out = io.StringIO()
    export_units(out, fmt)
    return out.getvalue()


def empty_units() -> None:
    Membership.objects.all().delete()
    while Unit.objects.exists():  # children before parents (PROTECT)
        Unit.objects.filter(children__isnull=True).delete()


def empty_tree() -> None:
    """An empty jurisdiction tree (memberships and units go first: they point into it)."""
    empty_units()
    for level in reversed(LEVEL_ORDER):
        Area.objects.filter(level=level).delete()
    assert not Area.objects.exists()
