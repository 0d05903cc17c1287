"""Reads of the assessments, scoped to the actor (DESIGN rule 4): area roles see the decisions affecting
their area (an affected area inside theirs, or one containing theirs: a district-wide decision affects each
of its streets and grids); unit roles (and a unit's leader) the decisions their unit proposes or assesses or
holds a measure of; admins and city-wide roles all."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area
from fengqiao.kit.errors import NotFound
from fengqiao.kit.records import first_or
from fengqiao.stability.models import Decision, Measure


def _area_paths(user: User) -> list[str]:
    reach = scope.reach_of(user)
    ids = sorted(i for level_ids in reach.area_ids.values() for i in level_ids)
    return list(Area.objects.filter(pk__in=ids).values_list("path", flat=True)) if ids else []


def affecting(paths: list[str]) -> Q:
    """A Q over decisions affecting any of the areas at ``paths`` (inside, equal, or containing)."""
    if not paths:
        return scope.NOTHING
    q = scope.NOTHING
    for path in paths:
        parts = path.split("/")
        lineage = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        q |= Q(path__in=lineage) | Q(path__startswith=f"{path}/")
    through = Decision.areas.through.objects.filter(area__in=Area.objects.filter(q))
    return Q(pk__in=through.values("decision_id"))


def visible(user: User) -> QuerySet[Decision]:
    """The decisions ``user`` may read."""
    reach = scope.reach_of(user)
    if reach.everything:
        return Decision.objects.all()
    q = affecting(_area_paths(user))
    if reach.unit_ids:
        units = sorted(reach.unit_ids)
        q |= Q(proposing_unit_id__in=units) | Q(assessing_unit_id__in=units)
        q |= Q(pk__in=Measure.objects.filter(responsible_unit_id__in=units).values("decision_id"))
    return Decision.objects.filter(q)


def access_decision(user: User, code: str, *, for_update: bool = False) -> Decision:
    """The only permission-checked loader of a decision, by its code, scoped to ``user``, locked if asked."""
    return first_or(visible(user).filter(code=code),
                    NotFound(_("没有找到编号为 %(code)s 的评估事项，或您无权查看。") % {"code": code}),
                    for_update=for_update)
