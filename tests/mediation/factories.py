"""A mediation world on top of tests.factories.build_city: the street's committee with two mediators, a
district court with a judge, and an application helper."""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.services.register import PartyInput
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from fengqiao.kit import pii
from fengqiao.mediation.models import DisputeType, Mediation, Mediator, MediatorKind
from fengqiao.mediation.services._core import Citizen
from fengqiao.mediation.services.apply import ApplyInput, apply
from tests.factories import PASSWORD, City

APPLICANT_PHONE = "13800001111"
RESPONDENT_PHONE = "13900002222"


@dataclass
class World:
    city: City
    committee: Unit
    court: Unit
    mediators: list[Mediator]
    users: dict[str, User]


def _user(username: str, role: Role, unit: Unit) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username, is_staff=True)
    Membership.objects.create(user=user, role=role, unit=unit)
    return user


def build_world(city: City) -> World:
    committee = Unit.objects.create(code="TJ-001", name="城东街道人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE,
                                    level=Level.STREET, area=city.street, phone="0523-8000001")
    court = Unit.objects.create(code="FY-01", name="海陵区人民法院", kind=UnitKind.COURT, level=Level.DISTRICT,
                                area=city.district)
    users = {
        "mediator_a": _user("mediator_a", Role.MEDIATOR, committee),
        "mediator_b": _user("mediator_b", Role.MEDIATOR, committee),
        "judge_a": _user("judge_a", Role.JUDGE, court),
    }
    family = DisputeType.objects.get(code="family")
    mediators = []
    for key, name, kind in (("mediator_a", "王秀英", MediatorKind.GOLD_MEDAL),
                            ("mediator_b", "李建国", MediatorKind.PEOPLES)):
        mediator = Mediator.objects.create(user=users[key], name=name, kind=kind, unit=committee, area=city.street,
                                           phone=f"1370000{len(mediators):04d}",
                                           phone_hash=pii.lookup_hash("phone", f"1370000{len(mediators):04d}"))
        mediator.specialties.add(family)
        mediators.append(mediator)
    return World(city=city, committee=committee, court=court, mediators=mediators, users=users)


def citizen(phone: str = APPLICANT_PHONE) -> Citizen:
    return Citizen(phone_hash=pii.lookup_hash("phone", phone))


def application(world: World, **changes: object) -> ApplyInput:
    data = ApplyInput(
        request_type="mediation", kind_code="peoples",
        description="邻居装修噪音持续三个月，晚上十点后仍在施工，多次沟通无果。",
        demand="要求对方晚上十点后停止施工，并赔偿损失 2000 元。",
        applicant=PartyInput(name="张三", phone=APPLICANT_PHONE),
        respondents=[PartyInput(name="李四", phone=RESPONDENT_PHONE)],
        dispute_type_id=DisputeType.objects.get(code="neighbour").pk, street_id=world.city.street.pk,
        address="城东街道东风社区 3 幢", amount="2000",
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def applied(world: World, **changes: object) -> Mediation:
    return apply(citizen(), application(world, **changes))
