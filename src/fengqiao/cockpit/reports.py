"""Weekly and monthly reports (周报 / 月报) of a scope: their figures, read from the cockpit's ``Fact`` rows
through its selectors (never the case table).  ``reports_pdf`` and ``reports_xlsx`` lay a ``Report`` out;
``reports_files`` keeps the files on disk.  docs/reports.md describes the contents.

A week is an ISO week, Monday to Sunday (``2026-W48``), read from the day rows (dimensions all, channel,
category, urgency, district); a month (``2026-11``) from the month rows of every dimension.  The change
against the previous period (环比) is relative for counts and in percentage points for rates.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cockpit import selectors as sel
from fengqiao.cockpit.models import CITY_SCOPE, Dim, FactMonth
from fengqiao.intelligence import hot_issues
from fengqiao.jurisdictions.models import Level
from fengqiao.kit import clock, periods
from fengqiao.kit.errors import ValidationFailed
from fengqiao.kit.periods import Kind, Period
from fengqiao.warning import selectors as warning_selectors
from fengqiao.warning.models import Grade

log = logging.getLogger(__name__)

WEEK = Kind.WEEK.value
MONTH = Kind.MONTH.value
TOP_CATEGORIES = 10
TOP_HOT = 10
LISTED_WEEKS = 12
LISTED_MONTHS = 12


# ---- periods ------------------------------------------------------------------------------------------------

REPORT_KINDS = frozenset({Kind.WEEK, Kind.MONTH})


def parse_report_period(text: str | None) -> Period:
    """``2026-W48`` (an ISO week) or ``2026-11`` (a month); anything else is refused, naming the field."""
    text = (text or "").strip()
    found = periods.parse(text, REPORT_KINDS, clock.today()) if text else None
    if found is None:
        raise ValidationFailed(_("报告期“%(text)s”无法识别：周报请用 2026-W48（ISO 周），月报请用 2026-11。")
                               % {"text": text}, fields={"period": _("格式不对")})
    return found


def kind_of(period: Period) -> str:
    return WEEK if period.kind == Kind.WEEK else MONTH


def previous_of(period: Period) -> Period:
    return period.previous()


def months_touched(period: Period) -> list[dt.date]:
    return period.months


def data_as_of(period: Period) -> dt.datetime | None:
    """When the period's rollups were computed (the oldest of its months); None if one is missing."""
    months = months_touched(period)
    stamps = list(FactMonth.objects.filter(month__in=months).values_list("computed_at", flat=True))
    return min(stamps) if len(stamps) == len(months) else None


@dataclass(frozen=True)
class Listed:
    period: Period
    kind: str
    current: bool  # not over yet: the figures are so far


def available(today: dt.date | None = None) -> list[Listed]:
    """The last weeks and months whose rollups exist, newest first (the current ones marked)."""
    today = today or clock.today()
    computed = set(FactMonth.objects.values_list("month", flat=True))
    found: list[Listed] = []
    for week in periods.recent(Kind.WEEK, today, LISTED_WEEKS):
        if all(m in computed for m in week.months):
            found.append(Listed(week, WEEK, week.end > today))
    for month in periods.recent(Kind.MONTH, today, LISTED_MONTHS):
        if month.start in computed:
            found.append(Listed(month, MONTH, month.end > today))
    return found


# ---- contents -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    label: str
    value: float | int | None
    previous: float | int | None
    rate: bool  # a rate in [0, 1]; else a count

    @property
    def change(self) -> float | None:
        """环比: relative change of a count (0.12 = +12 %), percentage points of a rate (0.031 = +3.1 pp)."""
        if self.value is None or self.previous is None:
            return None
        if self.rate:
            return round(float(self.value) - float(self.previous), 4)
        return round((self.value - self.previous) / self.previous, 4) if self.previous else None


@dataclass(frozen=True)
class Line:
    """One row of a breakdown table."""

    key: str
    label: str
    totals: sel.Totals
    share: float | None  # of the scope's received
    previous: int | None  # received in the previous period


@dataclass(frozen=True)
class Section:
    """An optional section from another part (hot issues, risks, warnings): a table, or why it is empty."""

    title: str
    headers: list[str]  # the first column is text, the others figures
    rows: list[list[Any]]
    note: str = ""
    rates: tuple[int, ...] = ()  # the columns that hold rates in [0, 1]


