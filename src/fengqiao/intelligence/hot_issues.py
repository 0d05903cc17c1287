"""Hot issues (热点问题) in the system: each city's cases of the last 30 days grouped by problem and place
(``hot_cluster``), stored as ``HotIssue`` rows, and read — scoped to the reader — by /hot-issues/ and the
cockpit and its reports (``top``, ``hottest``).

In the system the place of a case is known exactly: its community (or, without one, its street or
district).  Cases are only compared with cases of the same place, so a group never spans two communities,
and a reader who sees a community sees its groups whole.  Cases merged into another as duplicates are not
grouped themselves; each counts as one support of the case it was merged into (the 点赞 of the heat index).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, Party, PartyRole
from fengqiao.intelligence import hot_cluster as hc
from fengqiao.intelligence.models import HotIssue, HotIssueCase, HotIssueRun
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.errors import NotFound, PermissionDenied
from fengqiao.kit.periods import Period

if TYPE_CHECKING:
    from fengqiao.cockpit.selectors import Scope

WINDOW_DAYS = 30
REFRESH_EVERY = dt.timedelta(hours=1)
MIN_SIZE = 2  # one case alone is not a hot issue
DETAIL_CHARS = 1000  # of a case's description, enough to tell its problem
READER_ROLES = frozenset({Role.LEADER, Role.RISK_OFFICER, Role.DISPATCHER, Role.ADMIN})


# ---------------------------------------------------------------------------------------------- reading

def can_read(user: User) -> bool:
    """Leaders, risk officers, dispatchers and administrators read hot issues."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or scope.reach_of(user).roles & READER_ROLES)


def check_reader(user: User) -> None:
    if not can_read(user):
        raise PermissionDenied(_("热点问题仅对领导、风险专员、分拨员和系统管理员开放。"))


def visible(user: User) -> QuerySet[HotIssue]:
    """The hot issues with at least one case the user may see (every read goes through case scope)."""
    if not can_read(user):
        return HotIssue.objects.none()
    if scope.reach_of(user).everything:
        return HotIssue.objects.all()
    members = HotIssueCase.objects.filter(scope.case_filter(user, prefix="case__")).values("issue_id")
    return HotIssue.objects.filter(pk__in=members)


def access_issue(user: User, pk: int) -> HotIssue:
    """The only permission-checked loader of a hot issue."""
    check_reader(user)
    found = visible(user).select_related("community", "street", "district").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("没有找到这个热点问题，或您无权查看。"))
    return found


def member_cases(user: User, issue: HotIssue) -> QuerySet[Case]:
    """The issue's cases that the user may see, newest first."""
    return (Case.objects.filter(scope.case_filter(user), pk__in=issue.members.values("case_id"))
            .select_related("community", "grid", "category").order_by("-registered_at"))


@dataclass(frozen=True)
class TopIssue:
    """One row of ``top``: what the cockpit shows and where it links."""

    id: int
    title: str
    place: str
    heat: float
    size: int
    people: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    url: str


def top(user: User, n: int = 10) -> list[TopIssue]:
    """The ``n`` hottest issues the user may see (empty for a user who may not read hot issues)."""
    return _listed(visible(user), n)


def hottest(user: User, scope: Scope, period: Period | None = None, n: int = 10) -> list[TopIssue]:
    """The ``n`` hottest issues the user may see in the cockpit ``scope`` (the city, a district, a street):
    all of the last run's (the cockpit), or those with a report in ``period`` — first seen before its end,
    last seen after its start (the reports).  Empty for a user who may not read hot issues."""
    rows = visible(user).filter(**scope.lookup())
    if period is not None:
        start, end = clock.at_local(period.start, dt.time()), clock.at_local(period.end, dt.time())
        rows = rows.filter(first_seen__lt=end, last_seen__gte=start)
    return _listed(rows, n)


