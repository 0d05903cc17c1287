"""Choosing a mediator (线上自选 / 系统推荐 / 组织指派): rank the pool for one mediation, and browse it.

``suggest(mediation)`` ranks the active pool for one mediation and leaves out whoever may not take it —
a kind the mediation's kind does not admit, away or not taking cases, full, or tied to a party (回避) —
the same refusals as ``services.apply.check_mediator``, so a suggested mediator is one ``choose()`` accepts.
The score (0–100) adds up:

* specialty — the mediation's dispute type among her specialties: 40;
* area — she serves the mediation's street (or a community of it): 25, its district: 18, the whole city
  (no area, or the city): 12, another street of the same district: 6, elsewhere: 0;
* load — her free places, (1 − open / most open) × 20;
* rating — Bayesian-smoothed (``BAYES_WEIGHT`` pseudo-reviews at the pool's mean), mapped from 1–5 to 0–15,
  so one 5-star review does not beat two hundred of 4.8.

The whole pool's loads come from one GROUP BY, its specialties and ties from one query each.  Browsing the
pool (``browse``) is one annotated query (the open load by a grouped join).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum, Value
from django.utils.translation import gettext as _

from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.mediation import conflicts
from fengqiao.mediation.models import DisputeType, Mediation, Mediator
from fengqiao.mediation.states import OPEN

OPEN_STATES = [s.value for s in OPEN]
BAYES_WEIGHT = 10  # pseudo-reviews at the pool's mean rating
DEFAULT_MEAN = 4.0  # the prior when nobody in the pool has been rated yet
SPECIALTY_POINTS = 40.0
AREA_POINTS = {"street": 25.0, "district": 18.0, "city": 12.0, "near": 6.0, "": 0.0}
LOAD_POINTS = 20.0
RATING_POINTS = 15.0


@dataclass
class Suggestion:
    """One mediator for one mediation: her score and why, her open load, and whether she may take it
    (``blocked`` says why not; empty when she may)."""

    mediator: Mediator
    score: float
    reasons: list[str]
    load: int
    available: bool
    blocked: str = ""
    smoothed_rating: float | None = None
    colleague: bool = False  # of the mediation's organisation (the assign form lists them first)
    specialties: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.blocked


def available_on(mediator: Mediator, today: dt.date) -> bool:
    """Taking new cases on ``today``: not switched off, and not away until today or later."""
    return mediator.available and not (mediator.unavailable_until and mediator.unavailable_until >= today)


def open_loads(mediator_ids: Iterable[int] | None = None, *, excluding: int | None = None) -> dict[int, int]:
    """Open mediations per mediator (one GROUP BY); ``excluding`` leaves one mediation out of the count."""
    rows = Mediation.objects.filter(status__in=OPEN_STATES, mediator__isnull=False)
    if mediator_ids is not None:
        rows = rows.filter(mediator_id__in=list(mediator_ids))
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return dict(rows.order_by().values_list("mediator_id").annotate(n=Count("pk")).values_list("mediator_id", "n"))


def pool_mean_rating() -> float:
    """The active pool's mean rating over all its reviews: the prior the smoothing pulls towards."""
    totals = Mediator.objects.filter(active=True).aggregate(s=Sum("rating_sum"), n=Sum("rating_count"))
    return (totals["s"] or 0) / totals["n"] if totals["n"] else DEFAULT_MEAN


def smoothed(rating_sum: int, rating_count: int, mean: float) -> float:
    return (rating_sum + BAYES_WEIGHT * mean) / (rating_count + BAYES_WEIGHT)


def _area_fit(mediator_area: Area | None, street: Area | None) -> str:
    """Which of AREA_POINTS' tiers a mediator serving ``mediator_area`` is for a dispute in ``street``."""
    if street is None:
        return ""
    if mediator_area is None or mediator_area.level == Level.CITY:
        return "city"
    if street.path == mediator_area.path or mediator_area.path.startswith(f"{street.path}/"):
        return "street"
    if street.path.startswith(f"{mediator_area.path}/"):
        return "district" if mediator_area.level == Level.DISTRICT else "city"
    district = street.path.rsplit("/", 1)[0]
    return "near" if mediator_area.path.startswith(f"{district}/") else ""