@dataclass
class Report:
    scope: sel.Scope
    period: Period
    previous: Period
    kind: str
    generated_at: dt.datetime
    as_of: dt.datetime | None
    totals: sel.Totals
    before: sel.Totals
    figures: list[Figure]
    channels: list[Line] | None  # None: not kept for this scope and period (a street's days)
    categories: list[Line] | None
    days: list[str]  # ISO dates
    received_by_day: list[int]
    resolved_by_day: list[int]
    area_level: str  # "district" / "street", or "" when the report has no area table
    areas: list[Line]
    units: list[sel.UnitRates]
    extra: list[Section] = field(default_factory=list)
    by_day_only: bool = False  # the scope keeps only its daily total (a street's week): no channels, categories

    @property
    def title(self) -> str:
        kind = _("周报") if self.kind == WEEK else _("月报")
        return _("%(scope)s矛盾纠纷和群众诉求办理%(kind)s") % {"scope": self.scope.name, "kind": kind}

    @property
    def area_label(self) -> str:
        return str(Level(self.area_level).label) if self.area_level else ""


def headline(now: sel.Totals, before: sel.Totals) -> list[Figure]:
    counts = [(_("受理"), "received"), (_("有效"), "valid"), (_("办结"), "resolved"), (_("超期"), "overdue"),
              (_("进入调解"), "mediated"), (_("调解成功"), "mediation_agreed")]
    rates = [(_("办结率"), "resolution_rate"), (_("按期办结率"), "on_time_rate"), (_("满意率"), "satisfaction_rate"),
             (_("调解成功率"), "mediation_success_rate")]
    found = [Figure(label, getattr(now, name), getattr(before, name), False) for label, name in counts]
    found += [Figure(label, getattr(now, name), getattr(before, name), True) for label, name in rates]
    return found


def lines(scope: sel.Scope, period: Period, previous: Period, dim: str, total: int,
          limit: int | None = None) -> list[Line]:
    before = {r.key: r.totals.received for r in sel.breakdown(scope, previous, dim)}
    blank = _("未分类") if dim == Dim.CATEGORY else _("未明确区域") if dim in (Dim.DISTRICT, Dim.STREET) else _("未知")
    return [Line(r.key, r.label if r.key else blank, r.totals, round(r.totals.received / total, 4) if total else None,
                 before.get(r.key, 0)) for r in sel.breakdown(scope, period, dim, limit)]


def area_dim(scope: sel.Scope, kind: str) -> str:
    """The city's report has a district table; a district's month report a street table (street rows are
    kept per month only)."""
    if scope.id == CITY_SCOPE:
        return Dim.DISTRICT
    if scope.level == Level.DISTRICT and kind == MONTH:
        return Dim.STREET
    return ""


def build(scope: sel.Scope, period: Period, reader: User | None = None) -> Report:
    """Everything the report shows, for ``scope`` (already allowed to ``reader``) and ``period``; the reader
    only decides whether hot issues are in it (``hot_allowed``)."""
    kind = kind_of(period)
    previous = previous_of(period)
    now, before = sel.totals(scope, period), sel.totals(scope, previous)
    received = sel.trend(scope, period, Dim.ALL, "received")
    resolved = sel.trend(scope, period, Dim.ALL, "resolved")
    dim = area_dim(scope, kind)
    report = Report(
        scope=scope, period=period, previous=previous, kind=kind, generated_at=clock.now(), as_of=data_as_of(period),
        totals=now, before=before, figures=headline(now, before),
        channels=kept(lambda: lines(scope, period, previous, Dim.CHANNEL, now.received)),
        categories=kept(lambda: lines(scope, period, previous, Dim.CATEGORY, now.received, TOP_CATEGORIES)),
        days=received.buckets, received_by_day=_only_line(received), resolved_by_day=_only_line(resolved),
        area_level=str(Level.DISTRICT if dim == Dim.DISTRICT else Level.STREET) if dim else "",
        areas=lines(scope, period, previous, dim, now.received) if dim else [],
        units=sel.rankings(scope, period) if kind == MONTH else [],
    )
    report.by_day_only = report.channels is None
    report.extra = [s for s in (hot_section(scope, period, reader), risk_section(scope, period),
                                warning_section(scope, period, reader)) if s is not None]
    return report


def kept(read: Callable[[], list[Line]]) -> list[Line] | None:
    """A breakdown, or None when the rollups do not keep that dimension for the scope and grain (a street
    keeps its daily total only, so a street's week has no channels or categories)."""
    try:
        return read()
    except ValidationFailed:
        return None


def _only_line(series: sel.Series) -> list[int]:
    values = list(series.lines.values())
    return values[0] if values else [0] * len(series.buckets)


# ---- sections from the other early-warning parts ------------------------------------------------------------
# Hot issues and escalation grades are read plainly (hot_issues.hottest, warning.selectors.grades_in, the
# cockpit's own sources); the risk indicators still through ``optional`` and ``call_with``.

