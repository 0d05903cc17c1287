"""Reads of cases, always through the actor's scope (DESIGN rule 4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import PII_ROLES, Role
from fengqiao.audit.models import Audience
from fengqiao.audit.services import record_personal_data_view
from fengqiao.cases.models import Case, CaseEvent, Category, Party
from fengqiao.cases.states import CLOCK_STATES, OPEN_STATES, State
from fengqiao.jurisdictions import scope
from fengqiao.kit import pii
from fengqiao.kit.errors import NotFound, PermissionDenied
from fengqiao.kit.sql import Unindexed


def visible_cases(user: User) -> QuerySet[Case]:
    return Case.objects.filter(scope.case_filter(user))


@dataclass(frozen=True)
class Tab:
    key: str
    label: str


TABS: dict[str, str] = {
    "to_dispatch": "待分拨",
    "to_accept": "待签收",
    "handling": "办理中",
    "to_evaluate": "待评价",
    "overdue": "已超期",
    "mine": "我的诉求",
    "all": "全部",
    # routing (docs/routing.md): disputes to decide, the flow list's queues
    "disputed": "申辩待裁定",
    "flow_queue": "网格转来",
    "grid_tasks": "网格交办",
}

ROLE_TABS: dict[Role, list[str]] = {
    Role.DISPATCHER: ["to_dispatch", "disputed", "flow_queue", "overdue", "to_evaluate", "all"],
    Role.OPERATOR: ["all", "to_evaluate", "to_dispatch"],
    Role.HANDLER: ["to_accept", "handling", "overdue", "all"],
    Role.MEDIATOR: ["to_accept", "handling", "all"],
    Role.JUDGE: ["to_accept", "handling", "all"],
    Role.GRID_WORKER: ["all", "grid_tasks", "handling", "overdue"],
    Role.LEADER: ["overdue", "all"],
    Role.RISK_OFFICER: ["all", "overdue"],
    Role.CITIZEN: ["mine"],
    Role.ADMIN: ["to_dispatch", "disputed", "overdue", "all"],
}


def tabs_for(user: User) -> list[Tab]:
    keys: list[str] = []
    for role in Role:
        if role in user.role_set():
            keys += [k for k in ROLE_TABS[role] if k not in keys]
    if "flow_queue" in keys and not user.memberships.filter(role=Role.DISPATCHER,
                                                            unit__kind="hotline_centre").exists():
        keys.remove("flow_queue")  # only the 12345 centre's dispatchers receive the grid's flow
    if Role.LEADER in user.role_set() and "handling" not in keys and scope.units_of(user, Role.LEADER):
        keys.insert(0, "handling")  # a department's leader (局长): what her unit is handling, first
    return [Tab(k, TABS[k]) for k in keys or ["all"]]


@dataclass
class InboxFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    category: int | None = None
    urgency: str = ""
    district: int | None = None
    registered_from: dt.date | None = None
    registered_to: dt.date | None = None


def inbox(user: User, tab: str, filters: InboxFilters | None = None) -> QuerySet[Case]:
    qs = visible_cases(user)
    # The work-queue tabs are small sets of open cases: sort them after filtering by state
    # (kit.sql.Unindexed); "all" and "mine" walk the registration-time index.
    order: OrderBy = OrderBy(F("registered_at"), descending=True)
    if tab == "to_dispatch":
        qs = qs.filter(status__in=[State.REGISTERED, State.RETURNED, State.REOPENED])
        order = Unindexed(F("registered_at")).asc()
    elif tab == "to_accept":
        qs = qs.filter(status=State.DISPATCHED, lead_unit_id__in=scope.units_of(user))
        order = Unindexed(F("accept_deadline")).asc()
    elif tab == "handling":
        qs = qs.filter(status=State.ACCEPTED)
        order = Unindexed(F("deadline")).asc()
    elif tab == "to_evaluate":
        qs = qs.filter(status=State.REPLIED)
        order = Unindexed(F("replied_at")).desc()
    elif tab == "overdue":
        qs = qs.filter(overdue=True, status__in=[s.value for s in CLOCK_STATES])
        order = Unindexed(F("deadline")).asc()
    elif tab == "mine":
        qs = qs.filter(citizen=user)
    elif tab in ROUTING_TABS:
        qs, order = _routing_tab(user, tab, qs)
    qs = _apply(qs, filters or InboxFilters())
    return qs.select_related("category", "lead_unit", "street", "district").order_by(order, "pk")


ROUTING_TABS = frozenset({"disputed", "flow_queue", "grid_tasks"})


def _routing_tab(user: User, tab: str, qs: QuerySet[Case]) -> tuple[QuerySet[Case], OrderBy]:
    """申辩待裁定: disputed cases; 网格转来: grid reports the flow list sent to the queue of the user's
    unit (the 12345 centre); 网格交办: hotline items the flow list sent to the user's grid."""
    if tab == "disputed":
        return qs.filter(status=State.DISPUTED), Unindexed(F("accept_deadline")).asc()
    if tab == "flow_queue":
        return (qs.filter(status__in=[State.REGISTERED, State.RETURNED, State.REOPENED],
                          flow__direction="grid_to_hotline",
                          flow__queue_unit_id__in=scope.units_of(user, Role.DISPATCHER)),
                Unindexed(F("registered_at")).asc())
    return (qs.filter(flow__grid_worker=user, status__in=[s.value for s in OPEN_STATES]),
            Unindexed(F("deadline")).asc())


