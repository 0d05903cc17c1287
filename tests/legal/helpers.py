"""Cases about administrative acts, the city's legal office and its staff, for the legal tests."""

from __future__ import annotations

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from fengqiao.legal.models import LegalOffice
from tests.factories import PASSWORD, City

DEMOLITION = "2026年2月20日海陵区城管局未经任何程序强拆了我家的临街门面，我已请律师，准备申请行政复议。"
QUIET = "民政局取消了我家的低保，想问问原因。"


def legal_office(city: City, *, auto_route_from: str = "general") -> Unit:
    """市司法局 as the city's legal office, with a handler ``legal`` and a handler of nothing else."""
    unit = Unit.objects.create(code="SFJ", name="市司法局", kind=UnitKind.LEGAL_OFFICE, level=Level.CITY,
                               area=city.city)
    LegalOffice.objects.create(area=city.city, unit=unit, auto_route_from=auto_route_from)
    user = User.objects.create_user(username="legal", password=PASSWORD, display_name="法制员", is_staff=True)
    Membership.objects.create(user=user, role=Role.HANDLER, unit=unit)
    city.users["legal"] = user
    return unit


def case_about(city: City, text: str = DEMOLITION, *, title: str = "门面被强拆", grid: int = 0,
               phone: str = "13812345678", channel: str = Channel.HOTLINE_12345) -> Case:
    lng, lat = city.point_in(grid)
    data = services.RegisterInput(channel=channel, title=title, description=text, lng=lng, lat=lat,
                                  parties=[services.PartyInput(name="张三", phone=phone)])
    return services.register(city.users["operator"], data).case