def _listed(rows: QuerySet[HotIssue], n: int) -> list[TopIssue]:
    rows = rows.order_by("-heat", "-size", "-last_seen", "pk")[:max(n, 0)]
    return [TopIssue(i.pk, i.title, i.place, i.heat, i.size, i.people, i.first_seen, i.last_seen,
                     reverse("hot_issue", args=[i.pk])) for i in rows]


def last_run(user: User) -> HotIssueRun | None:
    """The newest run of the cities the user reaches (for the page's "computed at")."""
    runs = HotIssueRun.objects.order_by("-computed_at")
    if not scope.reach_of(user).everything:
        cities = visible(user).values("city_id")
        runs = runs.filter(city_id__in=cities)
    return runs.first()


# ---------------------------------------------------------------------------------------------- computing

def _place_key(row: dict[str, Any]) -> str:
    for field, prefix in (("community_id", "c"), ("street_id", "s"), ("district_id", "d")):
        if row[field] is not None:
            return f"{prefix}{row[field]}"
    return "city"


def _authors(city: Area, start: dt.datetime, end: dt.datetime) -> dict[int, str]:
    """Who reported each case: the reporter's (or applicant's) phone or ID hash — never the plain value."""
    out: dict[int, str] = {}
    rows = Party.objects.filter(
        case__district__parent=city, case__registered_at__gte=start, case__registered_at__lt=end,
        role__in=[PartyRole.REPORTER, PartyRole.APPLICANT],
    ).order_by("pk").values_list("case_id", "phone_hash", "id_hash")
    for case_id, phone_hash, id_hash in rows.iterator(chunk_size=5000):
        if case_id not in out and (phone_hash or id_hash):
            out[case_id] = f"p:{phone_hash or id_hash}"
    return out


def case_messages(city: Area, start: dt.datetime, end: dt.datetime) -> tuple[list[hc.Message], list[dict[str, Any]]]:
    """The city's cases registered in [start, end) as messages, with their rows; duplicates become supports."""
    qs = (Case.objects.filter(district__parent=city, registered_at__gte=start, registered_at__lt=end)
          .order_by("registered_at", "pk")
          .values("id", "title", "description", "registered_at", "citizen_id", "community_id", "street_id",
                  "district_id", "grid_id", "duplicate_of_id"))
    rows: list[dict[str, Any]] = [dict(r) for r in qs]
    supports = Counter(r["duplicate_of_id"] for r in rows if r["duplicate_of_id"] is not None)
    authors = _authors(city, start, end)
    kept = [r for r in rows if r["duplicate_of_id"] is None]
    names = _area_names({r[f] for r in kept for f in ("district_id", "street_id", "community_id", "grid_id")
                         if r[f] is not None})
    messages = []
    for r in kept:
        author = f"u:{r['citizen_id']}" if r["citizen_id"] else authors.get(r["id"], "")
        messages.append(hc.Message(
            id=str(r["id"]), subject=r["title"], detail=(r["description"] or "")[:DETAIL_CHARS],
            at=r["registered_at"], author=author, likes=supports.get(r["id"], 0), place_key=_place_key(r),
            place_names=tuple(sorted({n for f in ("district_id", "street_id", "community_id", "grid_id")
                                      for n in names.get(r[f], ())}, key=len, reverse=True)),
        ))
    return messages, kept


_AREA_SUFFIXES = ("街道办事处", "街道", "社区", "网格", "镇", "乡", "村", "区", "县", "市")


def _area_names(ids: set[int]) -> dict[int, tuple[str, ...]]:
    """Each area's name and, when it ends with an administrative suffix, the name without it (龙店镇 → 龙店)."""
    out: dict[int, tuple[str, ...]] = {}
    for pk, name in Area.objects.filter(pk__in=sorted(ids)).values_list("pk", "name"):
        forms = {name}
        for suffix in _AREA_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.add(name[: -len(suffix)])
                break
        out[pk] = tuple(forms)
    return out


