"""个案补贴: monthly statements per mediator, from the subsidy each concluded mediation earned.

A mediation counts in the month its ``concluded_at`` falls in (local time), if it is in ``CONCLUDED`` and
has a mediator.  Its amount is ``Mediation.subsidy``, fixed at conclusion from the schedule then in force
(``SubsidyRate``: kind × difficulty, a failed mediation × ``failed_share`` — subsidy_rates.subsidy_for).  A
concluded mediation without a stored amount (an old import) is priced by today's schedule with the same
rule (subsidy_rates.price), and its line says so.  A line's outcome is subsidy_rates.succeeded's: an agreed
state, or a referral after the court refused to confirm the agreement.  Sums are computed by the
database, grouped by mediator, kind, difficulty and outcome; only the export's case lines are read one by
one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Sum, Value, When

from fengqiao.analytics.formula import next_month
from fengqiao.mediation.figures import CONCLUDED_STATES, SUCCEEDED_STATES, month_start
from fengqiao.mediation.models import Difficulty, Mediation, MediationKind
from fengqiao.mediation.states import MState
from fengqiao.mediation.subsidy_rates import price, rate_table

OUTCOMES = ("succeeded", "failed")
CENT = Decimal("0.01")


def _succeeded() -> Case:
    """The outcome that prices a line, as subsidy_rates.succeeded decides it: an agreed state, or a
    referral after the court refused to confirm an agreement."""
    agreed = Q(status__in=SUCCEEDED_STATES) | Q(status=MState.REFERRED.value, agreement__isnull=False)
    return Case(When(agreed, then=Value(True)), default=Value(False), output_field=BooleanField())


@dataclass
class MediatorStatement:
    mediator_id: int
    name: str
    unit: str
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (difficulty, outcome) → cases
    total: Decimal = Decimal(0)
    priced_now: int = 0  # cases without a stored amount, priced by today's schedule

    def count(self, difficulty: str, outcome: str) -> int:
        return self.counts.get((difficulty, outcome), 0)

    @property
    def succeeded(self) -> int:
        return sum(n for (_d, o), n in self.counts.items() if o == "succeeded")

    @property
    def failed(self) -> int:
        return sum(n for (_d, o), n in self.counts.items() if o == "failed")

    @property
    def cases(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[str, int, int]]:
        """(difficulty, succeeded, failed) in the schedule's order, for the page's table."""
        return [(d, self.count(d, "succeeded"), self.count(d, "failed")) for d in Difficulty.values]


@dataclass
class Statement:
    month: dt.date
    rows: list[MediatorStatement]
    without_mediator: int  # concluded in the month with no mediator: no subsidy

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), Decimal(0))

    @property
    def cases(self) -> int:
        return sum(r.cases for r in self.rows)

    @property
    def succeeded(self) -> int:
        return sum(r.succeeded for r in self.rows)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.rows)

    def column(self, difficulty: str, outcome: str) -> int:
        return sum(r.count(difficulty, outcome) for r in self.rows)

    def cells(self) -> list[tuple[str, int, int]]:
        return [(d, self.column(d, "succeeded"), self.column(d, "failed")) for d in Difficulty.values]


def month_rows(scope: Q, month: dt.date, *, mediator_id: int | None = None) -> QuerySet[Mediation]:
    """The mediations concluded in ``month`` that a reader with ``scope`` sees (one mediator's, if given)."""
    rows = Mediation.objects.filter(scope, status__in=CONCLUDED_STATES, concluded_at__gte=month_start(month),
                                    concluded_at__lt=month_start(next_month(month)))
    return rows.filter(mediator_id=mediator_id) if mediator_id is not None else rows


def statement(scope: Q, month: dt.date, *, mediator_id: int | None = None) -> Statement:
    rows = month_rows(scope, month, mediator_id=mediator_id)
    grouped = (rows.filter(mediator__isnull=False).order_by().annotate(ok=_succeeded())
               .values("mediator_id", "mediator__name", "mediator__unit__name", "kind_id", "difficulty", "ok")
               .annotate(n=Count("pk"), amount=Sum("subsidy"), missing=Count("pk", filter=Q(subsidy__isnull=True))))
    rates = rate_table()
    found: dict[int, MediatorStatement] = {}
    for g in grouped:
        entry = found.setdefault(g["mediator_id"], MediatorStatement(g["mediator_id"], g["mediator__name"],
                                                                     g["mediator__unit__name"]))
        key = (g["difficulty"], "succeeded" if g["ok"] else "failed")
        entry.counts[key] = entry.counts.get(key, 0) + g["n"]
        entry.total += g["amount"] or Decimal(0)
        if g["missing"]:
            entry.total += price(g["kind_id"], g["difficulty"], agreed=bool(g["ok"]), rates=rates) * g["missing"]
            entry.priced_now += g["missing"]
    for entry in found.values():  # SQLite's SUM drops the scale: 860, not 860.00
        entry.total = entry.total.quantize(CENT)
    listed = sorted(found.values(), key=lambda r: (-r.total, -r.cases, r.name, r.mediator_id))
    return Statement(month=month, rows=listed, without_mediator=rows.filter(mediator__isnull=True).count())


@dataclass(frozen=True)
class Line:
    """One concluded mediation of a statement, as the export and the drill-down list it."""

    code: str
    mediator: str
    unit: str
    kind: str
    dispute_type: str
    difficulty: str  # its label
    succeeded: bool
    applied_at: dt.datetime
    concluded_at: dt.datetime | None  # never None: the month's rows are filtered on it
    rate: Decimal | None  # today's schedule for its kind × difficulty
    share: Decimal | None  # 1, or the failed share
    amount: Decimal
    priced_now: bool  # no stored amount: priced by today's schedule


def lines(scope: Q, month: dt.date, *, mediator_id: int | None = None) -> Iterator[Line]:
    rates = rate_table()
    labels = dict(Difficulty.choices)
    rows = (month_rows(scope, month, mediator_id=mediator_id).filter(mediator__isnull=False)
            .annotate(ok=_succeeded())
            .order_by("mediator__name", "mediator_id", "concluded_at", "pk")
            .values("code", "mediator__name", "mediator__unit__name", "kind_id", "kind__name",
                    "dispute_type__name", "difficulty", "ok", "applied_at", "concluded_at", "subsidy"))
    for v in rows.iterator(chunk_size=2000):
        rate = rates.get((v["kind_id"], v["difficulty"]))
        share = None if rate is None else (Decimal(1) if v["ok"] else rate[1])
        stored: Decimal | None = v["subsidy"]
        amount = stored if stored is not None else price(v["kind_id"], v["difficulty"], agreed=bool(v["ok"]),
                                                         rates=rates)
        yield Line(code=v["code"], mediator=v["mediator__name"], unit=v["mediator__unit__name"],
                   kind=v["kind__name"], dispute_type=v["dispute_type__name"] or "",
                   difficulty=str(labels.get(v["difficulty"], v["difficulty"])), succeeded=bool(v["ok"]),
                   applied_at=v["applied_at"], concluded_at=v["concluded_at"],
                   rate=rate[0] if rate else None, share=share, amount=amount, priced_now=stored is None)


@dataclass(frozen=True)
class ScheduleRow:
    kind: MediationKind
    amounts: list[Decimal | None]  # in Difficulty's order
    failed_share: Decimal | None


def schedule_table() -> list[ScheduleRow]:
    """The schedule as the page shows it: one row per active kind, one column per difficulty."""
    rates = rate_table()
    found = []
    for kind in MediationKind.objects.filter(active=True).order_by("order", "code"):
        cells = [rates.get((kind.pk, d)) for d in Difficulty.values]
        shares = {c[1] for c in cells if c is not None}
        found.append(ScheduleRow(kind, [c[0] if c else None for c in cells],
                                 shares.pop() if len(shares) == 1 else None))
    return found


def as_record(row: MediatorStatement) -> dict[str, Any]:
    """A statement row as JSON (the CLI's ``--json``)."""
    return {"mediator_id": row.mediator_id, "mediator": row.name, "unit": row.unit, "cases": row.cases,
            "succeeded": row.succeeded, "failed": row.failed, "total": str(row.total),
            "by_difficulty": {d: {"succeeded": s, "failed": f} for d, s, f in row.cells()},
            "priced_now": row.priced_now}
