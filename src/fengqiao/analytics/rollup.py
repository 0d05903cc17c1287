"""Fill ``UnitMonth`` for one month from assignments and evaluations (the definitions: docs/ranking.md).

One month is one transaction: the month's rows are deleted and written again, so a re-run gives the same
rows (idempotent) and a crash leaves the previous rows (resumable: ``ensure_months`` skips fresh months).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q

from fengqiao.analytics import formula as f
from fengqiao.analytics.models import Appeal, AppealStatus, AssessmentFormula, RollupMonth, UnitMonth
from fengqiao.analytics.sql import Epoch
from fengqiao.cases import deadlines
from fengqiao.cases.models import Assignment, AssignmentRole, AssignmentStatus, Category, Evaluation, Satisfaction
from fengqiao.cases.states import State
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock

# A month is recomputed when asked, when its formula or an appeal changed, and — while its cases may
# still move (until two months after its end) — when its rollup is older than this.
STALE_AFTER = dt.timedelta(hours=1)
SETTLED_AFTER = 62  # days after the month's end
# A case merged (duplicate) or cancelled while its unit still held it asks nothing more of the unit.
ENDED_UNANSWERED = (State.MERGED.value, State.CANCELLED.value)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month in local time (Asia/Shanghai by default) as aware datetimes [start, end)."""
    return clock.at_local(month, dt.time()), clock.at_local(f.next_month(month), dt.time())


def formula_for(month: dt.date) -> AssessmentFormula:
    found = AssessmentFormula.objects.filter(effective_from__lte=month).order_by("-effective_from").first()
    if found is None:
        found = AssessmentFormula.objects.filter(effective_from=dt.date(2000, 1, 1)).first()
        if found is None:
            found = AssessmentFormula.objects.create(effective_from=dt.date(2000, 1, 1), **f.DEFAULT)
    return found


def weights_of(formula: AssessmentFormula) -> f.Weights:
    return f.Weights(float(formula.response_weight), float(formula.resolution_weight),
                     float(formula.satisfaction_weight), float(formula.basically_weight), formula.min_cases)


class _AcceptHours:
    """Seconds to sign for, per (category, urgency), from the one deadlines module; memoised per run."""

    def __init__(self) -> None:
        self._memo: dict[tuple[int | None, str], float] = {}

    def __call__(self, category_id: int | None, urgency: str) -> float:
        key = (category_id, urgency)
        found = self._memo.get(key)
        if found is None:
            category = (Category.objects.select_related("parent__parent__parent").get(pk=category_id)
                        if category_id is not None else None)
            found = deadlines.policy_for(category, urgency).accept_hours * 3600.0
            self._memo[key] = found
        return found


@dataclass
class _Month:
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    exempt: frozenset[tuple[int, int]]


def _response(m: _Month, counts: dict[int, f.Counts]) -> None:
    hours = _AcceptHours()
    rows = Assignment.objects.filter(
        role=AssignmentRole.LEAD, dispatched_at__gte=m.start, dispatched_at__lt=m.end,
    ).values_list("unit_id", "case_id", "status", Epoch("dispatched_at"), Epoch("accepted_at"), Epoch("closed_at"),
                  "case__category_id", "case__urgency", "case__status")
    now = m.now.timestamp()
    cases: dict[int, set[int]] = defaultdict(set)
    exempted: dict[int, set[int]] = defaultdict(set)
    for unit_id, case_id, status, dispatched_at, accepted_at, closed_at, category_id, urgency, case_status in (
        rows.iterator(chunk_size=5000)
    ):
        if (unit_id, case_id) in m.exempt:
            exempted[unit_id].add(case_id)
            continue
        cases[unit_id].add(case_id)
        deadline = dispatched_at + hours(category_id, urgency)
        answered = accepted_at if accepted_at is not None else (
            closed_at if status == AssignmentStatus.RETURNED else None)
        if answered is None:
            if case_status in ENDED_UNANSWERED:
                continue  # merged into another case or cancelled while waiting: nothing to sign for
            ended = closed_at if status == AssignmentStatus.WITHDRAWN and closed_at is not None else now
            if ended <= deadline:
                continue  # still within the time to sign for, or withdrawn by the dispatcher in time
        c = counts[unit_id]
        c.response_due += 1
        c.responded += answered is not None and answered <= deadline
    for unit_id, ids in cases.items():
        counts[unit_id].cases = len(ids)
    for unit_id, ids in exempted.items():
        counts[unit_id].exempted = len(ids)