def _terms(messages: list[hc.Message], members: list[int]) -> list[str]:
    counts: Counter[str] = Counter()
    for k in members:
        subject = hc.strip_names(messages[k].subject, messages[k].place_names)
        counts.update({t for t in hc.tokens(subject) if len(t) > 1})  # 困/人: cut pieces say little
    return [t for t, n in counts.most_common(5) if n > 1 or len(members) == 1]


def _place_label(row: dict[str, Any], areas: dict[int, Area]) -> str:
    names = [areas[row[f]].name for f in ("district_id", "street_id", "community_id")
             if row[f] is not None and row[f] in areas]
    return " · ".join(names)


def refresh_city(city_id: int, now: dt.datetime | None = None) -> HotIssueRun:
    """Group the city's cases of the last ``WINDOW_DAYS`` days and store the issues — one transaction; the
    city's row is locked so two runs of one city wait for each other.  Running it twice changes nothing."""
    started = time.monotonic()
    now = now or clock.now()
    start = now - dt.timedelta(days=WINDOW_DAYS)
    with transaction.atomic():
        city = Area.objects.select_for_update().get(pk=city_id, level=Level.CITY)
        messages, rows = case_messages(city, start, now)
        ranked = hc.rank(messages, hc.group(messages), reference=now, min_size=MIN_SIZE) if messages else []
        area_ids = {r[f] for r in rows for f in ("district_id", "street_id", "community_id") if r[f]}
        areas = Area.objects.in_bulk(sorted(area_ids))
        existing = {i.anchor_id: i for i in HotIssue.objects.filter(city=city)}
        keep: list[HotIssue] = []
        members: dict[int, list[int]] = {}
        for g in ranked:
            ordered = sorted(g.members, key=lambda k: (messages[k].at, int(messages[k].id)))
            anchor_row = rows[ordered[0]]
            rep = rows[g.representative]
            issue = existing.pop(anchor_row["id"], None) or HotIssue(city=city, anchor_id=anchor_row["id"])
            issue.title = rep["title"][:200]
            issue.place = _place_label(rep, areas)[:200]
            issue.district_id, issue.street_id = rep["district_id"], rep["street_id"]
            issue.community_id = rep["community_id"]
            issue.heat, issue.size, issue.people, issue.supports = g.heat, len(g.members), g.users, g.likes
            issue.first_seen, issue.last_seen = g.first or now, g.last or now
            issue.terms = _terms(messages, g.members)
            issue.computed_at = now
            issue.save()
            keep.append(issue)
            members[issue.pk] = [rows[k]["id"] for k in ordered]
        HotIssue.objects.filter(pk__in=[i.pk for i in existing.values()]).delete()
        HotIssueCase.objects.filter(issue__city=city).delete()
        HotIssueCase.objects.bulk_create(
            [HotIssueCase(issue_id=pk, case_id=c) for pk, cases in members.items() for c in cases],
            batch_size=2000)
        return HotIssueRun.objects.create(
            city=city, computed_at=now, window_start=start, window_end=now, cases=len(rows), issues=len(keep),
            seconds=round(time.monotonic() - started, 3))


def due_cities(now: dt.datetime | None = None) -> list[int]:
    """Cities whose newest run is older than ``REFRESH_EVERY`` (or that have none)."""
    now = now or clock.now()
    fresh = HotIssueRun.objects.filter(computed_at__gt=now - REFRESH_EVERY).values("city_id")
    return list(Area.objects.filter(level=Level.CITY).exclude(pk__in=fresh).order_by("pk")
                .values_list("pk", flat=True))


def refresh_due(now: dt.datetime | None = None, *, force: bool = False) -> list[HotIssueRun]:
    """Refresh each due city in its own transaction: a crash after some cities leaves them done, and the
    next run takes up the others (resumable)."""
    now = now or clock.now()
    ids = (list(Area.objects.filter(level=Level.CITY).order_by("pk").values_list("pk", flat=True)) if force
           else due_cities(now))
    return [refresh_city(city_id, now) for city_id in ids]
