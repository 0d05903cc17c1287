"""The five-100% indicators (五个100%: 排查、建单、评估、稳控、巩固) and the resolution rate (化解率), per area,
unit and period; each one's shortfall as a drill-down query; the per-unit risk-work score (结果运用).

Definitions (docs/risk.md is the reference): the entries counted are those **opened in the period**
(``period_start`` ≤ opened_at < ``period_end``, local dates, end exclusive), measured in their state now.

* 排查率 screening   = grids screened in the period's campaigns ÷ grids those campaigns cover (a campaign
  belongs to the period it starts in; a grid counts once per campaign);
* 评估率 assessment  = entries judged with a graded reason (no longer ``screened``) ÷ entries opened;
* 建单率 listing     = judged entries that were listed or dismissed with a reason ÷ judged entries;
* 稳控率 control     = listed entries with at least one 稳控措施 and no overdue review ÷ listed entries;
* 巩固率 consolidation = written-off entries followed up (回访巩固) with no relapse ÷ written-off entries
  whose follow-up is due (followed up, or written off ≥ ``CONSOLIDATION_DAYS`` ago);
* 化解率 resolution  = written-off entries ÷ listed entries.

"Listed" means it reached 建单: listed, tackling, written off or applied.  A rate whose denominator is 0 is
``None`` (shown as —), never 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import clock
from fengqiao.kit import periods as kit_periods
from fengqiao.kit.periods import Period
from fengqiao.risk.models import Campaign, RiskEntry, Screening
from fengqiao.risk.selectors import visible
from fengqiao.risk.states import REVIEWED, RState

S = RState
LISTED = (S.LISTED, S.TACKLING, S.WRITTEN_OFF, S.APPLIED)
WRITTEN_OFF = (S.WRITTEN_OFF, S.APPLIED)
CONSOLIDATION_DAYS = 30  # a write-off is followed up within this many days (回访巩固)
OVERDUE_PENALTY = 2.0  # score points per entry whose review is overdue now

KEYS = ("screening", "assessment", "listing", "control", "consolidation", "resolution")
LABELS: dict[str, Any] = {
    "screening": _("排查率"), "assessment": _("评估率"), "listing": _("建单率"), "control": _("稳控率"),
    "consolidation": _("巩固率"), "resolution": _("化解率"),
}
SHORTFALL: dict[str, Any] = {
    "screening": _("排查活动中未排查的网格"), "assessment": _("尚未识别定级的风险"),
    "listing": _("已识别、尚未建单的风险"),
    "control": _("未落实稳控措施或复核逾期的风险"), "consolidation": _("销号后未回访或回访发现反弹的风险"),
    "resolution": _("尚未销号的在册风险"),
}


@dataclass(frozen=True)
class Rate:
    key: str
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        r = self.rate
        return None if r is None else round(100 * r, 1)

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def short(self) -> bool:
        """Below 100 %: there are entries (or grids) to drill down to."""
        return self.denominator > 0 and self.numerator < self.denominator


@dataclass(frozen=True)
class Indicators:
    period_start: dt.date
    period_end: dt.date  # exclusive
    area_id: int | None
    unit_id: int | None
    screening: Rate
    assessment: Rate
    listing: Rate
    control: Rate
    consolidation: Rate
    resolution: Rate
    overdue_reviews: int  # live entries whose review is overdue now (not limited to the period)
    opened: int  # entries opened in the period

    def rates(self) -> list[Rate]:
        return [getattr(self, k) for k in KEYS]

    @property
    def score(self) -> float | None:
        """The risk-work score (结果运用): 100 × the mean of the rates that apply, less ``OVERDUE_PENALTY``
        per overdue review, at least 0; ``None`` when no rate applies."""
        rates = [r.rate for r in self.rates() if r.rate is not None]
        if not rates:
            return None
        return round(max(0.0, 100 * sum(rates) / len(rates) - OVERDUE_PENALTY * self.overdue_reviews), 1)


# --- the parts --------------------------------------------------------------------------------------------

_AREA_FIELD = {Level.DISTRICT: "street__parent_id", Level.STREET: "street_id", Level.COMMUNITY: "community_id",
               Level.GRID: "grid_id"}


def _moment(day: dt.date) -> dt.datetime:
    return clock.at_local(day, dt.time(0))


def _street_office_area(unit: Unit | None) -> Area | None:
    """A street office (or community committee) answers for its area's grids and unassigned entries."""
    if unit is not None and unit.kind in (UnitKind.STREET_OFFICE, UnitKind.COMMUNITY_COMMITTEE) and (
            unit.level in (Level.STREET, Level.COMMUNITY)):
        return unit.area
    return None