def _area_reason(tier: str) -> str:
    return {"street": _("本镇街"), "district": _("本区县"), "city": _("全市"), "near": _("同区其他镇街")}.get(tier, "")


def _blocked(mediator: Mediator, load: int, today: dt.date, kinds: list[str], tie: conflicts.Tie | None) -> str:
    if kinds and mediator.kind not in kinds:
        return _("类别不符（%(kind)s）") % {"kind": mediator.get_kind_display()}
    if tie is not None:
        return _("须回避（%(relation)s）") % {"relation": tie.relation}
    if not mediator.available:
        return _("暂停接案")
    if mediator.unavailable_until and mediator.unavailable_until >= today:
        return _("外出至 %(d)s") % {"d": f"{mediator.unavailable_until:%Y-%m-%d}"}
    if load >= mediator.max_load:
        return _("已满额（%(n)s/%(max)s）") % {"n": load, "max": mediator.max_load}
    return ""


def _specialties(mediator_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    through = Mediator.specialties.through
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = through.objects.filter(mediator_id__in=mediator_ids).order_by("disputetype__order").values_list(
        "mediator_id", "disputetype_id", "disputetype__name")
    for mediator_id, type_id, name in rows:
        found[mediator_id].append((type_id, name))
    return found


def rank(mediation: Mediation, mediators: list[Mediator], *, on: dt.date | None = None) -> list[Suggestion]:
    """Every one of ``mediators`` scored for ``mediation`` (best first), the ineligible ones with why."""
    today = on or clock.today()
    ids = [m.pk for m in mediators]
    loads = open_loads(ids, excluding=mediation.pk)
    specialties = _specialties(ids)
    parties = list(mediation.case.parties.values_list("phone_hash", "id_hash"))
    tied = conflicts.ties(ids, [p for p, _i in parties], [i for _p, i in parties])
    mean = pool_mean_rating()
    kinds = list(mediation.kind.mediator_kinds or [])
    street = mediation.area
    found = []
    for mediator in mediators:
        load = loads.get(mediator.pk, 0)
        own = specialties.get(mediator.pk, [])
        reasons: list[str] = []
        score = 0.0
        if mediation.dispute_type_id and any(type_id == mediation.dispute_type_id for type_id, _n in own):
            score += SPECIALTY_POINTS
            reasons.append(_("擅长%(type)s") % {"type": mediation.dispute_type.name})  # type: ignore[union-attr]
        tier = _area_fit(mediator.area, street)
        score += AREA_POINTS[tier]
        if tier:
            reasons.append(_area_reason(tier))
        free = max(0.0, 1.0 - load / mediator.max_load) if mediator.max_load else 0.0
        score += LOAD_POINTS * free
        reasons.append(_("当前 %(n)s 件在办") % {"n": load} if load else _("当前无在办"))
        stars = smoothed(mediator.rating_sum, mediator.rating_count, mean)
        score += RATING_POINTS * max(0.0, min(1.0, (stars - 1.0) / 4.0))
        if mediator.rating is not None:
            reasons.append(_("评分 %(r).1f") % {"r": mediator.rating})
        found.append(Suggestion(
            mediator=mediator, score=round(score, 1), reasons=reasons, load=load,
            available=available_on(mediator, today), smoothed_rating=round(stars, 2),
            blocked=_blocked(mediator, load, today, kinds, tied.get(mediator.pk)),
            colleague=mediation.unit_id is not None and mediator.unit_id == mediation.unit_id,
            specialties=[name for _i, name in own]))
    found.sort(key=lambda s: (-s.score, s.load, s.mediator.name, s.mediator.pk))
    return found


def _pool() -> QuerySet[Mediator]:
    return Mediator.objects.filter(active=True).select_related("unit", "area")


def suggest(mediation: Mediation, *, limit: int = 10, on: dt.date | None = None) -> list[Suggestion]:
    """The best ``limit`` mediators who may take ``mediation`` now, best first (the citizen's choice page,
    the organisation's assign form)."""
    today = on or clock.today()
    pool = _pool().filter(available=True).exclude(unavailable_until__gte=today)
    if mediation.kind.mediator_kinds:
        pool = pool.filter(kind__in=mediation.kind.mediator_kinds)
    return [s for s in rank(mediation, list(pool), on=today) if s.eligible][:limit]


def assign_options(mediation: Mediation, *, limit: int = 10, on: dt.date | None = None) -> list[Suggestion]:
    """For an organisation assigning a mediator: every active mediator of the mediation's organisation
    (those who may not take it too, with ``blocked`` saying why), then the pool's best others who may."""
    today = on or clock.today()
    colleagues = list(_pool().filter(unit_id=mediation.unit_id)) if mediation.unit_id else []
    ranked = rank(mediation, colleagues, on=today)
    others = [s for s in suggest(mediation, limit=limit + len(colleagues), on=today) if not s.colleague]
    return ([s for s in ranked if s.eligible] + [s for s in ranked if not s.eligible]
            + others[:limit])


# ---- browsing the pool ---------------------------------------------------------------------------------

AVAILABILITY = ("", "available", "away", "full")
SORTS = ("rating", "load", "name", "years")


@dataclass(frozen=True)
class PoolFilters:
    kind: str = ""
    specialty: DisputeType | None = None
    area: Area | None = None
    availability: str = ""  # "" all · available (taking cases, not full) · away (not taking) · full
    language: str = ""
    q: str = ""
    sort: str = "rating"


def browse(filters: PoolFilters, *, on: dt.date | None = None) -> QuerySet[Mediator]:
    """The active pool under ``filters``, each mediator annotated with ``open_load`` (open mediations) and
    ``stars`` (the smoothed rating), in the asked order.  ``area``: mediators based in that area or below
    it (a district lists its streets' mediators)."""
    today = on or clock.today()
    mean = pool_mean_rating()
    pool = _pool().annotate(
        open_load=Count("mediations", filter=Q(mediations__status__in=OPEN_STATES)),
        stars=ExpressionWrapper((F("rating_sum") + Value(BAYES_WEIGHT * mean)) / (F("rating_count")
                                + Value(float(BAYES_WEIGHT))), output_field=FloatField()),
    )
    if filters.kind:
        pool = pool.filter(kind=filters.kind)
    if filters.specialty is not None:  # a sub-query: a join would multiply the load count
        pool = pool.filter(pk__in=Mediator.specialties.through.objects.filter(
            disputetype=filters.specialty).values("mediator_id"))
    if filters.area is not None:
        pool = pool.filter(Q(area=filters.area) | Q(area__path__startswith=f"{filters.area.path}/"))
    if filters.language:
        pool = pool.filter(languages__icontains=filters.language)
    if filters.q:
        pool = pool.filter(Q(name__icontains=filters.q) | Q(title__icontains=filters.q)
                           | Q(unit__name__icontains=filters.q))
    away = Q(available=False) | Q(unavailable_until__gte=today)
    if filters.availability == "available":
        pool = pool.exclude(away).filter(open_load__lt=F("max_load"))
    elif filters.availability == "away":
        pool = pool.filter(away)
    elif filters.availability == "full":
        pool = pool.exclude(away).filter(open_load__gte=F("max_load"))
    order = {"rating": ["-stars", "name"], "load": ["open_load", "-stars", "name"], "name": ["name"],
             "years": ["-years", "name"]}[filters.sort]
    return pool.order_by(*order, "pk")
