"""重点户: the households on a patrol plan are people — a name, a home address, often why they are watched
(独居老人, 低保户, 残疾人家庭).  Encrypted at rest (``Place.household_name``/``household_address``, sealed by
the model), masked on every page, and shown in full only to those who visit them, every full view audited
(DESIGN rule 7; docs/gridwork/patrol.md, "Households").

Who sees a grid's households in full: the grid's grid worker (a grid-worker membership on the grid or an
area above it), an active member of the grid's team (the officers who visit for a campaign), and
administrators.  Leaders, dispatchers, risk officers and the coverage pages see ``王**`` and a masked
address: they count and chase places, they do not call on the people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import PersonalDataView
from fengqiao.audit.services import record_personal_data_view
from fengqiao.gridwork.models import Place, PlaceKind, TeamMember
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock

FIELDS = ("place.name", "place.address")
BATCH = 500


def _paths_of(area: Area) -> list[str]:
    parts = area.path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def full_view_role(user: User, grid: Area) -> str | None:
    """The role under which ``user`` sees ``grid``'s households in full (for the audit row), or None."""
    if not user.is_authenticated:
        return None
    if user.is_superuser or Role.ADMIN in user.role_set():
        return Role.ADMIN.value
    if Membership.objects.filter(user=user, role=Role.GRID_WORKER, area__path__in=_paths_of(grid)).exists():
        return Role.GRID_WORKER.value
    mine = TeamMember.objects.filter(grid=grid, user=user, active=True).values_list("role", flat=True).first()
    return f"team_{mine}" if mine else None


def record_full_view(user: User, role: str, grid: Area, *, purpose: str, subject: str = "",
                     ip_address: str | None = None) -> bool:
    """Record that ``user`` saw ``grid``'s households in full — once a day per subject and purpose: the patrol
    app re-reads its plan dozens of times a day, and the audit answers who saw whose data on which day.
    True when a row was written."""
    subject = (subject or f"grid:{grid.code}")[:60]
    since = clock.at_local(clock.today(), dt.time())
    seen = PersonalDataView.objects.filter(user=user, subject=subject, fields=",".join(FIELDS), purpose=purpose,
                                           at__gte=since).exists()
    if seen:
        return False
    record_personal_data_view(user, role=role[:20], subject=subject, fields=FIELDS, purpose=purpose,
                              ip_address=ip_address)
    return True


def has_households(places: Iterable[Place | None]) -> bool:
    return any(p is not None and p.kind == PlaceKind.HOUSEHOLD for p in places)


def seal_households(places: QuerySet[Place] | None = None) -> int:
    """Seal households written around the model (raw SQL inserts, ``update()``): their plain name and address
    move to the encrypted fields.  Idempotent; returns how many were sealed."""
    rows = list((places if places is not None else Place.objects.all())
                .filter(kind=PlaceKind.HOUSEHOLD, household_name=""))
    for place in rows:
        place.seal()
    Place.objects.bulk_update(rows, ["name", "address", "household_name", "household_address"], batch_size=BATCH)
    return len(rows)
