"""The demo's grid teams (docs/gridwork/teams.md): every grid's grid worker (her account's card) and its
officers — a police officer per community from the district's 公安分局, a judge per street from the
district court, a prosecutor per street from the district procuratorate, a lawyer per community from one of
the district's law firms (demo units of kind legal_office, each with a handler who receives disputes
dispatched to it), a mediator per community from the district's 人民调解委员会.  A few posts are vacant
(the completeness list has something to show).  Officers who visit for a campaign get accounts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.names import mobile, person_name
from fengqiao.demo.people import DEMO_DOMAIN, PASSWORD
from fengqiao.demo.places import GridInfo
from fengqiao.demo.units import Org
from fengqiao.gridwork.models import TeamMember, TeamRole
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from fengqiao.kit import pii
from fengqiao.kit.bulk import insert_rows

LAW_FIRMS = ["泰和", "凤城", "天德", "正衡", "明理", "永信", "同达", "汇诚", "中泰", "润泽", "稻河", "海韵"]
FIRMS_PER_DISTRICT = 2
# posts left vacant (share of communities or streets): the completeness list's examples
VACANT = {TeamRole.LAWYER: 0.05, TeamRole.MEDIATOR: 0.03, TeamRole.POLICE: 0.02, TeamRole.PROSECUTOR: 0.0,
          TeamRole.JUDGE: 0.0}
LAWYER_DISTRICT = "321203"  # 高港区: 律师进企业
PROSECUTOR_DISTRICT = "321204"  # 姜堰区: 检察官进校园


@dataclass(frozen=True)
class Person:
    name: str
    phone: str  # encrypted once, shared by every grid the person serves
    unit_id: int | None
    user_id: int | None = None


@dataclass
class Teams:
    """Who serves each grid, as the patrol generator needs them."""

    workers: dict[int, int] = field(default_factory=dict)  # grid id → the grid worker's user id
    lawyers: dict[int, Person] = field(default_factory=dict)  # grid id → its lawyer
    prosecutors: dict[int, Person] = field(default_factory=dict)  # grid id → its prosecutor
    counts: Counter[str] = field(default_factory=Counter)


def _law_firms(org: Org, rng: random.Random, password: str) -> dict[str, list[Unit]]:
    """Two law firms per district, each with a handler account (disputes dispatched to the firm)."""
    stems = rng.sample(LAW_FIRMS, FIRMS_PER_DISTRICT * len(DISTRICTS))
    rows: list[Unit] = []
    for i, d in enumerate(DISTRICTS):
        area = org.district[d.code]["cc"].area
        for n in range(1, FIRMS_PER_DISTRICT + 1):
            stem = stems[i * FIRMS_PER_DISTRICT + n - 1]
            rows.append(Unit(code=f"{d.code}-LS{n}", name=f"江苏{stem}律师事务所", short_name=f"{stem}律所",
                             kind=UnitKind.LEGAL_OFFICE, level=Level.DISTRICT, area=area))
    Unit.objects.bulk_create(rows)
    firms: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(code__in=[u.code for u in rows]).order_by("code"):
        firms.setdefault(unit.code[:6], []).append(unit)
    slugs = {d.code: d.slug for d in DISTRICTS}
    _accounts([(f"handler_{slugs[u.code[:6]]}_ls{u.code[-1]}", person_name(rng), u.pk)
               for units in firms.values() for u in units], rng, password)
    return firms


def _accounts(people: list[tuple[str, str, int]], rng: random.Random, password: str) -> dict[str, int]:
    """Demo accounts (username, display name, unit): handlers of their unit."""
    users = [User(username=u, display_name=name, email=f"{u}@{DEMO_DOMAIN}", is_staff=True, password=password,
                  phone=mobile(rng)) for u, name, _unit in people]
    User.objects.bulk_create(users, batch_size=1000)
    ids = dict(User.objects.filter(username__in=[u for u, _n, _u in people]).values_list("username", "pk"))
    Membership.objects.bulk_create([Membership(user_id=ids[u], role=Role.HANDLER, unit_id=unit)
                                    for u, _n, unit in people], batch_size=2000)
    return ids


def create_teams(grids: list[GridInfo], org: Org, workers: dict[int, int], now: dt.datetime,
                 rng: random.Random) -> Teams:
    """Write every grid's team; return who serves each grid."""
    password = make_password(PASSWORD)
    firms = _law_firms(org, rng, password)
    posts: dict[tuple[str, str], Person | None] = {}  # (role, community or street code) → who; None: vacant
    firm_of: dict[str, Unit] = {}
    for grid in grids:
        units = org.district[grid.district]
        firm = firm_of.setdefault(grid.community_code, rng.choice(firms[grid.district]))
        for role, key, unit in _officers(grid, units, firm):
            if (role.value, key) not in posts:
                vacant = rng.random() < VACANT[role]
                posts[(role.value, key)] = None if vacant else Person(person_name(rng), pii.encrypt(mobile(rng)),
                                                                       unit.pk)
    accounts = _campaign_accounts(posts, rng, password)
    cards = {pk: (name, phone) for pk, name, phone in
             User.objects.filter(pk__in=sorted(set(workers.values()))).values_list("pk", "display_name", "phone")}
    out = Teams(workers=dict(workers))
    rows: list[list[object]] = []
    for grid in grids:
        since = (now - dt.timedelta(days=rng.randint(60, 2000))).date()
        user_id = workers.get(grid.id)
        if user_id is not None:
            name, phone = cards[user_id]
            worker = Person(name, pii.encrypt(phone), org.streets[grid.street].pk, user_id)
            rows.append(_row(grid.id, TeamRole.GRID_WORKER, worker, since))
        for role, key, _unit in _officers(grid, org.district[grid.district], firm_of[grid.community_code]):
            who = posts[(role.value, key)]
            if who is None:
                continue
            rows.append(_row(grid.id, role, who, since))
            if role == TeamRole.LAWYER:
                out.lawyers[grid.id] = who
            elif role == TeamRole.PROSECUTOR:
                out.prosecutors[grid.id] = who
    insert_rows(TeamMember._meta.db_table, ["grid_id", "role", "name", "phone", "unit_id", "user_id", "active",
                                            "since"], rows)
    out.counts.update({"gridwork.team_members": len(rows), "gridwork.law_firms": sum(map(len, firms.values())),
                       "gridwork.vacant_posts": sum(v is None for v in posts.values()),
                       "gridwork.officer_accounts": accounts})
    return out


