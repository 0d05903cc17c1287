"""The demo city's routing as data (docs/routing.md): rules for the second-level categories the city's
departments own, district overrides where a district bureau handles the matter itself, each district's
command centre as its fallback unit, and a small flow list between the grid and the 12345 platforms."""

from __future__ import annotations

from collections import Counter

from fengqiao.cases.models import Category, Urgency
from fengqiao.cases.routing_models import FlowDirection, FlowRule, RoutingFallback, RoutingRule
from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.units import BY_SECOND_LEVEL, Org
from fengqiao.jurisdictions.models import Area

# second-level categories a district bureau handles in its own district (abbreviation of DISTRICT_UNITS)
DISTRICT_OVERRIDES = {"城市建设和市政管理": "cgj", "工资福利": "rsj", "市场监管": "scjg"}
# second-level categories dispatched automatically on registration (unambiguous owners)
AUTO_DISPATCH = {"出租车管理", "户籍证件"}
# the flow list: grid patrol reports the 12345 centre dispatches; hotline items sent to the grid
GRID_TO_HOTLINE = ["工资福利", "城镇职工社会保险"]
HOTLINE_TO_GRID = ["村务管理", "基层选举和社区建设"]


def create_routing(areas: dict[str, Area], org: Org) -> Counter[str]:
    city = areas["3212"]
    seconds = {c.name: c for c in Category.objects.filter(level=2)}
    rules: list[RoutingRule] = []
    assisting: list[list[int]] = []
    for name, abbrs in BY_SECOND_LEVEL.items():
        units = [org.city[a] for a in abbrs if a in org.city]
        if name not in seconds or not units:
            continue
        rules.append(RoutingRule(category=seconds[name], area=city, lead_unit=units[0],
                                 auto_dispatch=name in AUTO_DISPATCH, note="演示：市级职能部门"))
        assisting.append([u.pk for u in units[1:]])
        abbr = DISTRICT_OVERRIDES.get(name, "")
        for d in DISTRICTS if abbr else []:
            rules.append(RoutingRule(category=seconds[name], area=areas[d.code], lead_unit=org.district[d.code][abbr],
                                     note="演示：区级部门属地办理"))
            assisting.append([])
    RoutingRule.objects.bulk_create(rules)
    saved = {(r.category_id, r.area_id): r.pk for r in RoutingRule.objects.filter(area__path__startswith="3212")}
    through = RoutingRule.assisting_units.through
    through.objects.bulk_create([through(routingrule_id=saved[(r.category_id, r.area_id)], unit_id=u)
                                 for r, units in zip(rules, assisting, strict=True) for u in units])
    RoutingFallback.objects.bulk_create([
        RoutingFallback(district=areas[d.code], unit=org.district[d.code]["cc"], note="演示：区社会治理指挥中心兜底")
        for d in DISTRICTS])
    flows = [FlowRule(direction=FlowDirection.GRID_TO_HOTLINE, category=seconds[n], target_unit=org.hotline,
                      note="演示：网格发现的劳动保障事项转 12345 分拨") for n in GRID_TO_HOTLINE if n in seconds]
    flows += [FlowRule(direction=FlowDirection.HOTLINE_TO_GRID, category=seconds[n],
                       urgencies=[Urgency.NORMAL.value], note="演示：村社事务交网格员就地办理")
              for n in HOTLINE_TO_GRID if n in seconds]
    FlowRule.objects.bulk_create(flows)
    return Counter(routing_rules=len(rules), fallbacks=len(DISTRICTS), flow_rules=len(flows))