def entries(user: User | None, *, area: Area | None = None, unit: Unit | None = None) -> QuerySet[RiskEntry]:
    """The entries counted (any period): the reader's, in ``area``, those ``unit`` answers for."""
    qs = visible(user) if user is not None else RiskEntry.objects.all()
    if area is not None and area.level != Level.CITY:
        qs = qs.filter(**{_AREA_FIELD[Level(area.level)]: area.pk})
    if unit is not None:
        q = Q(responsible_unit=unit)
        own = _street_office_area(unit)
        if own is not None:
            q |= Q(responsible_unit__isnull=True, **{_AREA_FIELD[Level(own.level)]: own.pk})
        qs = qs.filter(q)
    return qs


def cohort(user: User | None, start: dt.date, end: dt.date, *, area: Area | None = None,
           unit: Unit | None = None) -> QuerySet[RiskEntry]:
    return entries(user, area=area, unit=unit).filter(opened_at__gte=_moment(start), opened_at__lt=_moment(end))


def grids(user: User | None, *, area: Area | None = None, unit: Unit | None = None) -> QuerySet[Area] | None:
    """The grids whose screening is counted; ``None`` when screening does not apply (a department)."""
    qs = Area.objects.filter(level=Level.GRID)
    if user is not None:
        qs = qs.filter(scope.area_filter(user))
    if area is not None and area.level != Level.CITY:
        qs = qs.filter(path__startswith=f"{area.path}/")
    if unit is not None:
        own = _street_office_area(unit)
        if own is None:
            return None
        qs = qs.filter(path__startswith=f"{own.path}/")
    return qs


def campaigns(start: dt.date, end: dt.date) -> QuerySet[Campaign]:
    """The period's campaigns: those starting in it."""
    return Campaign.objects.filter(starts_on__gte=start, starts_on__lt=end).select_related("area")


