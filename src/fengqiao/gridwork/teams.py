"""Grid teams (网格团队): who works a grid — its grid worker(s), the 三官一律 (police officer, judge,
prosecutor, lawyer) and its mediator — read for the grid's page, for routing, and for the completeness
list (docs/gridwork/teams.md).

**Who is a grid's grid worker.**  Memberships decide: an account holding the ``grid_worker`` role on the
grid is its grid worker (that is what gives her the grid's cases and the patrol app).  A ``TeamMember`` row
with role ``grid_worker`` is her *team card* (the name and work phone shown on the grid's page, since when);
the team lists each account once, with its card when there is one, and a card without an account (a
网格助理 with no login) as such.  A card naming an account that holds no ``grid_worker`` membership on the
grid is listed but flagged (``no_access``): the import refuses to write one.  Completeness counts a grid
as having a grid worker only when an *account* holds the membership — a grid no one can log a visit in is
a blind spot whatever the list says.

Officers are ``TeamMember`` rows only: they serve several grids, and many have no account.

Names of team members are shown in full (they are named on the community's 公示 board); their phones are
personal data: masked, and shown in full only through :func:`team` with ``reveal=True`` for a user
:func:`may_reveal` allows, with the view audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit.services import record_personal_data_view
from fengqiao.cases.models import Case, Category
from fengqiao.gridwork.models import TeamMember, TeamRole
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import pii
from fengqiao.kit.errors import NotFound, PermissionDenied

# the order a team is listed in, and the roles the completeness list checks
TEAM_ORDER = (TeamRole.GRID_WORKER, TeamRole.POLICE, TeamRole.JUDGE, TeamRole.PROSECUTOR, TeamRole.LAWYER,
              TeamRole.MEDIATOR)
# roles whose members in an area may see team members' phones in full (audited): those who call them
PHONE_ROLES = frozenset({Role.GRID_WORKER, Role.DISPATCHER, Role.LEADER, Role.RISK_OFFICER})
# roles who read the completeness list of the grids in their area
GAP_ROLES = frozenset({Role.LEADER, Role.DISPATCHER})
# team roles a dispute may go to straight from the dispatch form, in the order offered
DISPUTE_ROLES = (TeamRole.MEDIATOR, TeamRole.LAWYER)
DISPUTE_WORDS = ("纠纷", "矛盾", "调解")


@dataclass(frozen=True)
class Member:
    role: str
    role_label: str
    name: str
    phone: str  # masked unless revealed
    masked: bool
    unit_id: int | None = None
    unit_name: str = ""
    user_id: int | None = None
    since: dt.date | None = None
    member_id: int | None = None  # the TeamMember row; None for a grid worker known only by her membership
    no_access: bool = False  # a grid-worker card naming an account without the grid's grid_worker membership


@dataclass(frozen=True)
class Team:
    grid: Area
    members: list[Member]
    revealed: bool = False

    def by_role(self) -> list[tuple[str, str, list[Member]]]:
        """(role, label, members) for every team role, in TEAM_ORDER, empty ones included."""
        labels = dict(TeamRole.choices)
        return [(r.value, str(labels[r]), [m for m in self.members if m.role == r]) for r in TEAM_ORDER]

    @property
    def missing(self) -> list[str]:
        have = {m.role for m in self.members
                if m.role != TeamRole.GRID_WORKER or (m.user_id is not None and not m.no_access)}
        return [r.value for r in TEAM_ORDER if r.value not in have]


# --- access -------------------------------------------------------------------------------------------


def _paths_of(path: str) -> list[str]:
    """The path and its ancestors' paths ("3212", "3212/321202", …)."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _ancestor_paths(area: Area) -> list[str]:
    return _paths_of(area.path)


def on_team(user: User, grid: Area) -> bool:
    return TeamMember.objects.filter(grid=grid, user=user, active=True).exists()


def can_open(user: User, grid: Area) -> bool:
    """The grid's page: area roles over it (a grid worker her grid, a street its grids …), administrators,
    and the grid's own team members; not a unit's handlers as such."""
    if not user.is_authenticated:
        return False
    reach = scope.reach_of(user)
    if reach.everything:
        return True
    if reach.area_ids and Area.objects.filter(scope.area_filter(user), pk=grid.pk).exists():
        return True
    return on_team(user, grid)


def access_grid(user: User, code: str) -> Area:
    """The grid with ``code`` if the user may open its page; NotFound otherwise (as for a case: a grid out
    of reach is not confirmed to exist)."""
    grid = Area.objects.filter(code=code, level=Level.GRID).select_related("parent__parent__parent").first()
    if grid is None or not can_open(user, grid):
        raise NotFound(_("没有找到网格 %(code)s，或您无权查看。") % {"code": code})
    return grid