def optional(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` if that part is installed; None (the section is left out) otherwise."""
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


class Incompatible(TypeError):
    """The part's function cannot answer for a scope and a period (it counts for a reader, or since a date)."""


def call_with(func: Callable[..., Any], offered: Mapping[str, Any]) -> Any:
    """Call ``func`` with the arguments it names among ``offered``.  It must take an area (or scope) and a
    period (or its start): a function that counts the reader's whole reach, or from a date on, would put
    figures of other areas or later days into the report, so it is refused (``Incompatible``)."""
    params = [p for p in inspect.signature(func).parameters.values() if p.kind not in (p.VAR_POSITIONAL,
                                                                                          p.VAR_KEYWORD)]
    names = {p.name for p in params}
    if not (names & {"area", "scope"} and names & {"period", "start", "period_start"}):
        raise Incompatible(f"{func.__module__}.{func.__name__} takes no area and period")
    kwargs, args = {}, []
    for p in params:
        if p.name in offered:
            if p.kind == p.POSITIONAL_ONLY:
                args.append(offered[p.name])
            else:
                kwargs[p.name] = offered[p.name]
        elif p.default is p.empty:
            raise Incompatible(f"{func.__module__}.{func.__name__} needs {p.name}")
    return func(*args, **kwargs)


def _offered(scope: sel.Scope, period: Period) -> dict[str, Any]:
    # ``user_or_scope=None`` is the risk indicators' "whole city, for system jobs": the reader's right to the
    # scope is checked before a report is made, and ``area`` narrows it to the scope
    return {"user_or_scope": None, "scope": scope, "area": scope.area, "period": period, "start": period.start,
            "end": period.end, "period_start": period.start, "period_end": period.end, "limit": TOP_HOT,
            "n": TOP_HOT, "k": TOP_HOT, "count": TOP_HOT}


def _guarded(title: str, build_rows: Callable[[], tuple[list[str], list[list[Any]]] | None],
             rates: tuple[int, ...] = ()) -> Section | None:
    try:
        got = build_rows()
    except Incompatible as e:
        log.info("report section %s left out: %s", title, e)
        return None
    except Exception:
        log.exception("report section %s failed", title)
        return Section(title, [], [], _("本节数据暂时无法生成，已记入系统日志。"))
    if got is None:
        return None
    headers, rows = got
    return Section(title, headers, rows, "" if rows else _("本期没有数据。"), rates)


def hot_allowed(reader: User | None) -> bool:
    """Hot issues go into a reader's report when she may read them (the command, which has no reader,
    leaves them out)."""
    return reader is not None and hot_issues.can_read(reader)


def hot_section(scope: sel.Scope, period: Period, reader: User | None) -> Section | None:
    """The hottest issues with a report in the period, in the scope, as the reader may see them
    (``hot_issues.hottest``, which the cockpit reads too)."""
    if reader is None or not hot_allowed(reader):
        return None

    def rows() -> tuple[list[str], list[list[Any]]]:
        found = [[i.title, i.place, i.size, i.people, round(i.heat, 1)]
                 for i in hot_issues.hottest(reader, scope, period, TOP_HOT)]
        return [_("热点问题（按热度）"), _("地点"), _("件数"), _("反映人数"), _("热度指数")], found

    return _guarded(_("热点问题"), rows)


def risk_section(scope: sel.Scope, period: Period) -> Section | None:
    func = optional("fengqiao.risk.indicators", "compute")
    if func is None:
        return None

    def rows() -> tuple[list[str], list[list[Any]]]:
        got = call_with(func, _offered(scope, period))
        found = [[r.label, r.numerator, r.denominator, r.rate] for r in got.rates()]
        found.append([_("本期新增风险"), got.opened, None, None])
        found.append([_("复核逾期（当前）"), got.overdue_reviews, None, None])
        return [_("指标"), _("达标数"), _("应达标数"), _("比率")], found

    return _guarded(_("重大风险“五个100%”"), rows, rates=(3,))


def warning_section(scope: sel.Scope, period: Period, reader: User | None) -> Section | None:
    """Cases registered in the period in the scope by their escalation grade now (重点 / 一般 / 关注), as the
    reader may see them (``warning.selectors.grades_in``, which the cockpit reads too).  Left out without a
    reader (the command)."""
    if reader is None:
        return None

    def rows() -> tuple[list[str], list[list[Any]]]:
        counts = warning_selectors.grades_in(reader, scope, period)
        found: list[list[Any]] = [[str(g.label), counts[g.value]] for g in (Grade.KEY, Grade.GENERAL, Grade.WATCH)]
        return [_("预警等级（当前）"), _("本期登记的件数")], found

    return _guarded(_("激化风险预警"), rows)
