"""Campaigns' coverage (专项行动覆盖率): the share of a campaign's target places visited for it.

* **targets**: the active places of the campaign's kinds (every kind when it names none) in the grids under the
  campaign's area (its path and below), created before the campaign's end — and, on a page, in the grids the
  reader reaches;
* **visited**: targets with at least one visit recorded *for the campaign* (``Visit.campaign``) by the
  campaign's team role (``Visit.team_role``: a 检察官进校园 drive counts prosecutors' visits), observed between
  ``starts_on`` 00:00 and ``ends_on`` 24:00 local time;
* **coverage** = visited ÷ targets (None with no targets), per grid and overall.

One GROUP BY per campaign (``visit_campaign_place`` answers the EXISTS), never a query per grid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.fields import IntegerField
from django.db.models.functions import Cast

from fengqiao.gridwork.coverage import AreaCoverage, grid_rows
from fengqiao.gridwork.models import Campaign, Place, Visit
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock


class Status(StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"


def window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    return (clock.at_local(campaign.starts_on, dt.time()),
            clock.at_local(campaign.ends_on + dt.timedelta(days=1), dt.time()))


def status(campaign: Campaign, today: dt.date | None = None) -> Status:
    day = today or clock.today()
    if day < campaign.starts_on:
        return Status.UPCOMING
    return Status.RUNNING if day <= campaign.ends_on else Status.ENDED


def _under(area: Area, field: str) -> Q:
    return Q(**{f"{field}path": area.path}) | Q(**{f"{field}path__startswith": f"{area.path}/"})


def targets(campaign: Campaign, grids: QuerySet[Area]) -> QuerySet[Place]:
    """The campaign's target places among ``grids`` (already scoped to the reader)."""
    _start, end = window(campaign)
    places = Place.objects.filter(_under(campaign.area, "grid__"), active=True, created_at__lt=end,
                                  grid__in=grids.values("pk"))
    if campaign.place_kinds:
        places = places.filter(kind__in=list(campaign.place_kinds))
    return places


def _visited(campaign: Campaign) -> Exists:
    start, end = window(campaign)
    return Exists(Visit.objects.filter(place_id=OuterRef("pk"), campaign_id=campaign.pk, team_role=campaign.team_role,
                                       observed_at__gte=start, observed_at__lt=end))


@dataclass
class CampaignCoverage:
    campaign: Campaign
    status: Status
    targets: int = 0
    visited: int = 0
    visits: int = 0  # visits recorded for the campaign in its window, by any role, to any place
    grids: list[AreaCoverage] = field(default_factory=list)  # per grid (planned = targets)
    streets: list[AreaCoverage] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        return None if not self.targets else self.visited / self.targets


def _counts(campaign: Campaign, grids: QuerySet[Area]) -> dict[int, tuple[int, int]]:
    rows = (targets(campaign, grids).annotate(seen=Cast(_visited(campaign), IntegerField()))
            .values("grid_id").annotate(n=Count("pk"), hit=Sum("seen")).values_list("grid_id", "n", "hit").order_by())
    return {grid_id: (n, int(hit or 0)) for grid_id, n, hit in rows}


def campaign_visits(campaign: Campaign, grids: QuerySet[Area]) -> int:
    start, end = window(campaign)
    return Visit.objects.filter(campaign_id=campaign.pk, grid__in=grids.values("pk"), observed_at__gte=start,
                                observed_at__lt=end).count()


def summary(campaign: Campaign, grids: QuerySet[Area]) -> CampaignCoverage:
    """Overall figures only (the campaigns list)."""
    found = targets(campaign, grids).aggregate(n=Count("pk"), hit=Sum(Cast(_visited(campaign), IntegerField())))
    return CampaignCoverage(campaign=campaign, status=status(campaign), targets=found["n"] or 0,
                            visited=int(found["hit"] or 0), visits=campaign_visits(campaign, grids))


def campaign_coverage(campaign: Campaign, grids: QuerySet[Area]) -> CampaignCoverage:
    """Per grid (the grids under the campaign's area that ``grids`` holds, with or without targets) and by street."""
    counts = _counts(campaign, grids)
    result = CampaignCoverage(campaign=campaign, status=status(campaign), visits=campaign_visits(campaign, grids))
    streets: dict[str, AreaCoverage] = {}
    for grid in grid_rows(grids.filter(_under(campaign.area, ""))):
        row = AreaCoverage(code=grid.code, name=grid.name, grids=1)
        row.planned, row.visited = counts.get(grid.grid_id, (0, 0))
        result.targets += row.planned
        result.visited += row.visited
        result.grids.append(row)
        street = streets.setdefault(grid.street_code, AreaCoverage(code=grid.street_code, name=grid.street))
        street.grids += 1
        street.planned += row.planned
        street.visited += row.visited
    result.streets = list(streets.values())
    return result
