"""The monitoring figures over a (scoped, filtered) set of disputes: by act type, by agency, by month,
by outcome, and the conversion rate (the share of decided disputes that went on to reconsideration or
litigation).  Each series carries the filter value a click adds, so every figure drills down to its cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from fengqiao.kit import clock
from fengqiao.legal.models import Dispute
from fengqiao.legal.states import ACT_LABELS, CONVERTED, FINAL_OUTCOMES, OUTCOME_LABELS, ActType, LState, Outcome


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def conversion(qs: QuerySet[Dispute]) -> dict[str, Any]:
    decided = dict(qs.filter(status=LState.CONCLUDED).values_list("outcome").annotate(n=Count("pk")).order_by())
    total = sum(decided.get(o.value, 0) for o in FINAL_OUTCOMES)
    reconsider = decided.get(Outcome.RECONSIDERATION.value, 0)
    litigate = decided.get(Outcome.LITIGATION.value, 0)
    return {"decided": total, "reconsideration": reconsider, "litigation": litigate,
            "resolved": decided.get(Outcome.RESOLVED.value, 0),
            "rate": _rate(sum(decided.get(o.value, 0) for o in CONVERTED), total),
            "reconsideration_rate": _rate(reconsider, total), "litigation_rate": _rate(litigate, total)}


def compute(qs: QuerySet[Dispute], months: int = 12) -> dict[str, Any]:
    qs = qs.order_by()
    live = qs.exclude(status=LState.DISMISSED)
    by_act = sorted(live.values_list("act_type").annotate(n=Count("pk")), key=lambda r: -r[1])
    by_agency = sorted(live.values_list("agency_kind").annotate(n=Count("pk")), key=lambda r: -r[1])[:15]
    by_outcome = dict(live.values_list("outcome").annotate(n=Count("pk")))
    today = clock.localtime().date()
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=clock.localtime().tzinfo)
    per_month = {clock.localtime(m).strftime("%Y-%m") if m else "": n for m, n in
                 live.filter(registered_at__gte=start).annotate(m=TruncMonth("registered_at", tzinfo=start.tzinfo))
                 .values_list("m").annotate(n=Count("pk"))}
    converted_month = {clock.localtime(m).strftime("%Y-%m") if m else "": n for m, n in
                       live.filter(registered_at__gte=start, outcome__in=[o.value for o in CONVERTED])
                       .annotate(m=TruncMonth("registered_at", tzinfo=start.tzinfo))
                       .values_list("m").annotate(n=Count("pk"))}
    month_keys = []
    y, mo = first.year, first.month
    for _i in range(months):
        month_keys.append(f"{y:04d}-{mo:02d}")
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return {
        "act": {"keys": [a for a, _n in by_act], "names": [str(ACT_LABELS[ActType(a)]) for a, _n in by_act],
                "values": [n for _a, n in by_act]},
        "agency": {"keys": [a for a, _n in by_agency], "names": [a for a, _n in by_agency],
                   "values": [n for _a, n in by_agency]},
        "outcome": {"keys": [o.value for o in Outcome if by_outcome.get(o.value)],
                    "names": [str(OUTCOME_LABELS[o]) for o in Outcome if by_outcome.get(o.value)],
                    "values": [by_outcome[o.value] for o in Outcome if by_outcome.get(o.value)]},
        "month": {"keys": month_keys, "values": [per_month.get(k, 0) for k in month_keys],
                  "converted": [converted_month.get(k, 0) for k in month_keys]},
        "act_rows": [{"key": a, "name": str(ACT_LABELS[ActType(a)]), "n": n} for a, n in by_act],
        "agency_rows": [{"key": a, "name": a, "n": n} for a, n in by_agency],
        "outcome_rows": [{"key": o.value, "name": str(OUTCOME_LABELS[o]), "n": by_outcome[o.value]}
                         for o in Outcome if by_outcome.get(o.value)],
        "conversion": conversion(live),
        "total": live.count(),
    }