def _resolution(m: _Month, counts: dict[int, f.Counts]) -> None:
    done = Assignment.objects.filter(
        role=AssignmentRole.LEAD, status=AssignmentStatus.DONE, closed_at__gte=m.start, closed_at__lt=m.end,
    ).annotate(
        on_time=ExpressionWrapper(Q(case__deadline__isnull=True) | Q(closed_at__lte=F("case__deadline")),
                                  output_field=BooleanField()),
    ).values_list("unit_id", "case_id", "on_time")
    for unit_id, case_id, on_time in done.iterator(chunk_size=5000):
        if (unit_id, case_id) in m.exempt:
            continue
        c = counts[unit_id]
        c.resolution_due += 1
        c.resolved += bool(on_time)
    late = Assignment.objects.filter(
        role=AssignmentRole.LEAD, status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED],
        case__deadline__gte=m.start, case__deadline__lt=min(m.end, m.now),
    ).exclude(case__status__in=ENDED_UNANSWERED).values_list("unit_id", "case_id")
    for unit_id, case_id in late.iterator(chunk_size=5000):
        if (unit_id, case_id) not in m.exempt:
            counts[unit_id].resolution_due += 1


def _satisfaction(m: _Month, counts: dict[int, f.Counts]) -> None:
    """Each evaluation counts for the lead unit whose reply it judged: the latest finished lead
    assignment of the case before the evaluation."""
    rows = Evaluation.objects.filter(
        at__gte=m.start, at__lt=m.end, case__assignments__role=AssignmentRole.LEAD,
        case__assignments__status=AssignmentStatus.DONE, case__assignments__closed_at__lte=F("at"),
    ).values_list("pk", "rating", "case_id", "case__assignments__unit_id", Epoch("case__assignments__closed_at"))
    latest: dict[int, tuple[float, int, int, str]] = {}
    for pk, rating, case_id, unit_id, closed_at in rows.iterator(chunk_size=5000):
        assert closed_at is not None  # filtered on
        seen = latest.get(pk)
        if seen is None or closed_at > seen[0]:
            latest[pk] = (closed_at, unit_id, case_id, rating)
    for _closed_at, unit_id, case_id, rating in latest.values():
        if (unit_id, case_id) in m.exempt:
            continue
        c = counts[unit_id]
        if rating == Satisfaction.SATISFIED:
            c.satisfied += 1
        elif rating == Satisfaction.BASICALLY:
            c.basically += 1
        else:
            c.unsatisfied += 1


def collect(month: dt.date, *, now: dt.datetime | None = None) -> dict[int, f.Counts]:
    """Every unit's counts for the month, exemptions applied.  Reads only; no writes."""
    start, end = bounds(month)
    exempt = frozenset(Appeal.objects.filter(status=AppealStatus.APPROVED).values_list("unit_id", "case_id"))
    m = _Month(start, end, now or clock.now(), exempt)
    counts: dict[int, f.Counts] = defaultdict(f.Counts)
    _response(m, counts)
    _resolution(m, counts)
    _satisfaction(m, counts)
    return dict(counts)


@transaction.atomic
def compute_month(month: dt.date) -> RollupMonth:
    """(Re)compute one month's rollup: delete its rows and write them again, in one transaction."""
    began = time.perf_counter()
    month = month.replace(day=1)
    formula = formula_for(month)
    weights = weights_of(formula)
    now = clock.now()
    counts = collect(month, now=now)
    codes = dict(Unit.objects.filter(pk__in=list(counts)).values_list("pk", "code"))
    computed = {uid: f.rates(c, weights) for uid, c in counts.items()}
    ranked = f.ranks([(uid, codes[uid], counts[uid].cases, r.score) for uid, r in computed.items()],
                     weights.min_cases)
    UnitMonth.objects.filter(month=month).delete()
    UnitMonth.objects.bulk_create([
        UnitMonth(month=month, unit_id=uid, formula=formula, cases=c.cases, exempted=c.exempted,
                  response_due=c.response_due, responded=c.responded, resolution_due=c.resolution_due,
                  resolved=c.resolved, satisfied=c.satisfied, basically=c.basically, unsatisfied=c.unsatisfied,
                  response_rate=computed[uid].response, resolution_rate=computed[uid].resolution,
                  satisfaction_rate=computed[uid].satisfaction, score=computed[uid].score,
                  rank=ranked.get(uid), computed_at=now)
        for uid, c in sorted(counts.items())
    ], batch_size=1000)
    state, _ = RollupMonth.objects.update_or_create(
        month=month, defaults={"formula": formula, "computed_at": now, "units": len(counts),
                               "seconds": round(time.perf_counter() - began, 3)},
    )
    return state


def is_stale(month: dt.date, *, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    state = RollupMonth.objects.filter(month=month).first()
    if state is None or state.formula_id != formula_for(month).pk:
        return True
    if Appeal.objects.filter(decided_at__gt=state.computed_at).exists():
        return True
    settled = bounds(month)[1] + dt.timedelta(days=SETTLED_AFTER)
    return state.computed_at < settled and now - state.computed_at > STALE_AFTER


def ensure_month(month: dt.date, *, force: bool = False) -> bool:
    """Compute the month if asked or stale.  True when it was (re)computed."""
    if force or is_stale(month):
        compute_month(month)
        return True
    return False
