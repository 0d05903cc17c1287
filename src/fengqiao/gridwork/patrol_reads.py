"""What the patrol app reads (selectors): the grids a grid worker patrols, her plan of places ordered by how
overdue each is, her recent visits.  Every read starts from the actor's grid-worker memberships."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Category
from fengqiao.gridwork.models import Place, Visit
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock

RECENT_DAYS = 7
RECENT_LIMIT = 200


def is_grid_worker(user: User) -> bool:
    return bool(user.is_authenticated and Role.GRID_WORKER in user.role_set())


def worker_paths(user: User) -> list[str]:
    """The area paths of the user's grid-worker memberships (a grid, or a community she covers whole)."""
    if not is_grid_worker(user):
        return []
    return sorted(Membership.objects.filter(user=user, role=Role.GRID_WORKER, area__isnull=False)
                  .values_list("area__path", flat=True))


def in_paths(area: Area, paths: list[str]) -> bool:
    return any(area.path == p or area.path.startswith(f"{p}/") for p in paths)


def patrol_grids(user: User) -> QuerySet[Area]:
    """The grids the user patrols as a grid worker: her grids, or every grid under an area she covers."""
    paths = worker_paths(user)
    if not paths:
        return Area.objects.none()
    q = Q()
    for p in paths:
        q |= Q(path=p) | Q(path__startswith=f"{p}/")
    return Area.objects.filter(q, level=Level.GRID).order_by("path")


@dataclass(frozen=True)
class PlanItem:
    place: Place
    last_visited_at: dt.datetime | None
    due_on: dt.date
    today: dt.date

    @property
    def overdue_days(self) -> int:
        """Days past the due date (0 on the day, negative while not yet due)."""
        return (self.today - self.due_on).days


def plan(user: User, *, today: dt.date | None = None) -> list[PlanItem]:
    """The active places of the user's grids, most overdue first.  A place never visited is due from the day
    it was put on the plan; a visited one ``every_days`` after its last visit (by anyone, on the phone's clock)."""
    today = today or clock.today()
    places = (Place.objects.filter(grid__in=patrol_grids(user), active=True).select_related("grid")
              .annotate(last_visit=Max("visits__observed_at")))
    items = []
    for place in places:
        last: dt.datetime | None = getattr(place, "last_visit", None)
        if last is None:
            due = clock.localtime(place.created_at).date()
        else:
            due = clock.localtime(last).date() + dt.timedelta(days=place.every_days)
        items.append(PlanItem(place=place, last_visited_at=last, due_on=due, today=today))
    items.sort(key=lambda i: (i.due_on, i.place.grid.path, i.place.shown_name(True), i.place.pk))
    return items


def recent_visits(user: User, *, since: dt.datetime | None = None) -> QuerySet[Visit]:
    """The user's own visits observed since ``since`` (a week by default), newest first, at most 200."""
    since = since or clock.now() - dt.timedelta(days=RECENT_DAYS)
    return (Visit.objects.filter(worker=user, observed_at__gte=since)
            .select_related("place__grid", "grid", "case", "campaign").annotate(photo_count=Count("photos"))
            .order_by("-observed_at", "-pk")[:RECENT_LIMIT])


def report_categories() -> list[Category]:
    """The categories a report from the street may carry: the first two levels (the dispatcher refines)."""
    return list(Category.objects.filter(active=True, level__lte=2).select_related("parent").order_by("code"))
