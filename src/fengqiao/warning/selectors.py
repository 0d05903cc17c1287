"""Reads of early warning, scoped to the reader through the case's scope (DESIGN rule 4): area roles see the
scores of cases in their area, unit roles those of cases their unit leads or assists, admins all.

For the cockpit and its reports: ``grades_in(user, scope, period)``; ``grade_counts(user, since)`` and
``scored_points(user, since)`` count the reader's whole reach from a date on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Party
from fengqiao.jurisdictions import scope
from fengqiao.kit import clock, pii
from fengqiao.kit.errors import NotFound
from fengqiao.kit.periods import Period
from fengqiao.warning.models import GRADE_ORDER, Grade, Score

if TYPE_CHECKING:
    from fengqiao.cockpit.selectors import Scope

GRADED = [Grade.KEY.value, Grade.GENERAL.value, Grade.WATCH.value]


def visible(user: User) -> QuerySet[Score]:
    """The scores ``user`` may read: those of the cases she may read."""
    return Score.objects.filter(scope.case_filter(user, prefix="case__"))


def access_case(user: User, code: str) -> Case:
    """The only permission-checked loader of a case for these pages, by its tracking code."""
    found = Case.objects.filter(scope.case_filter(user), code=code).first()
    if found is None:
        raise NotFound(_("没有找到编号为 %(code)s 的案件，或您无权查看。") % {"code": code})
    return found


def grade_counts(user: User, since: dt.datetime) -> dict[str, int]:
    """Cases registered since ``since`` by their current grade (watch / general / key), in the reader's scope."""
    rows = dict(visible(user).filter(case__registered_at__gte=since, grade__in=GRADED).order_by()
                .values_list("grade").annotate(n=Count("pk")))
    return {g: int(rows.get(g, 0)) for g in (Grade.WATCH.value, Grade.GENERAL.value, Grade.KEY.value)}


def grades_in(user: User, scope: Scope, period: Period) -> dict[str, int]:
    """Cases registered in ``period`` in the cockpit ``scope`` (the city, a district, a street), as ``user``
    may see them, by their current grade: ``{"watch": n, "general": n, "key": n}``.  The one source of the
    cockpit's escalation figures and of the reports' section."""
    start, end = clock.at_local(period.start, dt.time()), clock.at_local(period.end, dt.time())
    rows = visible(user).filter(case__registered_at__gte=start, case__registered_at__lt=end, grade__in=GRADED,
                                **scope.lookup("case__"))
    counts = dict(rows.order_by().values_list("grade").annotate(n=Count("pk")))
    return {g: int(counts.get(g, 0)) for g in (Grade.WATCH.value, Grade.GENERAL.value, Grade.KEY.value)}


def scored_points(user: User, since: dt.datetime) -> list[tuple[float, float, str]]:
    """(lng, lat, grade) of graded cases registered since ``since`` that have a location, in scope."""
    rows = visible(user).filter(case__registered_at__gte=since, grade__in=GRADED, case__lng__isnull=False,
                                case__lat__isnull=False).values_list("case__lng", "case__lat", "grade")
    return [(float(lng), float(lat), grade) for lng, lat, grade in rows if lng is not None and lat is not None]


@dataclass
class Aggregate:
    """A party or a place: its scored cases, the highest grade and probability among them."""

    key: str
    label: str
    cases: int
    top_probability: float
    grade: str
    codes: list[str] = field(default_factory=list)

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label) if self.grade else ""


def _best_grade(grades: list[str]) -> str:
    return max(grades, key=lambda g: GRADE_ORDER.get(Grade(g), 0)) if grades else ""


def _aggregate(qs: QuerySet[Score], key_field: str, limit: int) -> list[tuple[str, int, float]]:
    rows = (qs.exclude(**{key_field: ""}).order_by().values_list(key_field)
            .annotate(n=Count("pk"), top=Max("probability")).filter(n__gte=2).order_by("-top", "-n")[:limit])
    return [(k, int(n), float(top)) for k, n, top in rows]