def _apply(qs: QuerySet[Case], f: InboxFilters) -> QuerySet[Case]:
    if f.q:
        term = f.q.strip()
        qs = qs.filter(Q(code__iexact=term) | Q(title__contains=term) | Q(address__contains=term))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.district:
        qs = qs.filter(district_id=f.district)
    if f.category:
        qs = qs.filter(category_id__in=category_subtree(f.category))
    if f.registered_from:
        qs = qs.filter(registered_at__date__gte=f.registered_from)
    if f.registered_to:
        qs = qs.filter(registered_at__date__lte=f.registered_to)
    return qs


def category_subtree(category_id: int) -> list[int]:
    ids = [category_id]
    frontier = [category_id]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def case_for(user: User, code: str) -> Case:
    case = (
        visible_cases(user)
        .select_related("category__parent__parent", "lead_unit", "grid", "community", "street", "district",
                        "registered_by", "registered_unit", "duplicate_of")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise NotFound(_("没有找到案件 %(case)s，或您无权查看。") % {"case": code})
    return case


def audiences_for(user: User, case: Case) -> list[str]:
    roles = user.role_set()
    if roles - {Role.CITIZEN}:
        return [Audience.INTERNAL, Audience.PARTIES, Audience.PUBLIC]
    return [Audience.PARTIES, Audience.PUBLIC]


def timeline(user: User, case: Case) -> QuerySet[CaseEvent]:
    return case.events.filter(audience__in=audiences_for(user, case)).select_related("actor", "unit").order_by("seq")


@dataclass(frozen=True)
class PartyView:
    id: int
    role: str
    name: str
    phone: str
    id_number: str
    address: str
    masked: bool


def can_reveal(user: User) -> bool:
    return bool(user.role_set() & PII_ROLES)


def parties(user: User, case: Case, *, reveal: bool = False, ip_address: str | None = None) -> list[PartyView]:
    """The case's parties, masked; in full only for roles that need it, and every such view audited."""
    own = case.citizen_id == user.pk
    if not own and user.role_set() == {Role.CITIZEN}:
        return []  # a reporter following the primary her report was merged into sees no one else's details
    rows = list(Party.objects.filter(case=case).order_by("pk"))
    if reveal and not (can_reveal(user) or own):
        raise PermissionDenied(_("您的角色不能查看当事人的完整信息。"))
    if reveal and rows and not own:
        role = next(iter(sorted(user.role_set() & PII_ROLES)))
        record_personal_data_view(
            user, role=role, subject=f"case:{case.code}", fields=["name", "phone", "id_number", "address"],
            purpose="办理案件", ip_address=ip_address,
        )
    views = []
    for p in rows:
        full = reveal or own
        views.append(PartyView(
            id=p.pk, role=p.get_role_display(),
            name=p.name if full else pii.mask_name(p.name),
            phone=p.phone if full else pii.mask_phone(p.phone),
            id_number=p.id_number if full else pii.mask_id_number(p.id_number),
            address=p.address if full else pii.mask_address(p.address),
            masked=not full,
        ))
    return views


def counts(user: User) -> dict[str, Any]:
    qs = visible_cases(user)
    return {
        "open": qs.filter(status__in=[s.value for s in OPEN_STATES]).count(),
        "overdue": qs.filter(overdue=True, status__in=[s.value for s in CLOCK_STATES]).count(),
    }


@dataclass(frozen=True)
class Family:
    """A matter and every report merged into it: 本件共被反映 N 次，渠道 …"""

    primary: Case
    total: int
    channels: list[tuple[str, int]]  # (channel label, reports), most first
    members: list[Case]  # the reports the user may open, primary first


def family(user: User, case: Case) -> Family:
    """The family of a case the user can see: its primary and all cases whose duplicate_of is the primary.

    The count and the channels cover the whole family (numbers only); the members listed are those in
    the user's scope.
    """
    primary = case
    seen = {case.pk}
    while primary.duplicate_of_id is not None and primary.duplicate_of_id not in seen:
        seen.add(primary.duplicate_of_id)
        primary = Case.objects.get(pk=primary.duplicate_of_id)
    everyone = Case.objects.filter(Q(pk=primary.pk) | Q(duplicate_of_id=primary.pk))
    by_channel: dict[str, int] = {}
    for channel in everyone.values_list("channel", flat=True):
        by_channel[channel] = by_channel.get(channel, 0) + 1
    labels = dict(Case._meta.get_field("channel").flatchoices)
    channels = sorted(((str(labels.get(c, c)), n) for c, n in by_channel.items()), key=lambda x: (-x[1], x[0]))
    members = list(
        everyone.filter(scope.case_filter(user)).order_by(F("duplicate_of_id").asc(nulls_first=True),
                                                          "registered_at", "pk")
    )
    return Family(primary=primary, total=sum(by_channel.values()), channels=channels, members=members)
