"""Build the demo city phase by phase, and wipe it."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from tqdm import tqdm

from fengqiao.accounts.models import User
from fengqiao.analytics.models import Appeal, AppealEvent, RollupMonth, UnitMonth
from fengqiao.audit.models import Anchor, AnchorEntry, PersonalDataView
from fengqiao.cases.loop_models import Consultation, ConsultationParticipant, ConsultationTask, EvaluationInvite
from fengqiao.cases.models import (
    Assignment,
    Attachment,
    Case,
    CaseEvent,
    Category,
    DeadlinePolicy,
    Evaluation,
    ExtensionRequest,
    Party,
)
from fengqiao.cases.routing_models import CaseFlow, Dispute, FlowRule, RoutingFallback, RoutingRule
from fengqiao.cockpit import rollup as cockpit_rollup
from fengqiao.cockpit.models import Fact, FactMonth
from fengqiao.demo import (
    ew_legal,
    ew_risk_register,
    ew_stability,
    ew_warning,
    geography,
    gridwork,
    loop,
    mediation,
    texts,
)
from fengqiao.demo.categories import create_categories, load_tree
from fengqiao.demo.history import World
from fengqiao.demo.load import category_map, generate
from fengqiao.demo.people import DEMO_DOMAIN, create_people
from fengqiao.demo.routing import create_routing
from fengqiao.demo.units import create_units
from fengqiao.intelligence.models import CaseBand, ReplyReview
from fengqiao.jurisdictions import geo
from fengqiao.jurisdictions.models import LEVEL_ORDER, Area, Unit
from fengqiao.kit import clock
from fengqiao.notifications.models import Outbox

CITY_CODE = "3212"
IN_CITY = Q(path=CITY_CODE) | Q(path__startswith=f"{CITY_CODE}/")


@dataclass
class Report:
    timings: list[tuple[str, float]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    sources: list[str] = field(default_factory=list)
    invites: list[tuple[str, str, str]] = field(default_factory=list)  # (case code, link code, SMS code)

    @contextmanager
    def phase(self, name: str, say: Callable[[str], None]) -> Iterator[None]:
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        self.timings.append((name, seconds))
        say(f"  {name}: {seconds:.1f} s")


def exists() -> bool:
    return Area.objects.filter(code=CITY_CODE).exists()


def is_demo() -> bool:
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()


def write_areas(root: geography.Node) -> dict[str, Area]:
    """Level by level with bulk_create; ``path`` is set here because bulk_create skips ``Area.save``."""
    nodes = geography.walk(root)
    saved: dict[str, Area] = {}
    for level in LEVEL_ORDER:
        rows = []
        for node in (n for n in nodes if n.level == level):
            lng, lat = geography.centroid(node.geom)
            rows.append(Area(code=node.code, name=node.name, level=level, path=node.path,
                             parent=saved[node.parent.code] if node.parent else None,
                             geometry=geography.geojson(node.geom), centroid_lng=lng, centroid_lat=lat,
                             population=node.population, aliases=node.aliases))
        Area.objects.bulk_create(rows, batch_size=1000)
        saved |= {a.code: a for a in Area.objects.filter(IN_CITY, level=level)}
    return saved


def build(cases: int, scale: geography.Scale, seed: int, say: Callable[[str], None], workers: int = 1,
          mediations: int | None = None) -> Report:
    report = Report()
    rng = random.Random(seed)
    with report.phase("区划与网格 (jurisdictions)", say), transaction.atomic():
        streets = sum(scale.streets_per_district or [d.streets for d in geography.DISTRICTS])
        with tqdm(total=streets, unit="镇街", desc="区划", mininterval=0.5) as bar:
            city = geography.build(scale, rng, bar.update)
        areas = write_areas(city)
        report.counts.update(Counter(f"areas.{a.level}" for a in areas.values()))
    with report.phase("单位、分类与期限 (units, categories)", say), transaction.atomic():
        org = create_units(areas)
        tree, source = load_tree()
        leaves = create_categories(tree, org)
        report.counts.update(create_routing(areas, org))  # routing rules, fallbacks, the flow list
        report.sources.append(source)
        report.counts.update(units=Unit.objects.filter(area__in=Area.objects.filter(IN_CITY)).count(),
                             categories=Category.objects.count(), policies=DeadlinePolicy.objects.count())
    with report.phase("用户与角色 (users)", say), transaction.atomic():
        staff = create_people(areas, org, rng)
        report.counts["users"] = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count()
    with report.phase("文本 (texts)", say):
        pool = texts.load()
        pool.index([(leaf.top, leaf.name) for leaf in leaves])
        report.sources += pool.sources
    with report.phase("案件与事件 (cases, events)", say):
        world = World(now=clock.now().replace(microsecond=0), grids=[], leaves=leaves, org=org, staff=staff,
                      texts=pool, categories=category_map(),
                      unit_names=dict(Unit.objects.values_list("pk", "name")))
        with tqdm(total=cases, unit="件", desc="案件", mininterval=1.0) as bar:
            def advance(done: int) -> None:
                bar.update(done)

            report.counts += generate(world, cases, seed, advance, workers)
    with report.phase("网格工作：团队、巡查计划、一年的走访、专项行动 (grid work)", say), transaction.atomic():
        report.counts += gridwork.create(org, staff, seed, world.now, say)
    with report.phase("调解：调解组织、专家库、一年的调解 (mediation)", say):
        wanted = mediation.default_count(cases) if mediations is None else mediations
        made = mediation.create(org, staff, areas, seed, world.now, wanted, say, workers)
        report.counts += made.counts
        report.sources.append(made.source)
    if connection.vendor == "sqlite":
        with report.phase("统计信息 (ANALYZE)", say), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    geo.invalidate()
    with report.phase("调解：今日的调解，经由业务服务 (live mediations)", say):
        report.counts += mediation.live(made, say)
    with report.phase("闭环运转：申辩、答复待审、会商、回访邀请、督办、排名 (closed loop)", say):
        shown = loop.animate(org, say)
        report.counts += shown.counts
        report.invites = shown.invites
    # Early warning: each part writes its own rows (fengqiao/demo/ew_*.py), in this order.
    for part, title in ((ew_warning, "激化预警：评分、专项预警 (escalation scores)"),
                        (ew_legal, "行政争议：识别与提前介入 (administrative disputes)"),
                        (ew_risk_register, "重大风险清单：排查、建单、攻坚、销号 (risk register)"),
                        (ew_stability, "重大决策社会稳定风险评估 (stability assessments)")):
        with report.phase(title, say):
            report.counts += part.create(org, staff, areas, random.Random(f"{seed}-{part.__name__}"), world.now, say)
    with report.phase("驾驶舱统计汇总 (cockpit rollups)", say):
        months = cockpit_rollup.months_with_cases()
        with tqdm(total=len(months), unit="月", desc="汇总", mininterval=0.5) as bar:
            done = cockpit_rollup.ensure(months, force=True, progress=lambda _r: bar.update(1))
        report.counts["cockpit.facts"] = sum(r.rows for r in done)
    return report


def wipe(say: Callable[[str], None]) -> None:
    """Remove the demo: every case and its records, audit anchors, categories and deadline policies, the
    units and areas of the demo city, and the demo users.  Large tables go with one DELETE each."""
    with transaction.atomic():
        for part in (ew_stability, ew_risk_register, ew_legal, ew_warning):
            part.wipe(say)
        for rollup_model in (Fact, FactMonth):
            rollup_model.objects.all()._raw_delete(rollup_model.objects.db)
        mediation.wipe(say)  # mediations point to cases, units, areas and users
        gridwork.wipe(say)  # visits point to cases, places and teams to grids, units and users
        for model in (CaseEvent, Party, Assignment, Evaluation, ExtensionRequest, Attachment,
                      Case.related.through, AnchorEntry, Anchor):
            deleted = model.objects.all()._raw_delete(model.objects.db)
            say(f"  {model._meta.verbose_name_plural}: {deleted}")
        CaseBand.objects.all()._raw_delete(CaseBand.objects.db)  # duplicate-search fingerprints
        for loop_model in (ReplyReview, EvaluationInvite, ConsultationTask, ConsultationParticipant, Consultation,
                           AppealEvent, Appeal, UnitMonth, RollupMonth, Outbox):
            deleted = loop_model.objects.all()._raw_delete(loop_model.objects.db)
            say(f"  {loop_model._meta.verbose_name_plural}: {deleted}")
        for routing_model in (Dispute, CaseFlow, RoutingRule.assisting_units.through, RoutingRule, RoutingFallback,
                              FlowRule):
            routing_model.objects.all()._raw_delete(routing_model.objects.db)
        Case.objects.all()._raw_delete(Case.objects.db)
        demo_users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
        PersonalDataView.objects.filter(user__in=demo_users).delete()
        demo_users.delete()
        Unit.objects.filter(area__in=Area.objects.filter(IN_CITY)).delete()
        DeadlinePolicy.objects.all().delete()
        for depth in (3, 2, 1):
            Category.objects.filter(level=depth).delete()
        for level in reversed(LEVEL_ORDER):
            Area.objects.filter(IN_CITY, level=level).delete()
    geo.invalidate()
