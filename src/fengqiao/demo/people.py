"""Demo users of every role, with their memberships, and the login table.

Argon2 is slow on purpose (~50 ms a hash), so the one demo password is hashed once and the hash is given
to every demo user.  Demo users carry an e-mail address at ``DEMO_DOMAIN``: that is how ``--reset``
knows them.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import ROLE_LABELS, Role
from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.names import mobile, person_name
from fengqiao.demo.units import Org
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind

PASSWORD = "fengqiao2026"
DEMO_DOMAIN = "demo.fengqiao.invalid"
CITIZENS = 30
OPERATORS = 5


@dataclass
class Staff:
    """Who acts in the generated history: user ids by what they do."""

    operators: list[int] = field(default_factory=list)
    city_dispatcher: int = 0
    district_dispatchers: dict[str, int] = field(default_factory=dict)  # district code → user id
    handlers: dict[int, tuple[int, str]] = field(default_factory=dict)  # unit id → (user id, role)
    grid_workers: dict[int, int] = field(default_factory=dict)  # grid area id → user id
    citizens: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    users: list[User] = field(default_factory=list)
    memberships: list[tuple[str, Role, Unit | None, Area | None]] = field(default_factory=list)

    def add(self, username: str, role: Role, *, unit: Unit | None = None, area: Area | None = None,
            display: str = "", superuser: bool = False) -> None:
        self.users.append(User(username=username, display_name=display, email=f"{username}@{DEMO_DOMAIN}",
                               is_staff=superuser or role != Role.CITIZEN, is_superuser=superuser))
        if not superuser:
            self.memberships.append((username, role, unit, area))


def create_people(areas: dict[str, Area], org: Org, rng: random.Random) -> Staff:
    plan = _Plan()
    city = areas["3212"]
    plan.add("admin", Role.ADMIN, display="系统管理员", superuser=True)
    for i in range(1, OPERATORS + 1):
        plan.add(f"operator{i}", Role.OPERATOR, unit=org.hotline, area=city, display=person_name(rng))
    plan.add("dispatcher", Role.DISPATCHER, unit=org.command_centre, area=city, display=person_name(rng))
    # the 12345 centre's dispatcher: grid reports the flow list sends to the hotline platform (docs/routing.md)
    plan.add("dispatcher_12345", Role.DISPATCHER, unit=org.hotline, area=city, display=person_name(rng))
    plan.add("risk", Role.RISK_OFFICER, unit=org.command_centre, area=city, display=person_name(rng))
    plan.add("leader", Role.LEADER, area=city, display=person_name(rng))
    for d in DISTRICTS:
        units, area = org.district[d.code], areas[d.code]
        plan.add(f"dispatcher_{d.slug}", Role.DISPATCHER, unit=units["cc"], area=area, display=person_name(rng))
        plan.add(f"risk_{d.slug}", Role.RISK_OFFICER, unit=units["cc"], area=area, display=person_name(rng))
        plan.add(f"leader_{d.slug}", Role.LEADER, area=area, display=person_name(rng))
        for abbr, unit in units.items():
            if abbr != "cc":
                plan.add(f"{_unit_role(unit).value}_{d.slug}_{abbr}", _unit_role(unit), unit=unit,
                         display=person_name(rng))
    for abbr, unit in org.city.items():
        role = _unit_role(unit)
        plan.add(f"{role.value}_{abbr}", role, unit=unit, display=person_name(rng))
        if role == Role.HANDLER:
            # the department's leader (局长): reads its cases, reviews its weak replies (答复待审)
            plan.add(f"leader_{abbr}", Role.LEADER, unit=unit, display=person_name(rng))
    for code, unit in sorted(org.streets.items()):
        plan.add(f"handler_{code}", Role.HANDLER, unit=unit, display=person_name(rng))
        # the street's leader (镇街分管领导): its cases, its grids' coverage and blind spots
        plan.add(f"leader_{code}", Role.LEADER, area=areas[code], display=person_name(rng))
    grids = sorted((a for a in areas.values() if a.level == Level.GRID), key=lambda a: a.code)
    for grid in grids:
        plan.add(f"grid_{grid.code}", Role.GRID_WORKER, area=grid, display=person_name(rng))
    for i in range(1, CITIZENS + 1):
        plan.add(f"citizen{i}", Role.CITIZEN, display=person_name(rng))
    return _save(plan, rng)


def _unit_role(unit: Unit) -> Role:
    if unit.kind == UnitKind.COURT:
        return Role.JUDGE
    if unit.kind == UnitKind.MEDIATION_COMMITTEE:
        return Role.MEDIATOR
    return Role.HANDLER


def _save(plan: _Plan, rng: random.Random) -> Staff:
    password = make_password(PASSWORD)
    for user in plan.users:
        user.password = password
        user.phone = mobile(rng)
    User.objects.bulk_create(plan.users, batch_size=1000)
    ids = dict(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("username", "pk"))
    Membership.objects.bulk_create(
        [Membership(user_id=ids[name], role=role.value, unit=unit, area=area)
         for name, role, unit, area in plan.memberships], batch_size=2000,
    )
    return load_staff()


def load_staff() -> Staff:
    """The staff of a demo, from its memberships."""
    staff = Staff()
    rows = Membership.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").values_list(
        "user_id", "user__username", "role", "unit_id", "area_id", "area__code", "area__level")
    for user_id, username, role, unit_id, area_id, area_code, level in rows.order_by("user_id"):
        if role == Role.OPERATOR:
            staff.operators.append(user_id)
        elif role == Role.DISPATCHER and level == Level.CITY:
            staff.city_dispatcher = staff.city_dispatcher or user_id  # the command centre's, created first
        elif role == Role.DISPATCHER:
            staff.district_dispatchers[area_code] = user_id
        elif role in (Role.HANDLER, Role.MEDIATOR, Role.JUDGE) and unit_id is not None:
            staff.handlers.setdefault(unit_id, (user_id, role))
        elif role == Role.GRID_WORKER:
            staff.grid_workers[area_id] = user_id
        elif role == Role.CITIZEN and username.startswith("citizen"):
            staff.citizens.append(user_id)
    return staff


_OTHER_DISTRICTS = "|".join(d.slug for d in DISTRICTS[1:])
_DISTRICT_SLUGS = "|".join(d.slug for d in DISTRICTS)
_HIDDEN = re.compile(rf"^(risk|leader|handler|judge|mediator)_({_OTHER_DISTRICTS})(_|$)")


def _shown(username: str, seen: dict[str, int]) -> bool:
    """A short table: every kind of login once or twice; the rest follow a pattern the footer names."""
    for pattern, keep in ((r"grid_\d+", 4), (r"handler_\d+", 1), (r"citizen\d+", 3), (r"operator\d+", 2),
                          (r"leader_\d+", 1), (rf"leader_(?!({_DISTRICT_SLUGS})$)[a-z]+", 1),
                          (r"mediator_\w+_(\d+|gold|room)", 0)):  # the pool's: the mediation section names some
        if re.fullmatch(pattern, username):
            seen[pattern] = seen.get(pattern, 0) + 1
            return seen[pattern] <= keep
    return not _HIDDEN.match(username)


def logins() -> list[tuple[str, str, str]]:
    """(username, role, unit / area) of the demo users worth listing, in the order they were created."""
    rows = Membership.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").order_by("user_id").values_list(
        "user__username", "role", "unit__name", "area__name")
    seen: dict[str, int] = {}
    table = [("admin", str(ROLE_LABELS[Role.ADMIN]), "全市")]
    for username, role, unit, area in rows:
        if _shown(username, seen):
            table.append((username, str(ROLE_LABELS[Role(role)]), " · ".join(x for x in (unit, area) if x)))
    return table


def _login_table() -> str:
    table = logins()
    width = max(len(u) for u, _r, _w in table) + 2
    lines = [f"演示账号（密码均为 {PASSWORD}）", "-" * 72]
    lines += [f"{u:<{width}}{r}\t{w}" for u, r, w in table]
    lines += ["-" * 72, f"此外：每个网格一名网格员 grid_<网格编码>；"
                        f"每个镇街一名承办人 handler_<镇街编码>、一名领导 leader_<镇街编码>；"
                        f"每个区县的部门 handler_<区县>_<部门>；"
                        f"每个市级部门一名领导 leader_<部门>（审核本部门答复）；citizen1 … citizen{CITIZENS}；"
                        f"operator1 … operator{OPERATORS}；"
                        f"专家库中有账号的调解员 mediator_<镇街编码>_1、mediator_<区县>_ls1_1 等（见下方调解演示）。"]
    return "\n".join(lines)


INVITES_FILE = "demo-evaluation-codes.txt"


def write_invites_file(invites: list[tuple[str, str, str]]) -> None:
    """The demo's own evaluation invitations, so a visitor can evaluate as the citizen: in a real city the
    codes exist only in the SMS to the reporter (the outbox masks them once sent)."""
    path = Path(settings.DATA_DIR) / INVITES_FILE
    if not invites:
        path.unlink(missing_ok=True)
        return
    lines = ["回访评价（演示：以群众身份评价，无需登录）"]
    base = settings.PUBLIC_BASE_URL.rstrip("/") or f"http://127.0.0.1:{os.environ.get('FENGQIAO_PORT', '8000')}"
    lines += [f"  案件 {code}：{base}/e/{link}/ ，或在 {base}/e/ 输入编号和短信验证码 {sms}"
              for code, link, sms in invites]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def login_table() -> str:
    text = _login_table()
    for name in (INVITES_FILE, "demo-mediation.txt"):  # the mediation's: demo.mediation_logins
        extra = Path(settings.DATA_DIR) / name
        if extra.exists():
            text += "\n" + extra.read_text(encoding="utf-8").rstrip()
    return text


def write_login_file(text: str) -> Path:
    path = Path(settings.DATA_DIR) / "demo-logins.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path
