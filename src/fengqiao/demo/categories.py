"""The three-level category tree (the real one when the shared taxonomy is present), who handles each
category, and the deadline policies."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from fengqiao.cases.models import Category, DeadlinePolicy, TimeUnit, Urgency
from fengqiao.demo.texts import CONSULTATION
from fengqiao.demo.units import DISTRICT_UNITS, Org, departments_for

FIXTURE = Path(__file__).parent / "fixtures" / "categories.json"
Tree = dict[str, dict[str, list[str]]]

# Words in a category's name that make its matters very urgent (24 hours) when reported as such.
VERY_URGENT_WORDS = ("安全", "噪", "事故", "燃气", "停水", "停电")
# Second-level categories that are mostly questions, answered within 3 working days.
CONSULTATION_SECOND_LEVEL = CONSULTATION


def taxonomy_path() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "tipdm2020" / "label_taxonomy.csv"


def load_tree() -> tuple[Tree, str]:
    """The category tree and where it came from."""
    path = taxonomy_path()
    if path.exists():
        tree: Tree = {}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                top, second, third = (row["一级分类"].strip(), row["二级分类"].strip(), row["三级分类"].strip())
                if top and second and third:
                    leaves = tree.setdefault(top, {}).setdefault(second, [])
                    if third not in leaves:
                        leaves.append(third)
        return tree, str(path)
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data, "内置分类 (demo/fixtures/categories.json)"


@dataclass(frozen=True)
class Leaf:
    """A third-level category with what the history generator needs to know about it."""

    id: int
    top: str
    second: str
    name: str
    units: tuple[str, ...]  # unit abbreviations, most usual first
    very_urgent_prone: bool


def create_categories(tree: Tree, org: Org) -> list[Leaf]:
    tops, seconds, thirds = [], [], []
    for i, (top, children) in enumerate(tree.items(), start=1):
        tops.append(Category(code=f"{i:02d}", name=top, level=1))
        for j, (second, leaves) in enumerate(children.items(), start=1):
            seconds.append((f"{i:02d}", Category(code=f"{i:02d}{j:02d}", name=second, level=2)))
            for k, third in enumerate(leaves, start=1):
                thirds.append((f"{i:02d}{j:02d}", Category(code=f"{i:02d}{j:02d}{k:02d}", name=third, level=3)))
    Category.objects.bulk_create(tops)
    by_code = {c.code: c for c in Category.objects.filter(level=1, code__in=[t.code for t in tops])}
    for parent_code, cat in seconds:
        cat.parent = by_code[parent_code]
    Category.objects.bulk_create([c for _p, c in seconds])
    by_code |= {c.code: c for c in Category.objects.filter(level=2, code__in=[c.code for _p, c in seconds])}
    for parent_code, cat in thirds:
        cat.parent = by_code[parent_code]
    Category.objects.bulk_create([c for _p, c in thirds], batch_size=500)
    leaf_rows: list[Category] = list(
        Category.objects.filter(level=3, code__in=[c.code for _p, c in thirds]).select_related("parent__parent")
    )
    result: list[Leaf] = []
    links = []
    through = Category.units.through
    district_abbrs = {abbr for abbr, _s, _k in DISTRICT_UNITS}
    for leaf in leaf_rows:
        mid = leaf.parent
        assert mid is not None
        assert mid.parent is not None
        root = mid.parent
        abbrs = departments_for(root.name, mid.name)
        unit_ids = [org.city[a].pk for a in abbrs if a in org.city]
        unit_ids += [units[a].pk for a in abbrs if a in district_abbrs for units in org.district.values()]
        for category in (leaf, mid, root):
            links += [through(category_id=category.pk, unit_id=u) for u in unit_ids]
        result.append(Leaf(leaf.pk, root.name, mid.name, leaf.name, tuple(abbrs),
                           any(w in leaf.name or w in mid.name for w in VERY_URGENT_WORDS)))
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    _policies(leaves=leaf_rows, seconds=[c for c in by_code.values() if c.level == 2])
    return result


def _policies(leaves: list[Category], seconds: list[Category]) -> None:
    hours, days = TimeUnit.HOURS, TimeUnit.WORKING_DAYS
    rows = [
        DeadlinePolicy(category=None, urgency="", accept_hours=24, resolve_amount=5, resolve_unit=days),
        DeadlinePolicy(category=None, urgency=Urgency.URGENT, accept_hours=4, resolve_amount=2, resolve_unit=days),
        DeadlinePolicy(category=None, urgency=Urgency.VERY_URGENT, accept_hours=2, resolve_amount=24,
                       resolve_unit=hours),
    ]
    existing = set(DeadlinePolicy.objects.values_list("category_id", "urgency"))
    rows = [r for r in rows if (None, r.urgency) not in existing]
    for cat in leaves:
        if any(w in cat.name for w in VERY_URGENT_WORDS):
            rows.append(DeadlinePolicy(category=cat, urgency=Urgency.VERY_URGENT, accept_hours=1,
                                       resolve_amount=24, resolve_unit=hours))
            rows.append(DeadlinePolicy(category=cat, urgency="", accept_hours=12, resolve_amount=3,
                                       resolve_unit=days))
    for cat in seconds:
        if cat.name in CONSULTATION_SECOND_LEVEL:
            rows.append(DeadlinePolicy(category=cat, urgency="", accept_hours=24, resolve_amount=3,
                                       resolve_unit=days))
    DeadlinePolicy.objects.bulk_create(rows)
