"""Grid teams as CSV (``fengqiao teams export|import``; docs/gridwork/teams.md; the house style of
cases/routing_io.py).

Columns: ``grid_code, role, name, phone, unit_code, username, active, since`` (the export adds
``grid_name, unit_name`` for reading; the import ignores them).  ``role`` is a code (grid_worker, police,
judge, prosecutor, lawyer, mediator) or its Chinese name (网格员, 民警, 法官, 检察官, 律师, 调解员); booleans are
1/0, 是/否, true/false, yes/no; ``since`` is YYYY-MM-DD.  Officers need a ``unit_code`` (the unit routing
sends to); a grid worker's ``username``, when given, must hold the grid-worker role on that grid.

The key is (grid_code, role, name): a re-run updates what changed and leaves the rest; good rows are
written, bad rows reported by number (the header is row 1) with the reason; nothing is deleted (set
``active`` to 0 to take someone off a team).  A file without a ``phone`` column leaves phones as they are
(``export --no-phones`` writes one): the full export carries team members' phones in clear, like any
database dump — keep it where personal data may be kept.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.gridwork.models import TeamMember, TeamRole
from fengqiao.gridwork.teams import TEAM_ORDER
from fengqiao.jurisdictions.io import read_records
from fengqiao.jurisdictions.models import Area, Level, Unit
from fengqiao.jurisdictions.report import ImportReport, RowError, parse_bool, text
from fengqiao.kit.validators import phone_error

COLUMNS = ["grid_code", "role", "name", "phone", "unit_code", "username", "active", "since"]
EXPORT_COLUMNS = [*COLUMNS, "grid_name", "unit_name"]
REQUIRED = ["grid_code", "role", "name"]
# codes, and the Chinese names a spreadsheet is likely to carry
_ROLES = {**{r.value: r.value for r in TeamRole},
          "网格员": "grid_worker", "专职网格员": "grid_worker", "民警": "police", "社区民警": "police",
          "法官": "judge", "检察官": "prosecutor", "律师": "lawyer", "法律顾问": "lawyer", "调解员": "mediator"}



@dataclass
class TeamRow:
    number: int
    grid: Area
    role: str
    name: str
    phone: str | None  # None: the file has no phone column, leave it
    unit: Unit | None
    user: User | None
    active: bool
    since: dt.date | None


def export_teams(out: IO[str], *, phones: bool = True) -> int:
    columns = EXPORT_COLUMNS if phones else [c for c in EXPORT_COLUMNS if c != "phone"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    order = {r.value: i for i, r in enumerate(TEAM_ORDER)}
    rows = sorted(TeamMember.objects.select_related("grid", "unit", "user"),
                  key=lambda m: (m.grid.path, order.get(m.role, 99), m.name))
    for m in rows:
        values = {"grid_code": m.grid.code, "role": m.role, "name": m.name, "phone": m.phone,
                  "unit_code": m.unit.code if m.unit else "", "username": m.user.username if m.user else "",
                  "active": int(m.active), "since": m.since.isoformat() if m.since else "",
                  "grid_name": m.grid.name, "unit_name": m.unit.name if m.unit else ""}
        writer.writerow([values[c] for c in columns])
    return len(rows)




def _date(raw: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise RowError(_("since“%(raw)s”应为日期 YYYY-MM-DD") % {"raw": raw}) from exc


class _Lookup:
    """Everything the rows name, loaded once."""

    def __init__(self, records: list[dict[str, str]]) -> None:
        grids = sorted({text(r, "grid_code") for r in records})
        units = sorted({text(r, "unit_code") for r in records} - {""})
        users = sorted({text(r, "username") for r in records} - {""})
        self.grids = {a.code: a for a in Area.objects.filter(code__in=grids)}
        self.units = {u.code: u for u in Unit.objects.filter(code__in=units)}
        self.users = {u.username: u for u in User.objects.filter(username__in=users)}
        self.workers = set(Membership.objects.filter(role=Role.GRID_WORKER, user__in=list(self.users.values()))
                           .values_list("user_id", "area_id"))

    def row(self, number: int, fields: dict[str, str]) -> TeamRow:
        if "__error__" in fields:
            raise RowError(fields["__error__"])
        grid_code, raw_role, name = (text(fields, k) for k in REQUIRED)
        if not grid_code or not raw_role or not name:
            raise RowError(_("网格编码、角色和姓名都不能为空"))
        grid = self.grids.get(grid_code)
        if grid is None or grid.level != Level.GRID:
            raise RowError(_("网格 %(code)s 不存在") % {"code": grid_code})
        role = _ROLES.get(raw_role) or _ROLES.get(raw_role.lower())
        if role is None:
            raise RowError(_("角色“%(role)s”不认识（可用 grid_worker/网格员、police/民警、judge/法官、"
                             "prosecutor/检察官、lawyer/律师、mediator/调解员）") % {"role": raw_role})
        if len(name) > 60:
            raise RowError(_("姓名超过 60 字"))
        phone = text(fields, "phone") if "phone" in fields else None
        if phone and (error := phone_error(phone)):
            raise RowError(error)
        unit = self._unit(text(fields, "unit_code"), role)
        user = self._user(text(fields, "username"), role, grid)
        return TeamRow(number, grid, role, name, phone, unit, user, parse_bool(text(fields, "active"), "active", True),
                       _date(text(fields, "since")))

    def _unit(self, code: str, role: str) -> Unit | None:
        if not code:
            if role != TeamRole.GRID_WORKER:
                raise RowError(_("%(role)s须填写所在单位编码（unit_code），分拨按单位交办")
                             % {"role": TeamRole(role).label})
            return None
        unit = self.units.get(code)
        if unit is None or not unit.active:
            raise RowError(_("单位 %(code)s 不存在或已停用") % {"code": code})
        return unit

    def _user(self, username: str, role: str, grid: Area) -> User | None:
        if not username:
            return None
        user = self.users.get(username)
        if user is None:
            raise RowError(_("账号 %(user)s 不存在") % {"user": username})
        if role == TeamRole.GRID_WORKER and (user.pk, grid.pk) not in self.workers:
            raise RowError(_("账号 %(user)s 不是网格 %(grid)s 的网格员：请先在账号中授予该网格的网格员角色")
                         % {"user": username, "grid": grid.code})
        return user


def import_teams(data: bytes, *, dry_run: bool = False) -> ImportReport:
    """Check every row, write the good ones (one transaction), report the bad ones by row number."""
    records = read_records(data, "csv", REQUIRED)
    report = ImportReport(total=len(records), dry_run=dry_run)
    lookup = _Lookup([r.fields for r in records])
    rows: list[TeamRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for record in records:
        fields = record.fields
        key = (text(fields, "grid_code"), _ROLES.get(text(fields, "role"), text(fields, "role")), text(fields, "name"))
        try:
            if key in seen:
                raise RowError(_("与第 %(row)s 行重复（同一网格、角色和姓名）") % {"row": seen[key]})
            rows.append(lookup.row(record.number, fields))
            seen[key] = record.number
        except RowError as exc:
            report.bad(record.number, "·".join(k for k in key if k), str(exc))
    with transaction.atomic():
        existing = {(m.grid_id, m.role, m.name): m
                    for m in TeamMember.objects.filter(grid_id__in=sorted({r.grid.pk for r in rows}))}
        for row in rows:
            _write(row, existing.get((row.grid.pk, row.role, row.name)), report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(row: TeamRow, member: TeamMember | None, report: ImportReport) -> None:
    wanted: dict[str, object] = {"unit_id": row.unit.pk if row.unit else None,
                                 "user_id": row.user.pk if row.user else None, "active": row.active,
                                 "since": row.since}
    if row.phone is not None:
        wanted["phone"] = row.phone
    if member is None:
        TeamMember.objects.create(grid=row.grid, role=row.role, name=row.name, **wanted)
        report.created += 1
        return
    if all(getattr(member, k) == v for k, v in wanted.items()):
        report.unchanged += 1
        return
    for k, v in wanted.items():
        setattr(member, k, v)
    member.save()
    report.updated += 1
