"""Builders for the pool, figures and subsidy tests: mediators of any kind and place, and mediations
in any state — applied through the real service, then moved to the outcome the workflow would have left
(status, dates, difficulty, rating, subsidy) by a plain update, as a read-side test needs only the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions.models import Area, Unit
from fengqiao.mediation.models import Agreement, DisputeType, Mediation, MediationKind, Mediator, MediatorKind
from fengqiao.mediation.states import MState
from tests.factories import PASSWORD
from tests.mediation.factories import World, applied

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SH)


def mediator(world: World, name: str, *, kind: str = MediatorKind.PEOPLES, unit: Unit | None = None,
             area: Area | None = None, specialties: tuple[str, ...] = (), **fields: Any) -> Mediator:
    found = Mediator.objects.create(name=name, kind=kind, unit=unit or world.committee, area=area, **fields)
    if specialties:
        found.specialties.set(DisputeType.objects.filter(code__in=specialties))
    return found


def account(username: str, role: Role, *, unit: Unit | None = None, area: Area | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username, is_staff=True)
    Membership.objects.create(user=user, role=role, unit=unit, area=area)
    return user


def mediation(world: World, *, state: MState = MState.APPLIED, who: Mediator | None = None,
              applied_at: dt.datetime | None = None, concluded_at: dt.datetime | None = None,
              kind: str = "peoples", difficulty: str = "normal", rating: int | None = None,
              subsidy: str | None = None, street: Area | None = None, agreement: bool = False,
              **changes: Any) -> Mediation:
    """A mediation applied through the service, then set to ``state`` with the given outcome fields."""
    found = applied(world, kind_code=kind, applied_at=applied_at,
                    street_id=(street or world.city.street).pk, **changes)
    Mediation.objects.filter(pk=found.pk).update(
        status=state.value, mediator=who, concluded_at=concluded_at, difficulty=difficulty, rating=rating,
        subsidy=None if subsidy is None else Decimal(subsidy),
        kind=MediationKind.objects.get(code=kind))
    if agreement:
        Agreement.objects.create(mediation=found, facts="事实", terms="条款", signed_at=concluded_at or at(2026, 1, 1),
                                 signed_by=world.users["mediator_a"])
    found.refresh_from_db()
    return found
