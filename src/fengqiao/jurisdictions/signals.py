"""Keep the point → grid index fresh: an edited or deleted area drops this process's index."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from fengqiao.jurisdictions import geo
from fengqiao.jurisdictions.models import Area


def _area_changed(**kwargs: Any) -> None:
    geo.invalidate()


def connect() -> None:
    post_save.connect(_area_changed, sender=Area, dispatch_uid="area_saved")
    post_delete.connect(_area_changed, sender=Area, dispatch_uid="area_deleted")