def _phone_role(user: User, grid: Area) -> str | None:
    """The role under which the user may see the grid team's phones in full, or None: an administrator;
    a grid worker, dispatcher, leader or risk officer whose area holds the grid; a member of the team."""
    if user.is_superuser or Role.ADMIN in user.role_set():
        return Role.ADMIN.value
    held = (Membership.objects.filter(user=user, role__in=sorted(PHONE_ROLES), area__path__in=_ancestor_paths(grid))
            .order_by("role").values_list("role", flat=True).first())
    if held:
        return str(held)
    mine = TeamMember.objects.filter(grid=grid, user=user, active=True).values_list("role", flat=True).first()
    return f"team_{mine}" if mine else None


def may_reveal(user: User, grid: Area) -> bool:
    return _phone_role(user, grid) is not None


# --- the team -----------------------------------------------------------------------------------------


def team(grid: Area, *, viewer: User | None = None, reveal: bool = False, ip_address: str | None = None) -> Team:
    """The grid's team, phones masked; with ``reveal`` in full for a ``viewer`` :func:`may_reveal` allows,
    and the view recorded (PermissionDenied otherwise).  Callers have checked :func:`can_open`."""
    if reveal:
        role = _phone_role(viewer, grid) if viewer is not None else None
        if role is None or viewer is None:
            raise PermissionDenied(_("您的角色不能查看网格团队成员的完整电话。"))
        record_personal_data_view(viewer, role=role[:20], subject=f"grid:{grid.code}", fields=["team.phone"],
                                  purpose="联系网格团队", ip_address=ip_address)
    return Team(grid, members_of([grid], reveal=reveal).get(grid.pk, []), revealed=reveal)


def members_of(grids: list[Area], *, reveal: bool = False) -> dict[int, list[Member]]:
    """Every grid's team from its TeamMember rows and the grid-worker memberships on the grid (or on an
    area above it: a worker covering a whole community), phones masked unless ``reveal`` (the caller
    audits)."""
    labels = {k: str(v) for k, v in TeamRole.choices}
    out: dict[int, list[Member]] = defaultdict(list)
    workers = _grid_workers(grids)
    carded: set[tuple[int, int]] = set()
    rows = (TeamMember.objects.filter(grid_id__in=[g.pk for g in grids], active=True).select_related("unit")
            .order_by("grid_id", "role", "name", "pk"))
    for row in rows:
        is_worker = row.role == TeamRole.GRID_WORKER
        if is_worker and row.user_id is not None:
            carded.add((row.grid_id, row.user_id))
        out[row.grid_id].append(Member(
            role=row.role, role_label=labels.get(row.role, row.role), name=row.name,
            phone=_phone(row.phone, reveal), masked=bool(row.phone) and not reveal,
            unit_id=row.unit_id, unit_name=row.unit.name if row.unit else "", user_id=row.user_id,
            since=row.since, member_id=row.pk,
            no_access=is_worker and row.user_id is not None and row.user_id not in workers[row.grid_id]))
    for grid_id, users in workers.items():
        for user_id, user in sorted(users.items()):
            if (grid_id, user_id) not in carded:
                out[grid_id].append(Member(
                    role=TeamRole.GRID_WORKER.value, role_label=labels[TeamRole.GRID_WORKER],
                    name=user.display_name or user.username, phone=_phone(user.phone, reveal),
                    masked=bool(user.phone) and not reveal, user_id=user_id))
    order = {r.value: i for i, r in enumerate(TEAM_ORDER)}
    for members in out.values():
        members.sort(key=lambda m: (order.get(m.role, 99), m.name))
    return out


def _grid_workers(grids: list[Area]) -> dict[int, dict[int, User]]:
    """grid id → {user id: user} of the accounts holding the grid-worker role on the grid or above it."""
    paths: dict[str, list[int]] = defaultdict(list)
    for grid in grids:
        for path in _ancestor_paths(grid):
            paths[path].append(grid.pk)
    found: dict[int, dict[int, User]] = defaultdict(dict)
    rows = Membership.objects.filter(role=Role.GRID_WORKER, area__path__in=sorted(paths)).select_related("user", "area")
    for m in rows:
        assert m.area is not None
        for grid_id in paths[m.area.path]:
            found[grid_id][m.user_id] = m.user
    return found


def _phone(phone: str, reveal: bool) -> str:
    return phone if reveal else pii.mask_phone(phone) if phone else ""


# --- completeness -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    grid_id: int
    code: str
    name: str
    community: str
    street: str
    missing: list[str]  # team roles, in TEAM_ORDER


@dataclass
class Completeness:
    grids: int = 0  # grids in the reader's area
    complete: int = 0  # grids with every team role
    lacking: dict[str, int] = field(default_factory=dict)  # team role → grids lacking it
    gaps: list[Gap] = field(default_factory=list)  # grids lacking something (``role``: lacking that one)


