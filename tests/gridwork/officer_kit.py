"""What the officers' patrol tests share: a prosecutor with an account on grid 0's team (her unit's handler,
as the demo's officers are), a lawyer likewise, and 检察官进校园 running in 城东街道 this week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.gridwork.models import Campaign, Place, PlaceKind, TeamMember, TeamRole
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import clock
from tests.factories import PASSWORD, City
from tests.gridwork.patrol_kit import place


@dataclass
class Officers:
    prosecutor: User
    lawyer: User
    schools: Campaign  # 检察官进校园: schools in 城东街道, prosecutors, running
    school: Place  # grid 0: a target
    company: Place  # grid 0: not a school


def account(city: City, username: str, unit: Unit) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username, is_staff=True)
    Membership.objects.create(user=user, role=Role.HANDLER, unit=unit)
    return user


def campaign(city: City, name: str, role: str, kinds: list[str], *, area: Area | None = None,
             starts: int = -3, ends: int = 3) -> Campaign:
    today = clock.today()
    return Campaign.objects.create(
        name=name, area=area or city.street, place_kinds=kinds, team_role=role,
        starts_on=today + dt.timedelta(days=starts), ends_on=today + dt.timedelta(days=ends),
        created_by=city.users["admin"], created_at=clock.now() - dt.timedelta(days=10))


def officers(city: City) -> Officers:
    procuratorate = Unit.objects.create(code="JC", name="海陵区人民检察院", kind=UnitKind.PROCURATORATE,
                                        level=Level.DISTRICT, area=city.district)
    firm = Unit.objects.create(code="LS", name="江苏海陵律师事务所", kind=UnitKind.LEGAL_OFFICE, level=Level.DISTRICT,
                               area=city.district)
    prosecutor = account(city, "prosecutor_qian", procuratorate)
    lawyer = account(city, "lawyer_sun", firm)
    TeamMember.objects.create(grid=city.grids[0], role=TeamRole.PROSECUTOR, name="钱检察", user=prosecutor,
                              unit=procuratorate)
    TeamMember.objects.create(grid=city.grids[0], role=TeamRole.LAWYER, name="孙律师", user=lawyer, unit=firm)
    return Officers(
        prosecutor=prosecutor, lawyer=lawyer,
        schools=campaign(city, "检察官进校园", TeamRole.PROSECUTOR, [PlaceKind.SCHOOL]),
        school=place(city, name="东风小学", kind=PlaceKind.SCHOOL, every_days=90),
        company=place(city, name="东风机械有限公司", kind=PlaceKind.COMPANY, every_days=90, offset=(0.001, 0.0)),
    )
