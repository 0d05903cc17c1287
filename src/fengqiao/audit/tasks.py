from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.audit.verify import anchor


@db_periodic_task(crontab(minute="7"))
def anchor_heads() -> int:
    """Hourly: seal the heads of the case chains that moved."""
    created = anchor()
    return created.entries if created else 0