def _details(qs: QuerySet[Score], key_field: str, keys: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    out: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for key, grade, code in qs.filter(**{f"{key_field}__in": keys}).order_by("-probability").values_list(
            key_field, "grade", "case__code"):
        out[key][0].append(grade)
        out[key][1].append(code)
    return out


def parties(qs: QuerySet[Score], limit: int = 10) -> list[Aggregate]:
    """The parties with several scored cases, highest probability first; names and phones masked."""
    top = _aggregate(qs, "party_key", limit)
    keys = [k for k, _n, _p in top]
    details = _details(qs, "party_key", keys)
    labels: dict[str, str] = {}
    for key in keys:
        kind, digest = key[:1], key[2:]
        party = Party.objects.filter(**{"phone_hash" if kind == "p" else "id_hash": digest},
                                     case__code__in=details[key][1]).order_by("pk").first()  # a case in scope
        if party is not None:
            labels[key] = " ".join(x for x in (pii.mask_name(party.name), pii.mask_phone(party.phone)) if x)
    return [Aggregate(k, labels.get(k, _("当事人")), n, p, _best_grade([g for g in details[k][0] if g]),
                      details[k][1][:5]) for k, n, p in top]


def places(qs: QuerySet[Score], limit: int = 10) -> list[Aggregate]:
    """The places (normalised addresses) with several scored cases, highest probability first."""
    top = _aggregate(qs, "place_key", limit)
    details = _details(qs, "place_key", [k for k, _n, _p in top])
    return [Aggregate(k, k, n, p, _best_grade([g for g in details[k][0] if g]), details[k][1][:8])
            for k, n, p in top]


def households(qs: QuerySet[Score], grade: str = "", limit: int = 50) -> list[Aggregate]:
    """A special module's addresses (or, without one, its parties), by level: each with all its cases."""
    rows: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    labels: dict[str, str] = {}
    for place, party, probability, grade_, code, address in qs.order_by("-probability").values_list(
            "place_key", "party_key", "probability", "grade", "case__code", "case__address")[:5000]:
        key = place or (f"party:{party}" if party else f"case:{code}")
        rows[key].append((grade_, probability, code))
        labels.setdefault(key, place or pii.mask_address(address) or code)
    out = [Aggregate(k, labels[k], len(v), max(p for _g, p, _c in v), _best_grade([g for g, _p, _c in v if g]),
                     [c for _g, _p, c in v][:8]) for k, v in rows.items()]
    if grade:
        out = [a for a in out if a.grade == grade]
    out.sort(key=lambda a: (-GRADE_ORDER.get(Grade(a.grade), 0), -a.cases, -a.top_probability))
    return out[:limit]


def module_figures(qs: QuerySet[Score], signal_labels: dict[str, str]) -> dict[str, Any]:
    """For a module's page: cases by grade, by month and grade, and its signals' counts."""
    by_grade = Counter(g for g in qs.values_list("grade", flat=True))
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for registered, grade in qs.values_list("case__registered_at", "grade")[:20000]:
        months[f"{registered:%Y-%m}"][grade or "none"] += 1
    signals: Counter[str] = Counter()
    for found in qs.values_list("signals", flat=True)[:20000]:
        signals.update(s for s in found or [] if s in signal_labels)
    order = sorted(months)
    return {
        "grades": [{"key": g, "label": str(Grade(g).label), "n": by_grade.get(g, 0)} for g in GRADED],
        "months": order,
        "series": {g or "none": [months[m].get(g or "none", 0) for m in order] for g in [*GRADED, ""]},
        "signals": [{"label": signal_labels[k], "n": n} for k, n in signals.most_common()],
    }


def filtered(user: User, *, grade: str = "", street: int | None = None, module: str = "",
             q: str = "") -> QuerySet[Score]:
    qs = visible(user)
    if grade == "none":
        qs = qs.filter(grade="")
    elif grade:
        qs = qs.filter(grade=grade)
    if street is not None:
        qs = qs.filter(case__street_id=street)
    if module in ("rental", "family"):
        qs = qs.filter(**{module: True})
    if q:
        qs = qs.filter(Q(case__code__icontains=q) | Q(case__title__icontains=q) | Q(place_key__icontains=q))
    return qs