def _gap_areas(user: User) -> Q | None:
    """Q over areas: the subtrees where the user reads team completeness (None: every area)."""
    if user.is_superuser or Role.ADMIN in user.role_set():
        return None
    paths = Membership.objects.filter(user=user, role__in=sorted(GAP_ROLES), area__isnull=False) \
        .values_list("area__path", flat=True)
    q = scope.NOTHING
    for path in paths:
        q |= Q(path=path) | Q(path__startswith=f"{path}/")
    return q


def can_view_gaps(user: User) -> bool:
    q = _gap_areas(user)
    return q is None or q != scope.NOTHING


def completeness(user: User, *, role: str = "", under: Area | None = None) -> Completeness:
    """Which grids of the user's area lack which team role (a list for leaders, dispatchers and
    administrators).  ``role`` keeps the grids lacking that one; ``under`` limits to an area's subtree."""
    area_q = _gap_areas(user)
    if area_q == scope.NOTHING:
        raise PermissionDenied(_("只有领导、分拨员和系统管理员可以查看网格团队配备情况。"))
    if role and role not in TeamRole.values:
        raise NotFound(_("未知的团队角色：%(role)s") % {"role": role})
    grids = Area.objects.filter(level=Level.GRID)
    if area_q is not None:
        grids = grids.filter(area_q)
    if under is not None:
        grids = grids.filter(path__startswith=f"{under.path}/")
    have: dict[int, set[str]] = defaultdict(set)
    for grid_id, team_role in TeamMember.objects.filter(active=True, grid__in=grids).exclude(
            role=TeamRole.GRID_WORKER).values_list("grid_id", "role").distinct():
        have[grid_id].add(team_role)
    worker_paths = set(Membership.objects.filter(role=Role.GRID_WORKER, area__isnull=False)
                       .values_list("area__path", flat=True))
    report = Completeness(lacking={r.value: 0 for r in TEAM_ORDER})
    rows = grids.order_by("path").values_list("pk", "code", "name", "path", "parent__name", "parent__parent__name")
    for pk, code, name, path, community, street in rows:
        report.grids += 1
        if any(p in worker_paths for p in _paths_of(path)):
            have[pk].add(TeamRole.GRID_WORKER.value)
        missing = [r.value for r in TEAM_ORDER if r.value not in have[pk]]
        for r in missing:
            report.lacking[r] += 1
        if not missing:
            report.complete += 1
        elif not role or role in missing:
            report.gaps.append(Gap(pk, code, name, community or "", street or "", missing))
    return report


# --- routing by team ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamOption:
    """A one-click lead-unit choice in the dispatch form: the unit of the grid team's mediator or lawyer."""

    unit_id: int
    role: str
    label: str  # 网格团队：调解员 张三（海陵区人民调解委员会）
    reason: str  # what the form says when it is chosen, like a routing rule's reason


def is_dispute(category: Category | None) -> bool:
    """A dispute (矛盾纠纷): a name on the category's path says so (纠纷, 矛盾, 调解), or a mediation
    committee handles the category or one of its ancestors."""
    chain: list[Category] = []
    node = category
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.parent if node.parent_id else None
    if not chain:
        return False
    if any(word in c.name for c in chain for word in DISPUTE_WORDS):
        return True
    return Unit.objects.filter(categories__in=[c.pk for c in chain], kind=UnitKind.MEDIATION_COMMITTEE,
                               active=True).exists()


def dispatch_options(case: Case) -> list[TeamOption]:
    """For a dispute in a grid: its team's mediator's and lawyer's units, mediator first, one per unit.
    An extra choice for the dispatcher, never a dispatch by itself (routing's rule → model → fallback
    still preselects)."""
    if case.grid_id is None or not is_dispute(case.category):
        return []
    labels = {k: str(v) for k, v in TeamRole.choices}
    order = {r.value: i for i, r in enumerate(DISPUTE_ROLES)}
    rows = (TeamMember.objects.filter(grid_id=case.grid_id, active=True, role__in=[r.value for r in DISPUTE_ROLES],
                                      unit__isnull=False, unit__active=True)
            .select_related("unit", "grid"))
    options: list[TeamOption] = []
    seen: set[int] = set()
    for row in sorted(rows, key=lambda r: (order[r.role], r.name, r.pk)):
        assert row.unit is not None
        if row.unit_id in seen:
            continue
        seen.add(row.unit.pk)
        who = {"role": labels[row.role], "name": row.name, "unit": row.unit.name, "grid": row.grid.name}
        options.append(TeamOption(
            unit_id=row.unit.pk, role=row.role,
            label=_("网格团队：%(role)s %(name)s（%(unit)s）") % who,
            reason=_("网格团队：%(grid)s的%(role)s %(name)s（%(unit)s）") % who))
    return options
