"""Which units a case should go to, and why (docs/routing.md).

The order:

1. an active **routing rule** for the case's category or an ancestor × the case's grid, community, street,
   district or city: the most specific category wins, then the most specific area;
2. the learned router's **confident suggestion** (``intelligence.router.suggest``; below its confidence
   threshold it says nothing);
3. the **fallback unit** (兜底单位) of the case's district;
4. nothing: a human dispatcher decides.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, Category
from fengqiao.cases.routing_models import RoutingFallback, RoutingRule
from fengqiao.jurisdictions.models import Area, Unit

log = logging.getLogger(__name__)

Source = Literal["rule", "model", "fallback", "none"]


@dataclass(frozen=True)
class Resolution:
    source: Source
    lead: Unit | None = None
    assisting: list[Unit] = field(default_factory=list)
    rule: RoutingRule | None = None
    probability: float | None = None
    reason: str = ""

    @property
    def auto_dispatch(self) -> bool:
        return self.source == "rule" and self.rule is not None and self.rule.auto_dispatch


def category_chain(category: Category | None) -> list[Category]:
    """The category and its ancestors, most specific first."""
    chain: list[Category] = []
    node = category
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.parent if node.parent_id else None
    return chain


def area_chain(case: Case) -> list[Area]:
    """The case's grid, community, street, district and city, most specific first (those it has)."""
    chain = [a for a in (case.grid, case.community, case.street, case.district) if a is not None]
    top = chain[-1] if chain else None
    while top is not None and top.parent_id is not None and len(chain) < 10:
        top = top.parent if Area.parent.is_cached(top) else Area.objects.filter(pk=top.parent_id).first()
        if top is not None:
            chain.append(top)
    return chain


@dataclass(frozen=True)
class Considered:
    rule: RoutingRule
    category_rank: int  # 0 = the case's own category, 1 = its parent …
    area_rank: int  # 0 = the most specific area the case has


def matching_rules(categories: list[Category], areas: list[Area]) -> list[Considered]:
    """Active rules for any of the categories × any of the areas, best first."""
    if not categories or not areas:
        return []
    cat_rank = {c.pk: i for i, c in enumerate(categories)}
    area_rank = {a.pk: i for i, a in enumerate(areas)}
    rules = (RoutingRule.objects.filter(active=True, category_id__in=list(cat_rank), area_id__in=list(area_rank))
             .select_related("category", "area", "lead_unit").prefetch_related("assisting_units"))
    found = [Considered(r, cat_rank[r.category_id], area_rank[r.area_id]) for r in rules]
    return sorted(found, key=lambda c: (c.category_rank, c.area_rank))


def rule_reason(rule: RoutingRule) -> str:
    return _("规则：%(category)s × %(area)s → %(unit)s") % {
        "category": rule.category.name, "area": rule.area.name, "unit": rule.lead_unit.name}


def by_rule(category: Category | None, areas: list[Area]) -> Resolution | None:
    for considered in matching_rules(category_chain(category), areas):
        rule = considered.rule
        if not rule.lead_unit.active:
            continue
        assisting = [u for u in rule.assisting_units.all() if u.active and u.pk != rule.lead_unit_id]
        return Resolution("rule", rule.lead_unit, assisting, rule=rule, reason=rule_reason(rule))
    return None


def by_model(case: Case) -> Resolution | None:
    from fengqiao.intelligence import router

    extra = {"district": case.district.name if case.district else "",
             "street": case.street.name if case.street else ""}
    try:
        suggestion = router.suggest(f"{case.title} | {case.description}", extra)
    except Exception:  # a broken model file must not stop routing
        log.exception("router: suggestion failed for case %s", case.pk)
        return None
    if suggestion is None or not suggestion.units:
        return None
    unit_id, _name, probability = suggestion.units[0]
    if probability < router.confidence_threshold():
        return None
    unit = Unit.objects.filter(pk=unit_id, active=True).first()
    if unit is None:
        return None
    return Resolution("model", unit, probability=probability,
                      reason=_("模型建议 %(p)s%%：%(unit)s") % {"p": round(probability * 100), "unit": unit.name})


def by_fallback(district: Area | None) -> Resolution | None:
    if district is None:
        return None
    row = RoutingFallback.objects.filter(district=district, unit__active=True).select_related("unit").first()
    if row is None:
        return None
    return Resolution("fallback", row.unit,
                      reason=_("兜底：%(district)s %(unit)s") % {"district": district.name, "unit": row.unit.name})


def resolve(case: Case, *, use_model: bool = True) -> Resolution:
    """Rule → confident model suggestion → the district's fallback unit → a human dispatcher."""
    found = by_rule(case.category, area_chain(case))
    if found is None and use_model:
        found = by_model(case)
    if found is None:
        found = by_fallback(case.district)
    return found or Resolution("none", reason=_("无规则、模型把握不足且无兜底单位，请人工分拨"))


def explain(category: Category, area: Area) -> tuple[Resolution | None, list[Considered]]:
    """For the admin's "test a rule" form: the rule that applies to ``category`` at ``area`` and every
    rule that was considered, best first (no model: a place and a category have no text)."""
    areas = [area]
    node = area
    while node.parent_id is not None and len(areas) < 10:
        node = Area.objects.get(pk=node.parent_id)
        areas.append(node)
    considered = matching_rules(category_chain(category), areas)
    found = by_rule(category, areas)
    if found is None:
        district = next((a for a in areas if a.level == "district"), None)
        found = by_fallback(district)
    return found, considered
