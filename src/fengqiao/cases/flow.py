"""The flow list between the grid and the hotline platforms (流转清单), and auto-dispatch by rule, applied
when a case is registered (docs/routing.md).

* grid → hotline: a grid patrol report matching a rule waits in the dispatch queue of the rule's target
  unit (the 12345 centre);
* hotline → grid: a hotline item matching a rule is dispatched, by the system through the dispatch
  service, to the rule's target unit or else the street office of the case's street, naming the grid
  worker(s) of the case's grid, who see it under 网格交办;
* otherwise, when an active routing rule with auto-dispatch matches, the case is dispatched by that rule.

The active flow rules and whether any auto-dispatch rule exists are kept per process for 30 seconds (and
dropped when a rule is saved in this process), so registration costs no extra statement most of the time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases import routing
from fengqiao.cases.models import Case
from fengqiao.cases.routing_models import CaseFlow, FlowDirection, FlowRule, RoutingRule
from fengqiao.cases.services._core import SYSTEM
from fengqiao.cases.services.dispatch import do_dispatch
from fengqiao.cases.states import Action, State
from fengqiao.jurisdictions.models import Unit, UnitKind
from fengqiao.kit import clock

log = logging.getLogger(__name__)
TTL = 30.0
_cache: dict[str, Any] = {}


def invalidate(**_kwargs: object) -> None:
    _cache.clear()


for _model in (FlowRule, RoutingRule):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"flow-cache-{_model.__name__}-save")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"flow-cache-{_model.__name__}-delete")


def _cached() -> dict[str, Any]:
    if not _cache or time.monotonic() - _cache["at"] > TTL:
        rules = list(FlowRule.objects.filter(active=True).select_related("target_unit").order_by("pk"))
        _cache.update(at=time.monotonic(), flow=rules,
                      auto=RoutingRule.objects.filter(active=True, auto_dispatch=True).exists())
    return _cache


@dataclass(frozen=True)
class FlowPlan:
    rule: FlowRule
    direction: FlowDirection
    unit: Unit | None  # the queue (grid → hotline) or the lead unit (hotline → grid)
    grid_worker: User | None

    def as_data(self) -> dict[str, Any]:
        return {"rule": self.rule.pk, "direction": self.direction.value,
                "unit": self.unit.pk if self.unit else None, "unit_name": self.unit.name if self.unit else "",
                "grid_worker": self.grid_worker.pk if self.grid_worker else None,
                "grid_worker_name": str(self.grid_worker) if self.grid_worker else ""}


def matching_flow_rule(case: Case, rules: list[FlowRule] | None = None) -> FlowRule | None:
    """The active flow rule for the case's channel, urgency and category: the most specific category wins
    (a rule with no category is the least specific); among equals the oldest rule."""
    candidates: list[FlowRule] = _cached()["flow"] if rules is None else rules
    if not candidates:
        return None  # no flow list: no statement spent on the category's ancestors
    chain = [c.pk for c in routing.category_chain(case.category)]
    best: tuple[int, int, FlowRule] | None = None
    for rule in candidates:
        if case.channel not in rule.source_channels() or not rule.matches_urgency(case.urgency):
            continue
        if rule.category_id is None:
            rank = len(chain) + 1
        elif rule.category_id in chain:
            rank = chain.index(rule.category_id)
        else:
            continue
        if best is None or (rank, rule.pk) < best[:2]:
            best = (rank, rule.pk, rule)
    return best[2] if best else None


def _hotline_centre() -> Unit | None:
    return Unit.objects.filter(kind=UnitKind.HOTLINE_CENTRE, active=True).order_by("level", "code").first()


def _street_office(case: Case) -> Unit | None:
    if case.street_id is None:
        return None
    offices = Unit.objects.filter(kind=UnitKind.STREET_OFFICE, area_id=case.street_id, active=True)
    return offices.order_by("code").first()


def _grid_worker(case: Case) -> User | None:
    if case.grid_id is None:
        return None
    return (User.objects.filter(memberships__role=Role.GRID_WORKER, memberships__area_id=case.grid_id,
                                is_active=True).order_by("pk").first())


def plan(case: Case) -> FlowPlan | None:
    """What the flow list says for a case being registered (nothing is written)."""
    rule = matching_flow_rule(case)
    if rule is None:
        return None
    direction = FlowDirection(rule.direction)
    if direction == FlowDirection.GRID_TO_HOTLINE:
        return FlowPlan(rule, direction, rule.target_unit or _hotline_centre(), None)
    if case.grid_id is None:
        return None  # a hotline item with no grid cannot go to a grid worker: it stays with the dispatcher
    unit = rule.target_unit or _street_office(case)
    if unit is None:
        fallback = routing.by_fallback(case.district)
        unit = fallback.lead if fallback else None
    if unit is None:
        log.warning("flow rule %s: no unit for the grid of case %s", rule.pk, case.code)
        return None
    return FlowPlan(rule, direction, unit, _grid_worker(case))


def apply(case: Case, flow: FlowPlan | None) -> None:
    """After registration, in its transaction: record the flow; hotline → grid dispatches; else a rule
    with auto-dispatch dispatches."""
    if flow is not None:
        CaseFlow.objects.create(case=case, rule=flow.rule, direction=flow.direction, at=clock.now(),
                                queue_unit=flow.unit if flow.direction == FlowDirection.GRID_TO_HOTLINE else None,
                                grid_worker=flow.grid_worker)
        if flow.direction == FlowDirection.HOTLINE_TO_GRID and flow.unit is not None:
            worker = f"，网格员 {flow.grid_worker}" if flow.grid_worker else ""
            do_dispatch(case, Action.DISPATCH, SYSTEM, flow.unit, [],
                        note=f"流转清单：热线 → 网格{worker}", data={"flow": flow.as_data()})
        return
    if case.state != State.REGISTERED or not _cached()["auto"]:
        return
    found = routing.by_rule(case.category, routing.area_chain(case))
    if found is not None and found.auto_dispatch and found.lead is not None and found.rule is not None:
        do_dispatch(case, Action.DISPATCH, SYSTEM, found.lead, found.assisting,
                    note=f"{found.reason}（自动交办）", data={"routing": "rule", "rule": found.rule.pk})


def apply_to_registered(case_ids: list[int]) -> bool:
    """The flow list and auto-dispatch for cases registered outside ``services.register`` — the push
    endpoints (``intake.pipeline.register_one``) — in the caller's transaction.  File imports are history
    and do not call it.  True when any rule could apply (the caller then re-reads its cases)."""
    rules = _cached()
    if not rules["flow"] and not rules["auto"]:
        return False
    cases = (Case.objects.filter(pk__in=case_ids, status=State.REGISTERED)
             .select_related("category__parent", "grid", "community", "street", "district").order_by("pk"))
    for case in cases:
        apply(case, plan(case))
    return True