def _officers(grid: GridInfo, units: dict[str, Unit], firm: Unit) -> list[tuple[TeamRole, str, Unit]]:
    """(role, the post's key — its community or street —, unit) of a grid's officers."""
    community, street = grid.community_code, grid.street
    return [(TeamRole.POLICE, community, units["gaj"]), (TeamRole.JUDGE, street, units["fy"]),
            (TeamRole.PROSECUTOR, street, units["jcy"]), (TeamRole.LAWYER, community, firm),
            (TeamRole.MEDIATOR, community, units["tj"])]


def _row(grid_id: int, role: TeamRole, who: Person, since: dt.date) -> list[object]:
    return [grid_id, role.value, who.name, who.phone, who.unit_id, who.user_id, True, since]


def _campaign_accounts(posts: dict[tuple[str, str], Person | None], rng: random.Random, password: str) -> int:
    """Accounts for the officers who visit for a campaign: the lawyers of one district (律师进企业) and the
    prosecutors of another (检察官进校园), each a handler of the officer's unit; set on their posts."""
    wanted: list[tuple[str, tuple[str, str]]] = []
    for (role, key), who in sorted(posts.items()):
        if who is None:
            continue
        if role == TeamRole.LAWYER and key.startswith(LAWYER_DISTRICT):
            wanted.append((f"handler_gaogang_lawyer_{key}", (role, key)))
        elif role == TeamRole.PROSECUTOR and key.startswith(PROSECUTOR_DISTRICT):
            wanted.append((f"handler_jiangyan_prosecutor_{key}", (role, key)))
    people = []
    for username, post in wanted:
        who = posts[post]
        assert who is not None
        people.append((username, who.name, who.unit_id or 0))
    ids = _accounts(people, rng, password)
    for username, post in wanted:
        who = posts[post]
        assert who is not None
        posts[post] = Person(who.name, who.phone, who.unit_id, ids[username])
    return len(wanted)
