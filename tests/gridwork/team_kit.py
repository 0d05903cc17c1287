"""What the grid-team tests share: officers' units and a full team on the test city's first grid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fengqiao.gridwork.models import TeamMember, TeamRole
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from tests.factories import City

PHONES = {"grid_worker": "13800000001", "police": "13800000002", "judge": "13800000003",
          "prosecutor": "13800000004", "lawyer": "13800000005", "mediator": "13800000006"}


@dataclass
class Units:
    police: Unit
    court: Unit
    procuratorate: Unit
    law_firm: Unit
    mediation: Unit


def officer_units(city: City) -> Units:
    def unit(code: str, name: str, kind: str) -> Unit:
        return Unit.objects.create(code=code, name=name, kind=kind, level=Level.DISTRICT, area=city.district)

    return Units(police=unit("GA", "海陵公安分局", UnitKind.POLICE), court=unit("FY", "海陵区人民法院", UnitKind.COURT),
                 procuratorate=unit("JC", "海陵区人民检察院", UnitKind.PROCURATORATE),
                 law_firm=unit("LS", "江苏海陵律师事务所", UnitKind.LEGAL_OFFICE),
                 mediation=unit("TJ", "海陵区人民调解委员会", UnitKind.MEDIATION_COMMITTEE))


def full_team(city: City, units: Units, grid: int = 0) -> dict[str, TeamMember]:
    """Every team role on one grid; the grid worker's card names her account."""
    area = city.grids[grid]
    rows = {
        TeamRole.GRID_WORKER: ("李网格", None, city.users["grid_worker"] if grid == 0 else None),
        TeamRole.POLICE: ("王警官", units.police, None),
        TeamRole.JUDGE: ("赵法官", units.court, None),
        TeamRole.PROSECUTOR: ("钱检察", units.procuratorate, None),
        TeamRole.LAWYER: ("孙律师", units.law_firm, None),
        TeamRole.MEDIATOR: ("周调解", units.mediation, None),
    }
    return {role.value: TeamMember.objects.create(grid=area, role=role, name=name, phone=PHONES[role.value],
                                                  unit=unit, user=user, since=dt.date(2025, 3, 1))
            for role, (name, unit, user) in rows.items()}