def _screening(grid_qs: QuerySet[Area] | None, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(grids screened, grids due) over the period's campaigns, within ``grid_qs``."""
    if grid_qs is None:
        return 0, 0
    due = 0
    period = list(campaigns(start, end))
    for path, times in Counter(c.area.path for c in period).items():  # one count per area, not per campaign
        due += times * grid_qs.filter(path__startswith=f"{path}/").count()
    done = Screening.objects.filter(campaign__in=period, grid__in=grid_qs.values("pk")).count() if period else 0
    return done, due


def unscreened(grid_qs: QuerySet[Area] | None, start: dt.date, end: dt.date) -> list[tuple[Campaign, Area]]:
    """The (campaign, grid) pairs of the period not screened, by campaign and grid."""
    if grid_qs is None:
        return []
    out = []
    for c in campaigns(start, end).order_by("starts_on", "code"):
        done = Screening.objects.filter(campaign=c).values("grid_id")
        for grid in (grid_qs.filter(path__startswith=f"{c.area.path}/").exclude(pk__in=done)
                     .select_related("parent", "parent__parent").order_by("path")):
            out.append((c, grid))
    return out


def _overdue(now: dt.datetime) -> Q:
    return Q(status__in=sorted(REVIEWED), next_review_at__lt=now)


def _consolidation_due(now: dt.datetime) -> Q:
    return Q(consolidated_at__isnull=False) | Q(written_off_at__lte=now - dt.timedelta(days=CONSOLIDATION_DAYS))


def _aggregates(now: dt.datetime) -> dict[str, Any]:
    """Conditional counts over a cohort: one query (or one per group)."""
    judged = ~Q(status=S.SCREENED) & ~Q(grade_reason="")
    listed = Q(status__in=list(LISTED))
    written = Q(status__in=list(WRITTEN_OFF))
    return {
        "opened": Count("pk"),
        "judged": Count("pk", filter=judged),
        "decided": Count("pk", filter=judged & ~Q(status=S.IDENTIFIED)),
        "listed": Count("pk", filter=listed),
        "controlled": Count("pk", filter=listed & ~Q(measures="") & ~_overdue(now)),
        "written": Count("pk", filter=written),
        "due": Count("pk", filter=written & _consolidation_due(now)),
        "consolidated": Count("pk", filter=written & Q(consolidated_at__isnull=False, relapsed=False)),
    }


def _build(start: dt.date, end: dt.date, area_id: int | None, unit_id: int | None, c: dict[str, int],
           screened: int, grid_total: int, overdue: int) -> Indicators:
    return Indicators(
        period_start=start, period_end=end, area_id=area_id, unit_id=unit_id,
        screening=Rate("screening", screened, grid_total),
        assessment=Rate("assessment", c.get("judged", 0), c.get("opened", 0)),
        listing=Rate("listing", c.get("decided", 0), c.get("judged", 0)),
        control=Rate("control", c.get("controlled", 0), c.get("listed", 0)),
        consolidation=Rate("consolidation", c.get("consolidated", 0), c.get("due", 0)),
        resolution=Rate("resolution", c.get("written", 0), c.get("listed", 0)),
        overdue_reviews=overdue, opened=c.get("opened", 0))


def compute(user_or_scope: User | None, period_start: dt.date, period_end: dt.date, area: Area | None = None,
            unit: Unit | None = None) -> Indicators:
    """The indicators of the entries and grids ``user_or_scope`` may read (``None``: the whole city, for
    system jobs only), in ``area`` (district, street …) and/or answered for by ``unit``, for entries opened
    and campaigns started in ``[period_start, period_end)``."""
    user = user_or_scope
    now = clock.now()
    counts = cohort(user, period_start, period_end, area=area, unit=unit).order_by().aggregate(**_aggregates(now))
    screened, grid_total = _screening(grids(user, area=area, unit=unit), period_start, period_end)
    overdue = entries(user, area=area, unit=unit).filter(_overdue(now)).count()
    return _build(period_start, period_end, area.pk if area else None, unit.pk if unit else None, counts,
                  screened, grid_total, overdue)


def shortfall(key: str, user: User | None, start: dt.date, end: dt.date, *, area: Area | None = None,
              unit: Unit | None = None) -> QuerySet[Any]:
    """What keeps ``key`` below 100 %: the entries (for screening see ``unscreened``)."""
    now = clock.now()
    qs = cohort(user, start, end, area=area, unit=unit)
    judged = ~Q(status=S.SCREENED) & ~Q(grade_reason="")
    listed = Q(status__in=list(LISTED))
    written = Q(status__in=list(WRITTEN_OFF))
    below = {
        "assessment": ~judged,
        "listing": judged & Q(status=S.IDENTIFIED),
        "control": listed & (Q(measures="") | _overdue(now)),
        "consolidation": written & _consolidation_due(now) & (Q(consolidated_at__isnull=True) | Q(relapsed=True)),
        "resolution": listed & ~written,
    }
    if key not in below:
        return RiskEntry.objects.none()
    return qs.filter(below[key]).select_related("street", "community", "grid", "responsible_unit").order_by(
        "opened_at")


# --- per unit: the risk-work score (结果运用) --------------------------------------------------------------

@dataclass
class UnitScore:
    unit: Unit
    indicators: Indicators


def unit_scores(user: User | None, start: dt.date, end: dt.date, *, area: Area | None = None) -> list[UnitScore]:
    """Every unit with entries to answer for in the period (and every street office of the area), with its
    indicators and score, best first.  Grouped queries, so the same counts as ``compute(unit=…)``."""
    now = clock.now()
    base = cohort(user, start, end, area=area)
    grouped: dict[int, dict[str, int]] = {}

    def add(unit_id: int, row: dict[str, Any]) -> None:
        into = grouped.setdefault(unit_id, {})
        for k, v in row.items():
            into[k] = into.get(k, 0) + v

    aggs = _aggregates(now)
    row: Any
    for row in base.filter(responsible_unit__isnull=False).order_by().values("responsible_unit_id").annotate(**aggs):
        values: dict[str, Any] = dict(row)
        add(int(values.pop("responsible_unit_id")), values)
    offices = {u.area_id: u for u in Unit.objects.filter(kind=UnitKind.STREET_OFFICE, level=Level.STREET,
                                                          active=True).select_related("area")}
    if area is not None and area.level != Level.CITY:
        offices = {a: u for a, u in offices.items() if u.area.path.startswith(f"{area.path}/") or a == area.pk}
    if user is not None:
        allowed = set(Area.objects.filter(scope.area_filter(user), pk__in=list(offices)).values_list("pk", flat=True))
        offices = {a: u for a, u in offices.items() if a in allowed}
    for row in (base.filter(responsible_unit__isnull=True, street_id__in=list(offices)).order_by()
                .values("street_id").annotate(**aggs)):
        values = dict(row)
        add(offices[int(values.pop("street_id"))].pk, values)
    for unit in offices.values():
        grouped.setdefault(unit.pk, {})
    overdue_q = entries(user, area=area).filter(_overdue(now))
    overdue = dict(overdue_q.filter(responsible_unit__isnull=False).order_by().values_list("responsible_unit_id")
                   .annotate(n=Count("pk")))
    # screening of each street office's grids: grids per street, screened grids per street
    grid_qs = grids(user, area=area)
    per_street_total: dict[int, int] = defaultdict(int)
    per_street_done: dict[int, int] = {}
    period = list(campaigns(start, end))
    if grid_qs is not None and offices and period:
        for path, times in Counter(c.area.path for c in period).items():
            for street_id, n in (grid_qs.filter(path__startswith=f"{path}/",
                                                parent__parent_id__in=list(offices)).order_by()
                                 .values_list("parent__parent_id").annotate(n=Count("pk"))):
                per_street_total[street_id] += times * n
        for street_id, n in (Screening.objects.filter(campaign__in=period, grid__in=grid_qs.values("pk"),
                                                      street_id__in=list(offices)).order_by()
                             .values_list("street_id").annotate(n=Count("pk"))):
            per_street_done[street_id] = n
    units = {u.pk: u for u in Unit.objects.filter(pk__in=list(grouped))}
    scores = []
    for unit_id, counts in grouped.items():
        unit = units[unit_id]
        own = _street_office_area(unit)
        street_id = own.pk if own is not None and own.level == Level.STREET else None
        ind = _build(start, end, None, unit_id, counts, per_street_done.get(street_id, 0) if street_id else 0,
                     per_street_total.get(street_id, 0) if street_id else 0, overdue.get(unit_id, 0))
        scores.append(UnitScore(unit, ind))
    scores.sort(key=lambda s: (-(s.indicators.score if s.indicators.score is not None else -1), s.unit.code))
    return scores


RECENT = {"month": 13, "quarter": 8, "year": 3}  # how many recent periods of each kind the page offers


def recent_periods(kind: str, today: dt.date) -> list[Period]:
    """The recent periods of ``kind`` (month, quarter, year) the indicators page offers, newest first."""
    return kit_periods.recent(kind if kind in RECENT else "month", today, RECENT.get(kind, RECENT["month"]))


def periods(kind: str, today: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """Recent periods of ``kind`` (month, quarter, year), newest first: (start, end exclusive, label)."""
    return [(p.start, p.end, p.short) for p in recent_periods(kind, today)]
