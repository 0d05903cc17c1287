"""The one place that says what an actor may see (DESIGN rule 4; polar's get_readable_statement).

``case_filter(actor)`` is a Q over the case table; every selector that reads cases applies it.  A user's
reach is the union of her memberships:

* area roles (grid worker, operator, dispatcher, risk officer, leader): cases located in their area;
* unit roles (handler, mediator, judge): cases their unit leads or assists, or takes part in a joint
  consultation on (while it is open, or while the unit has an open task from it);
* citizens: their own cases, and the cases their own were merged into;
* administrators: everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import AREA_ROLES, UNIT_ROLES, Role
from fengqiao.jurisdictions.models import Area, Level

NOTHING = Q(pk__in=[])

# the Case column that holds an area of each level
_CASE_AREA_FIELD = {
    Level.DISTRICT: "district_id",
    Level.STREET: "street_id",
    Level.COMMUNITY: "community_id",
    Level.GRID: "grid_id",
}


@dataclass(frozen=True)
class Reach:
    """What one user reaches, resolved once per request."""

    everything: bool
    area_ids: dict[str, frozenset[int]]  # level → area ids
    unit_ids: frozenset[int]
    own_user_id: int | None
    roles: frozenset[Role]


def reach_of(user: User) -> Reach:
    cached: Reach | None = getattr(user, "_reach", None)
    if cached is not None:
        return cached
    roles = user.role_set() if user.is_authenticated else frozenset()
    everything = user.is_authenticated and (user.is_superuser or Role.ADMIN in roles)
    area_ids: dict[str, set[int]] = {}
    unit_ids: set[int] = set()
    if user.is_authenticated and not everything:
        rows = Membership.objects.filter(user=user).values_list("role", "unit_id", "area_id", "area__level")
        for role, unit_id, area_id, level in rows:
            if Role(role) in AREA_ROLES and area_id is not None:
                if level == Level.CITY:
                    everything = True
                else:
                    area_ids.setdefault(level, set()).add(area_id)
            if unit_id is not None and (Role(role) in UNIT_ROLES or role == Role.LEADER):
                # a unit's leader (局长, 主任) reaches what was assigned to the unit, like its handlers
                unit_ids.add(unit_id)
    reach = Reach(
        everything=everything,
        area_ids={k: frozenset(v) for k, v in area_ids.items()},
        unit_ids=frozenset(unit_ids),
        own_user_id=user.pk if Role.CITIZEN in roles else None,
        roles=roles,
    )
    user._reach = reach  # type: ignore[attr-defined]
    return reach


def case_filter(user: User, *, prefix: str = "") -> Q:
    """A Q over cases (or, with ``prefix="case__"``, over rows that point to a case)."""
    reach = reach_of(user)
    if reach.everything:
        return Q()
    q = NOTHING
    for level, ids in reach.area_ids.items():
        q |= Q(**{f"{prefix}{_CASE_AREA_FIELD[Level(level)]}__in": sorted(ids)})
    if reach.unit_ids:
        from fengqiao.cases.models import Assignment  # a sub-query, so a case shows once

        assigned = Assignment.objects.filter(unit_id__in=sorted(reach.unit_ids)).values("case_id")
        q |= Q(**{f"{prefix}id__in": assigned})
        from fengqiao.cases.consultation_reads import cases_taking_part  # 会商研判: while a unit takes part

        q |= Q(**{f"{prefix}id__in": cases_taking_part(sorted(reach.unit_ids))})
    if reach.own_user_id is not None:
        q |= Q(**{f"{prefix}citizen_id": reach.own_user_id})
        followed = _followed_primaries(reach.own_user_id)
        if followed:
            q |= Q(**{f"{prefix}id__in": followed})
    return q


def _followed_primaries(citizen_id: int) -> list[int]:
    """The cases a citizen's own reports were merged into, and theirs in turn when a primary was itself
    merged later: she follows every hop to the case that carries her matter now."""
    from fengqiao.cases.models import Case

    found: set[int] = set()
    frontier = set(Case.objects.filter(citizen_id=citizen_id, duplicate_of__isnull=False)
                   .values_list("duplicate_of_id", flat=True))
    while frontier - found:
        frontier -= found
        found |= frontier
        frontier = set(Case.objects.filter(pk__in=sorted(frontier), duplicate_of__isnull=False)
                       .values_list("duplicate_of_id", flat=True))
    return sorted(found)


def area_filter(user: User, *, field: str = "") -> Q:
    """A Q over areas: those the user's area roles reach (subtrees), for area pickers and maps."""
    reach = reach_of(user)
    if reach.everything:
        return Q()
    q = NOTHING
    if reach.area_ids:
        paths = Area.objects.filter(
            id__in=[i for ids in reach.area_ids.values() for i in ids]
        ).values_list("path", flat=True)
        for path in paths:
            q |= Q(**{f"{field}path": path}) | Q(**{f"{field}path__startswith": f"{path}/"})
    return q


def units_of(user: User, *roles: Role) -> list[int]:
    """The units in which the user holds one of ``roles`` (all unit roles by default)."""
    wanted = [r.value for r in (roles or tuple(UNIT_ROLES))]
    return list(
        Membership.objects.filter(user=user, role__in=wanted, unit__isnull=False).values_list("unit_id", flat=True)
    )


def area_columns_filter(reach: Reach, columns: dict[Level, str]) -> Q:
    """A Q over rows that carry an area of some levels in their own ``columns`` (level → column, e.g. a risk
    entry's ``street_id``): those located in the reach's areas.  Levels without a column are not reached."""
    q = NOTHING
    for level, ids in reach.area_ids.items():
        column = columns.get(Level(level))
        if column is not None:
            q |= Q(**{f"{column}__in": sorted(ids)})
    return q
