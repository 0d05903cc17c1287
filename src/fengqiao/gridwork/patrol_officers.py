"""Officers on the patrol app (selectors): the grid teams' police officers, judges, prosecutors, lawyers and
mediators who have an account (``TeamMember.user``) visit for campaigns (律师进企业, 检察官进校园 …) whose
``team_role`` is their role on the team, at the campaign's target places in the grids they serve.

Their plan is not a grid worker's routine round: it is the running campaigns' target places in their grids
(the same targets coverage counts: ``coverage_campaigns.targets``), the ones not yet visited for the
campaign first, then by the campaign's last day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from fengqiao.accounts.models import User
from fengqiao.cases.permissions import ACTION_ROLES
from fengqiao.cases.states import Action
from fengqiao.gridwork import coverage_campaigns
from fengqiao.gridwork.models import Campaign, Place, TeamMember, TeamRole
from fengqiao.gridwork.patrol_reads import is_grid_worker
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock

OFFICER_TEAM_ROLES = tuple(r.value for r in TeamRole if r != TeamRole.GRID_WORKER)


def _rows(user: User) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(user=user, active=True, role__in=OFFICER_TEAM_ROLES) if user.pk else \
        TeamMember.objects.none()


def is_officer(user: User) -> bool:
    """An active officer on some grid's team, with this account."""
    return bool(user.is_authenticated and _rows(user).exists())


def is_patroller(user: User) -> bool:
    """May open the patrol app: a grid worker, or an officer on a grid team."""
    return is_grid_worker(user) or is_officer(user)


def may_report(user: User) -> bool:
    """May a problem found on a visit become a case at once: the account may register cases (grid workers,
    operators …).  Officers' accounts are their units' handlers: their findings go on the visit's note, and
    the grid's worker or dispatcher registers them (docs/gridwork/patrol.md)."""
    return bool(user.role_set() & ACTION_ROLES[Action.REGISTER])


def posts(user: User) -> dict[str, list[int]]:
    """Team role → the ids of the grids where the user serves in that role."""
    found: dict[str, list[int]] = defaultdict(list)
    for role, grid_id in _rows(user).order_by("role", "grid_id").values_list("role", "grid_id"):
        found[role].append(grid_id)
    return dict(found)


def roles_on(user: User, grid: Area) -> list[str]:
    """The user's active roles on the grid's team (officers and grid-worker cards alike)."""
    return sorted(TeamMember.objects.filter(user=user, grid=grid, active=True).values_list("role", flat=True))


def officer_grids(user: User) -> QuerySet[Area]:
    return Area.objects.filter(pk__in=_rows(user).values("grid_id")).order_by("path")


def running(roles: list[str], today: dt.date) -> QuerySet[Campaign]:
    return (Campaign.objects.filter(team_role__in=roles, starts_on__lte=today, ends_on__gte=today)
            .select_related("area").order_by("ends_on", "pk"))


@dataclass(frozen=True)
class CampaignItem:
    """A campaign's target place on an officer's plan."""

    place: Place
    campaign: Campaign
    last_visited_at: dt.datetime | None  # the last visit for the campaign, by its team role, in its dates
    today: dt.date

    @property
    def due_on(self) -> dt.date:
        return self.campaign.ends_on

    @property
    def overdue_days(self) -> int:
        """Negative while the campaign runs (days left), as the routine plan counts."""
        return (self.today - self.due_on).days

    @property
    def done(self) -> bool:
        return self.last_visited_at is not None


def campaign_plan(user: User, *, today: dt.date | None = None) -> list[CampaignItem]:
    """The running campaigns' target places in the grids the user serves in each campaign's team role; the
    places not yet visited for their campaign first, the campaign ending soonest first."""
    today = today or clock.today()
    by_role = posts(user)
    if not by_role:
        return []
    items: list[CampaignItem] = []
    for campaign in running(sorted(by_role), today):
        grids = Area.objects.filter(pk__in=by_role[campaign.team_role])
        start, end = coverage_campaigns.window(campaign)
        seen = Q(visits__campaign=campaign, visits__team_role=campaign.team_role, visits__observed_at__gte=start,
                 visits__observed_at__lt=end)
        places = (coverage_campaigns.targets(campaign, grids).select_related("grid")
                  .annotate(last=Max("visits__observed_at", filter=seen)))
        items += [CampaignItem(p, campaign, getattr(p, "last", None), today) for p in places]
    items.sort(key=lambda i: (i.done, i.due_on, i.place.grid.path, i.place.name, i.place.pk, i.campaign.pk))
    return items
